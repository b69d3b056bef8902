import datetime as dt

import pytest
from django.contrib.gis.geos import Polygon
from django.utils import timezone

from participation.periods import end_of_day
from plans.models import Membership
from tests.factories import (
    ConsultationFactory,
    MembershipFactory,
    MunicipalityFactory,
    PlanFactory,
    StatementFactory,
    UserFactory,
)

FORM_LETTER = (
    "Sehr geehrte Damen und Herren, ich erhebe Einwendungen gegen den Bebauungsplan. Die Riedbornstraße ist schon "
    "heute überlastet, der zusätzliche Verkehr gefährdet die Kinder auf dem Schulweg. Bitte verzichten Sie auf die "
    "Zufahrt über die Riedbornstraße und planen Sie eine Anbindung an die Landesstraße."
)


@pytest.fixture(autouse=True)
def _clear_test_cache(_fast_settings):
    """Clear the test's cache: the global `_clear_cache` runs before `_fast_settings` and so clears another one."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def immediate_tasks(settings):
    """Run tasks at once in the enqueueing thread (tasks queued on commit need django_capture_on_commit_callbacks)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def world(db):
    """Two municipalities with a planner and a moderator each; a closed consultation in the first with statements."""
    town, other = MunicipalityFactory(name="Usingen"), MunicipalityFactory(name="Neu-Anspach")
    users = {
        "planner": MembershipFactory(municipality=town, role=Membership.Role.PLANNER, user__username="planer").user,
        "moderator": MembershipFactory(
            municipality=town, role=Membership.Role.MODERATOR, user__username="moderatorin"
        ).user,
        "foreign_planner": MembershipFactory(
            municipality=other, role=Membership.Role.PLANNER, user__username="fremd"
        ).user,
        "foreign_moderator": MembershipFactory(
            municipality=other, role=Membership.Role.MODERATOR, user__username="fremdmod"
        ).user,
        "no_membership": UserFactory(username="ohne", is_staff=True),
    }
    today = timezone.localdate()
    consultation = ConsultationFactory(
        plan=PlanFactory(municipality=town, title="Am Riedborn", slug="am-riedborn"),
        start_date=today - dt.timedelta(days=40),
        end_date=today - dt.timedelta(days=10),
    )
    start = timezone.now() - dt.timedelta(days=35)
    statements = []
    for i, (text, topic, channel) in enumerate(
        [
            (FORM_LETTER, "traffic", "online"),
            (FORM_LETTER.replace("Sehr geehrte Damen und Herren,", "Hallo,"), "traffic", "online"),
            (FORM_LETTER + " Mit freundlichen Grüßen", "traffic", "post"),
            (
                "Der Bach im Norden muss als Biotop erhalten bleiben; bitte einen Gewässerrandstreifen festsetzen.",
                "environment",
                "online",
            ),
            ("Die Kita-Plätze reichen im Ortsteil nicht aus. =SUMME(A1:A9)", "social", "email"),
        ]
    ):
        statements.append(
            StatementFactory(
                consultation=consultation,
                comment=text,
                topic=topic,
                channel=channel,
                submit_date=start + dt.timedelta(days=i),
                user_name=f"Erika Musterfrau{i}",
                user_email=f"erika{i}@example.org",
                postal_address=f"Hauptstraße {i}, 61250 Usingen",
            )
        )
    late = StatementFactory(
        consultation=consultation,
        comment="Verspätet: Ich bin gegen die Gewerbehalle.",
        topic="buildings",
        submit_date=end_of_day(consultation.end_date) + dt.timedelta(hours=2),
        user_name="Max Spät",
        user_email="spaet@example.org",
    )
    statements.append(late)
    nowhere = StatementFactory(
        consultation=consultation,
        comment="Ohne Ort, per Post.",
        channel="post",
        location=None,
        received_on=consultation.end_date,
        submit_date=timezone.now(),
        user_name="Paula Papier",
        user_email="",
        postal_address="Am Markt 1, 61250 Usingen",
    )
    statements.append(nowhere)
    plan_area = consultation.plan.area
    x0, y0, x1, y1 = plan_area.extent
    drawn = StatementFactory(
        consultation=consultation,
        comment="Diese Fläche soll Grünfläche bleiben.",
        topic="green",
        submit_date=start + dt.timedelta(days=7),
        drawn_area=Polygon(((x0, y0), ((x0 + x1) / 2, y0), ((x0 + x1) / 2, (y0 + y1) / 2), (x0, y0)), srid=4326),
        location=None,
        user_name="Gerd Grün",
        user_email="gruen@example.org",
    )
    statements.append(drawn)
    # Not weighed: an official reply and an unconfirmed guest statement.
    StatementFactory(consultation=consultation, comment="Antwort der Verwaltung", is_official=True, user_name="Amt")
    StatementFactory(consultation=consultation, comment="Unbestätigt", confirmed_at=None, user_name="Gast Unbestätigt")
    foreign_consultation = ConsultationFactory(plan=PlanFactory(municipality=other))
    StatementFactory(consultation=foreign_consultation, user_name="Fremde Person")
    return {
        "town": town,
        "other": other,
        "users": users,
        "consultation": consultation,
        "statements": statements,
        "foreign_consultation": foreign_consultation,
        "names": [s.user_name for s in statements],
        "emails": [s.user_email for s in statements if s.user_email],
    }


@pytest.fixture
def attachment_storage(tmp_path, monkeypatch):
    """Keep the test's attachments in a temporary folder (the field's storage is built at import)."""
    from django.core.files.storage import FileSystemStorage

    from participation.models import Attachment

    storage = FileSystemStorage(location=str(tmp_path / "attachments"), base_url=None)
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", storage)
    return storage


def add_attachment(statement, name: str, data: bytes, content_type: str = "application/pdf"):
    """Store `data` as an attachment of `statement` (as the upload would, without its checks)."""
    import hashlib

    from django.core.files.base import ContentFile

    from participation.models import Attachment

    attachment = Attachment(
        statement=statement,
        original_name=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    attachment.file.save(name, ContentFile(data), save=False)
    attachment.save()
    return attachment


@pytest.fixture
def authority_round(world, attachment_storage):
    """Two invited authorities answered the closed consultation of `world`: one in its extended time, one late.

    The water authority's statement refers to section 3.2 of the Begründung and carries a PDF.
    """
    from participation.authorities.models import Authority, Invitation
    from plans.models import DocumentSection
    from tests.factories import DocumentFactory, minimal_pdf

    consultation, town = world["consultation"], world["town"]
    water = Authority.objects.create(
        municipality=town, organisation="Untere Wasserbehörde Hochtaunuskreis", emails=["uwb@example.org"]
    )
    utility = Authority.objects.create(municipality=town, organisation="Stadtwerke Usingen", emails=["sw@example.org"])
    # The water authority's deadline was extended beyond the public period; the utility's ended before it.
    extended = Invitation.objects.create(
        consultation=consultation, authority=water, deadline=consultation.end_date + dt.timedelta(days=7), key="a"
    )
    short = Invitation.objects.create(
        consultation=consultation, authority=utility, deadline=consultation.end_date - dt.timedelta(days=5), key="b"
    )
    document = DocumentFactory(plan=consultation.plan, title="Begründung")
    section = DocumentSection.objects.create(document=document, number="3.2", title="Entwässerung", order=2)
    other_section = DocumentSection.objects.create(document=document, number="1", title="Anlass", order=1)
    after_end = end_of_day(consultation.end_date) + dt.timedelta(days=2)
    water_statement = StatementFactory(
        consultation=consultation,
        channel="authority",
        organisation=str(water),
        file_reference="UWB-2026/117",
        invitation=extended,
        section=section,
        comment="Das Niederschlagswasser ist auf den Grundstücken zu versickern.",
        topic="environment",
        user_name="Frau Sachbearbeiterin Wasser",
        user_email="uwb@example.org",
        submit_date=after_end,
        is_public=False,
    )
    utility_statement = StatementFactory(
        consultation=consultation,
        channel="authority",
        organisation=str(utility),
        no_objections=True,
        invitation=short,
        comment="Keine Anregungen oder Bedenken.",
        topic="other",
        user_name="Herr Sachbearbeiter Strom",
        user_email="sw@example.org",
        location=None,
        submit_date=end_of_day(short.deadline) + dt.timedelta(hours=3),
        is_public=False,
    )
    world["statements"][3].section = other_section
    world["statements"][3].save(update_fields=["section"])
    pdf = minimal_pdf("Gutachten Entwässerung")
    attachment = add_attachment(water_statement, "Gutachten Entwässerung.pdf", pdf)
    return {
        **world,
        "water": water_statement,
        "utility": utility_statement,
        "section": section,
        "other_section": other_section,
        "attachment": attachment,
        "pdf": pdf,
    }
