"""Demo § 4 round: Usingen's address book and an authorities' round on "am-riedborn" with two answers."""

import datetime as dt

from participation.models import Consultation, Statement
from participation.periods import regular_end, start_of_day
from participation.services import consultation_create
from plans.rules import SYSTEM

from . import services, submissions, tokens
from .models import Invitation

ADDRESS_BOOK = "\n".join(
    [
        "organisation;department;emails;subject_areas;active;notes",
        "Hochtaunuskreis;Fachbereich Umwelt;umwelt@htk.example;Natur- und Umweltschutz|Wasser und Boden;ja;",
        "Regierungspräsidium Darmstadt;Dezernat III 31.2;regional@rpda.example;Raumordnung und Landesplanung;ja;",
        "Hessen Mobil;Straßen- und Verkehrsmanagement Gelnhausen;planung@mobil.example;Verkehr;ja;",
        "Landesamt für Denkmalpflege Hessen;hessenARCHÄOLOGIE;archaeologie@denkmal.example;Denkmalschutz;ja;",
        "Stadt Neu-Anspach;Fachbereich Planen und Bauen;bauleitplanung@neu-anspach.example;Nachbargemeinden;ja;",
        "Syna GmbH;Netzplanung;netzplanung@syna.example;Ver- und Entsorgung;ja;Strom und Gas",
        "",
    ]
)

STATEMENT = (
    "Aus Sicht der Unteren Naturschutzbehörde ist der Eingriff in die Streuobstwiese im Süden des "
    "Geltungsbereichs auszugleichen. Wir bitten, die Ausgleichsfläche im Bebauungsplan festzusetzen und "
    "den Artenschutzfachbeitrag um eine Brutvogelkartierung zu ergänzen."
)


def load_demo(result: dict) -> None:
    """Create the address book and the answered § 4 round once (idempotent)."""
    plan = result["plans"].get("am-riedborn")
    if plan is None:
        return
    municipality = plan.municipality
    if not municipality.authorities.exists():
        services.address_book_import(municipality=municipality, data=ADDRESS_BOOK.encode(), by=SYSTEM)
    if Consultation.objects.filter(plan=plan, kind=Consultation.Kind.AUTHORITIES).exists():
        return
    publication = Consultation.objects.filter(plan=plan, kind=Consultation.Kind.PUBLICATION).first()
    start = publication.start_date if publication else dt.date.today()
    begun = start_of_day(start) + dt.timedelta(hours=9)
    consultation = consultation_create(
        plan=plan,
        by=SYSTEM,
        kind=Consultation.Kind.AUTHORITIES,
        start_date=start,
        end_date=regular_end(start),
        reason="Demo: parallel zur Veröffentlichung (§ 4a Abs. 2 BauGB)",
        at=begun - dt.timedelta(days=1),
    )
    services.invitations_send(
        consultation=consultation,
        by=SYSTEM,
        authorities=municipality.authorities.filter(active=True),
        at=begun,
    )
    answers = [
        ("Hochtaunuskreis", "Dr. Petra Beispiel", "61.2-0815/26", False),
        ("Regierungspräsidium Darmstadt", "Jonas Muster", "III 31.2-61 d 02/01", True),
    ]
    for i, (organisation, clerk, reference, no_objections) in enumerate(answers):
        invitation = Invitation.objects.get(consultation=consultation, authority__organisation=organisation)
        submissions.invitation_open(token=tokens.make_token(invitation), at=begun + dt.timedelta(days=2 + i))
        submissions.authority_statement_submit(
            token=tokens.make_token(invitation),
            clerk_name=clerk,
            email=invitation.emails[0],
            text="" if no_objections else STATEMENT,
            file_reference=reference,
            topic=Statement.Topic.ENVIRONMENT if not no_objections else Statement.Topic.OTHER,
            no_objections=no_objections,
            at=begun + dt.timedelta(days=3 + i, hours=2),
        )
