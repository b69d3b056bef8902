"""Demo data, the admin for operators only, drawn areas, reports in the moderation queue, purge per consultation."""

import datetime as dt
import json

import pytest
from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from participation import services
from participation.models import Consultation, ConsultationAction, Statement

from ..factories import AnnouncementFactory, ConsultationFactory, MembershipFactory, PlanFactory, StatementFactory

pytestmark = pytest.mark.django_db


def test_load_demo_creates_statements_once():
    call_command("load_demo")
    counts = (Statement.objects.count(), ConsultationAction.objects.count())
    call_command("load_demo")
    assert (Statement.objects.count(), ConsultationAction.objects.count()) == counts
    open_one = Consultation.objects.get(plan__slug="am-riedborn", kind="publication")
    statements = Statement.objects.filter(consultation=open_one)
    assert open_one.is_open_at() and open_one.kind == Consultation.Kind.PUBLICATION
    assert statements.filter(level=0, channel="online").count() >= 24
    assert statements.filter(level__gt=0, is_official=True).exists()
    assert statements.exclude(channel="online").count() >= 3
    assert statements.exclude(location=None).count() >= 15
    assert len(set(statements.values_list("topic", flat=True))) >= 5
    states = {c.state_at() for c in Consultation.objects.all()}
    assert {"open", "scheduled", "closed"} <= states


# --- The admin leaks of issue 10, reproduced over HTTP and closed: the admin is for operators only ---


@pytest.fixture
def superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.org", "pw")


def consultation_add_data(plan, start, end, **extra):
    data = {
        "plan": plan.pk,
        "kind": "publication",
        "round": 1,
        "title": "",
        "start_date": start.strftime("%d.%m.%Y"),
        "end_date": end.strftime("%d.%m.%Y"),
        "short_period_reason": "",
        "announcement": "",
        "access_routes": "",
        "contact": "",
        "moderation": "pre",
        "actions-TOTAL_FORMS": "0",
        "actions-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def test_planner_cannot_add_or_move_consultations_to_a_foreign_plan(client):
    own = ConsultationFactory()
    foreign_plan = PlanFactory()
    planner = MembershipFactory(municipality=own.plan.municipality, role="planner", user__is_staff=True).user
    client.force_login(planner)
    start = dt.date.today() + dt.timedelta(days=3)
    add = client.post(
        reverse("admin:participation_consultation_add"),
        consultation_add_data(foreign_plan, start, start + dt.timedelta(40)),
    )
    change = client.post(
        reverse("admin:participation_consultation_change", args=[own.pk]),
        consultation_add_data(foreign_plan, own.start_date, own.end_date),
    )
    assert (add.status_code, change.status_code) == (403, 403)
    assert client.get(reverse("admin:participation_consultation_add")).status_code == 403
    own.refresh_from_db()
    assert own.plan != foreign_plan and not Consultation.objects.filter(plan=foreign_plan).exists()


def test_planner_cannot_use_the_announcement_admin(client):
    announcement = AnnouncementFactory()
    planner = MembershipFactory(municipality=announcement.municipality, role="planner").user
    client.force_login(planner)
    for url in (
        reverse("admin:announcements_announcement_add"),
        reverse("admin:announcements_announcement_change", args=[announcement.pk]),
        reverse("admin:announcements_announcement_changelist"),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("admin:announcements_announcement_add"), {"plan": PlanFactory().pk}).status_code == 403


def test_moderator_cannot_close_through_the_admin_action(client):
    consultation = ConsultationFactory()
    moderator = MembershipFactory(municipality=consultation.plan.municipality, role="moderator").user
    client.force_login(moderator)
    response = client.post(
        reverse("admin:participation_consultation_changelist"),
        {"action": "close_now", "_selected_action": [consultation.pk], "apply": "1", "reason": "Test"},
    )
    assert response.status_code == 403
    consultation.refresh_from_db()
    assert consultation.closed_at is None and not consultation.actions.exists()


def test_moderator_cannot_read_personal_data_in_the_admin(client):
    statement = StatementFactory(user_email="geheim@example.org")
    client.force_login(MembershipFactory(municipality=statement.consultation.plan.municipality, role="moderator").user)
    response = client.get(reverse("admin:participation_statement_change", args=[statement.pk]))
    assert response.status_code == 403 and b"geheim@example.org" not in response.content


def test_mixed_role_user_gets_no_admin(client):
    consultation = ConsultationFactory()
    user = MembershipFactory(municipality=consultation.plan.municipality, role="moderator").user
    MembershipFactory(user=user, role="planner")
    client.force_login(user)
    assert client.get(reverse("admin:index")).status_code == 403
    assert client.get(reverse("admin:participation_consultation_change", args=[consultation.pk])).status_code == 403


@pytest.mark.parametrize("start_offset,days", [(-3, 40), (3, 9)])
def test_operator_adding_an_unlawful_period_is_refused_and_nothing_saved(client, superuser, start_offset, days):
    """§ 3 Abs. 2: a start in the past or 9 days is refused; the error is shown; no consultation, no history row."""
    from django.utils.html import escape

    plan = PlanFactory()
    client.force_login(superuser)
    start = dt.date.today() + dt.timedelta(days=start_offset)
    response = client.post(
        reverse("admin:participation_consultation_add"),
        consultation_add_data(plan, start, start + dt.timedelta(days=days - 1)),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors
    content = response.content.decode()
    assert all(escape(message) in content for messages in errors.values() for message in messages)
    if start_offset < 0:
        assert "start_date" in errors
    assert not Consultation.objects.exists() and not ConsultationAction.objects.exists()


def test_operator_adds_a_consultation_through_the_service(client, superuser):
    plan = PlanFactory()
    client.force_login(superuser)
    start = dt.date.today() + dt.timedelta(days=3)
    response = client.post(
        reverse("admin:participation_consultation_add"), consultation_add_data(plan, start, start + dt.timedelta(40))
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    consultation = Consultation.objects.get()
    action = consultation.actions.get()
    assert (action.kind, action.by, consultation.created_by) == ("schedule", superuser, superuser)
    assert consultation.start_date == start


def test_operator_closes_with_a_reason_through_the_service(client, superuser):
    consultation = ConsultationFactory()
    client.force_login(superuser)
    url = reverse("admin:participation_consultation_changelist")
    ask = client.post(url, {"action": "close_now", "_selected_action": [consultation.pk]})
    assert ask.status_code == 200 and "Begründung" in ask.content.decode()
    consultation.refresh_from_db()
    assert consultation.closed_at is None
    data = {"action": "close_now", "_selected_action": [consultation.pk], "apply": "1", "reason": "Fehler"}
    refused = client.post(url, data, follow=True)  # a § 3 Abs. 2 publication: the legal risk must be confirmed
    assert "§ 214 Abs. 1 Nr. 2" in refused.content.decode()
    consultation.refresh_from_db()
    assert consultation.closed_at is None and not consultation.actions.exists()
    client.post(url, {**data, "confirm_legal_risk": "on"})
    consultation.refresh_from_db()
    action = consultation.actions.get()
    assert consultation.closed_at is not None and (action.kind, action.by, action.reason) == (
        "close",
        superuser,
        "Fehler",
    )


def test_statement_admin_is_read_only_for_operators(client, superuser):
    statement = StatementFactory(comment="Original")
    client.force_login(superuser)
    url = reverse("admin:participation_statement_change", args=[statement.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="user_email"' not in page.content.decode()
    client.post(url, {"comment": "Geändert"})
    statement.refresh_from_db()
    assert statement.comment == "Original"


def test_drawn_area_must_lie_in_plan_area():
    consultation = ConsultationFactory()
    x0, y0, x1, y1 = consultation.plan.area.extent
    inside = json.dumps(
        {
            "type": "Polygon",
            "coordinates": [
                [[x0 + 0.001, y0 + 0.001], [x0 + 0.002, y0 + 0.001], [x0 + 0.002, y0 + 0.002], [x0 + 0.001, y0 + 0.001]]
            ],
        }
    )
    result = services.statement_submit(
        consultation=consultation,
        text="Fläche",
        name="A B",
        email="a@example.org",
        privacy_consent=True,
        public_opt_in=True,
        drawn_area=GEOSGeometry(inside, srid=4326),
    )
    assert result.statement.drawn_area is not None
    far = Polygon.from_bbox((x1 + 0.01, y1 + 0.01, x1 + 0.02, y1 + 0.02))
    far.srid = 4326
    with pytest.raises(ValidationError, match="außerhalb"):
        services.statement_submit(
            consultation=consultation,
            text="Fläche",
            name="A B",
            email="b@example.org",
            privacy_consent=True,
            public_opt_in=True,
            drawn_area=far,
        )


def test_reported_statement_appears_in_moderation_queue(client):
    statement = StatementFactory(comment="Gemeldeter Beitrag")
    client.post(reverse("participation:statement_flag", args=[statement.pk]), {"reason": "Werbung"})
    client.force_login(MembershipFactory(municipality=statement.consultation.plan.municipality, role="moderator").user)
    page = client.get(reverse("participation:staff_moderation", args=[statement.consultation.pk])).content.decode()
    assert "Gemeldete Beiträge (1)" in page and "Gemeldeter Beitrag" in page


def test_purge_one_ended_consultation():
    from plans.models import StageChange

    ended = ConsultationFactory(start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 2, 15))
    StageChange.objects.create(plan=ended.plan, stage="in_force", date=dt.date(2024, 9, 1))
    ended.plan.stage = "in_force"
    ended.plan.save()
    statement = StatementFactory(consultation=ended)
    call_command("purge_personal_data", "--consultation", ended.pk)
    statement.refresh_from_db()
    assert statement.user_email == "" and statement.comment


def test_reply_to_unpublished_statement_is_refused():
    consultation = ConsultationFactory(moderation="pre")
    pending = StatementFactory(consultation=consultation, is_public=False)
    with pytest.raises(ValidationError, match="nicht geantwortet"):
        services.statement_submit(
            consultation=consultation,
            text="Antwort",
            name="A B",
            email="a@example.org",
            privacy_consent=True,
            public_opt_in=True,
            parent=pending,
        )
