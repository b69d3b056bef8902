"""Demo Abwägung: statements on the closed consultation of "nahversorgung-hausen", weighed and published."""

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from participation.models import Consultation, Statement
from participation.periods import local_date, start_of_day
from plans.rules import SYSTEM

from . import services
from .models import Decision, Weighing

FORM_LETTER = (
    "Ich bin gegen die Zufahrt zum Markt über die Schulstraße. Der Lieferverkehr gefährdet die Kinder auf dem "
    "Schulweg. Bitte führen Sie die Anlieferung über die Hauptstraße."
)
STATEMENTS = [
    (FORM_LETTER, "traffic", "online", "Anna Beispiel", ""),
    (FORM_LETTER + " Mit freundlichen Grüßen", "traffic", "online", "Bernd Beispiel", ""),
    ("Sehr geehrte Damen und Herren, " + FORM_LETTER, "traffic", "post", "Clara Beispiel", ""),
    (
        "Die Parkplätze sollen mit Bäumen beschattet und das Dach begrünt werden.",
        "green",
        "online",
        "Dora Beispiel",
        "",
    ),
    (
        "Aus Sicht des Naturschutzes ist ein Ausgleich für die versiegelte Fläche erforderlich.",
        "environment",
        "email",
        "Erich Beispiel",
        "Naturschutzbund Neu-Anspach",
    ),
]


def load_demo(result: dict) -> None:
    """Add weighed statements to the closed demo consultation once (idempotent)."""
    plan = result["plans"].get("nahversorgung-hausen")
    consultation = Consultation.objects.filter(plan=plan).order_by("start_date").first() if plan else None
    if consultation is None or consultation.statements.exists():
        return
    content_type = ContentType.objects.get_for_model(Consultation)
    area = plan.area.point_on_surface
    for i, (text, topic, channel, name, _organisation) in enumerate(STATEMENTS):
        submitted = start_of_day(consultation.start_date) + dt.timedelta(days=2 + i, hours=10)
        Statement.objects.create(
            consultation=consultation,
            content_type=content_type,
            object_pk=str(consultation.pk),
            site_id=settings.SITE_ID,
            user_name=name,
            user_email=f"{name.split()[0].lower()}@example.org",
            comment=text,
            topic=topic,
            channel=channel,
            submit_date=submitted,
            confirmed_at=submitted,
            privacy_consent=True,
            public_opt_in=True,
            is_public=True,
            location=area if i % 2 == 0 else None,
        )
    services.weighings_ensure(consultation=consultation, by=SYSTEM)
    weighings = Weighing.objects.for_consultation(consultation).order_by("number")
    for (_t, _topic, _c, _n, organisation), weighing in zip(STATEMENTS, weighings, strict=True):
        if organisation:
            weighing.organisation = organisation
            weighing.save(update_fields=["organisation"])
    services.statements_group_similar(consultation=consultation, by=SYSTEM)
    for group in consultation.statement_groups.all():
        services.group_answer(
            group=group,
            by=SYSTEM,
            decision=Decision.PARTLY,
            response=(
                "Die Anlieferung erfolgt künftig über die Hauptstraße; die Schulstraße bleibt Zufahrt für Kundschaft."
            ),
        )
    Weighing.objects.for_consultation(consultation).filter(decision="").update(
        decision=Decision.NOTED, response="Die Anregung wird im Bebauungsplan berücksichtigt, soweit festsetzbar."
    )
    # The council decided two weeks after the end (or today, if the demo period ended more recently).
    decided_on = min(consultation.end_date + dt.timedelta(days=14), local_date(timezone.now()))
    services.result_publish(
        consultation=consultation,
        by=SYSTEM,
        council_body=plan.municipality.council_body,
        decided_on=decided_on,
        notify=False,
    )
