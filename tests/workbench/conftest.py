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
