"""Every consultation action checks the actor itself: planner, moderator, foreign planner, mixed roles, SYSTEM."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from participation import services
from participation.models import Consultation
from participation.periods import BERLIN
from plans.rules import SYSTEM

from ..factories import ConsultationFactory, MembershipFactory, PlanFactory, StatementFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 1, 10, 12, 0, tzinfo=BERLIN)
D = dt.date


@pytest.fixture
def world():
    """Two towns; `mixed` plans in the foreign town and only moderates in ours."""
    ours = PlanFactory()
    foreign = PlanFactory()
    mixed = MembershipFactory(municipality=foreign.municipality, role="planner").user
    MembershipFactory(municipality=ours.municipality, user=mixed, role="moderator")
    return {
        "plan": ours,
        "foreign_plan": foreign,
        "planner": MembershipFactory(municipality=ours.municipality, role="planner").user,
        "moderator": MembershipFactory(municipality=ours.municipality, role="moderator").user,
        "foreign_planner": MembershipFactory(municipality=foreign.municipality, role="planner").user,
        "mixed": mixed,
        "citizen": UserFactory(),
    }


def open_consultation(plan):
    return ConsultationFactory(plan=plan, start_date=D(2027, 1, 1), end_date=D(2027, 2, 15))


MANAGE_ACTIONS = {
    "create": lambda c, by: services.consultation_create(
        plan=c.plan, by=by, kind="early", start_date=D(2027, 2, 1), end_date=D(2027, 2, 10), at=NOW
    ),
    "update": lambda c, by: services.consultation_update(consultation=c, by=by, title="Neu", at=NOW),
    "schedule": lambda c, by: services.consultation_schedule(
        consultation=c, by=by, start_date=D(2027, 3, 1), end_date=D(2027, 3, 31), at=NOW
    ),
    "bekanntmachung": lambda c, by: services.bekanntmachung_record(
        consultation=c, by=by, date=D(2027, 1, 20), media=["gazette"], text="Text", at=NOW
    ),
    "open": lambda c, by: services.consultation_open(consultation=c, by=by, end_date=D(2027, 2, 28), at=NOW),
}
RUNNING_ACTIONS = {
    "extend": lambda c, by: services.consultation_extend(consultation=c, by=by, end_date=D(2027, 3, 1), at=NOW),
    "close": lambda c, by: services.consultation_close(
        consultation=c, by=by, reason="Fehler", confirm_legal_risk=True, at=NOW
    ),
    "paper": lambda c, by: services.paper_statement_create(
        consultation=c, by=by, text="Brief", channel="post", received_on=D(2027, 1, 5), at=NOW
    ),
}


@pytest.mark.parametrize("name", sorted(MANAGE_ACTIONS))
@pytest.mark.parametrize("who", ["moderator", "foreign_planner", "mixed", "citizen"])
def test_manage_actions_refuse_non_planners(world, name, who):
    consultation = ConsultationFactory(
        plan=world["plan"], start_date=D(2027, 2, 1), end_date=D(2027, 3, 1), bekanntmachung_date=None
    )
    with pytest.raises(PermissionDenied):
        MANAGE_ACTIONS[name](consultation, world[who])
    assert not consultation.actions.exists() and Consultation.objects.count() == 1


@pytest.mark.parametrize("name", sorted(MANAGE_ACTIONS))
@pytest.mark.parametrize("who", ["planner", "system"])
def test_manage_actions_allow_planner_and_system(world, name, who):
    kind = "early" if name == "open" else "publication"  # an announced publication opens on its start date
    consultation = ConsultationFactory(plan=world["plan"], kind=kind, start_date=D(2027, 2, 1), end_date=D(2027, 3, 1))
    MANAGE_ACTIONS[name](consultation, SYSTEM if who == "system" else world[who])


@pytest.mark.parametrize("name", sorted(RUNNING_ACTIONS))
def test_running_actions_refuse_moderator_and_mixed_but_allow_planner(world, name):
    consultation = open_consultation(world["plan"])
    for who in ("moderator", "foreign_planner", "mixed"):
        with pytest.raises(PermissionDenied):
            RUNNING_ACTIONS[name](consultation, world[who])
    RUNNING_ACTIONS[name](consultation, world["planner"])


def test_reopen_refuses_moderator(world):
    consultation = ConsultationFactory(plan=world["plan"], start_date=D(2026, 12, 1), end_date=D(2027, 1, 5))
    with pytest.raises(PermissionDenied):
        services.consultation_reopen(consultation=consultation, by=world["moderator"], reason="x", at=NOW)
    services.consultation_reopen(
        consultation=consultation, by=world["planner"], reason="x", end_date=D(2027, 2, 1), at=NOW
    )


def test_consultation_cannot_be_attached_to_a_foreign_plan(world):
    with pytest.raises(PermissionDenied):
        services.consultation_create(
            plan=world["foreign_plan"],
            by=world["planner"],
            kind="publication",
            start_date=D(2027, 3, 1),
            end_date=D(2027, 3, 31),
            at=NOW,
        )
    assert not Consultation.objects.exists()


def test_moderation_allowed_for_moderator_and_planner_not_for_foreign_or_citizen(world):
    statement = StatementFactory(consultation=open_consultation(world["plan"]))
    for who in ("foreign_planner", "citizen"):
        with pytest.raises(PermissionDenied):
            services.statement_moderate(statement=statement, by=world[who], action="approve")
    for who in ("moderator", "planner", "mixed"):
        services.statement_moderate(statement=statement, by=world[who], action="approve")


def test_none_is_never_an_actor(world):
    with pytest.raises(TypeError):
        services.consultation_open(consultation=open_consultation(world["plan"]), by=None)


# --- the same matrix over HTTP ----------------------------------------------------------------


def test_create_page_matrix(client, world):
    url = reverse("participation:staff_create", args=[world["plan"].pk])
    assert client.get(url).status_code == 302  # anonymous: to the login
    expected = {"planner": 200, "moderator": 403, "mixed": 403, "foreign_planner": 404}
    for who, status in expected.items():
        client.force_login(world[who])
        assert client.get(url).status_code == status, who
        response = client.post(
            url,
            {"kind": "early", "round": 1, "start_date": "2099-03-01", "end_date": "2099-03-05", "moderation": "pre"},
        )
        assert response.status_code == (302 if who == "planner" else status), who
    assert Consultation.objects.count() == 1


@pytest.mark.parametrize("name", ["staff_update", "staff_bekanntmachung", "staff_close"])
def test_manage_pages_matrix(client, world, name):
    consultation = ConsultationFactory(plan=world["plan"], start_date=D(2099, 3, 1), end_date=D(2099, 3, 31))
    url = reverse(f"participation:{name}", args=[consultation.pk])
    for who, status in {"moderator": 403, "mixed": 403, "foreign_planner": 404, "citizen": 404}.items():
        client.force_login(world[who])
        assert client.get(url).status_code == status, who
        assert client.post(url, {"reason": "x", "confirm_legal_risk": "on"}).status_code == status, who
    client.force_login(world["planner"])
    assert client.get(url).status_code == 200
    assert not consultation.actions.exists()


@pytest.mark.parametrize("action", ["open", "extend", "reopen"])
def test_period_action_matrix(client, world, action):
    consultation = ConsultationFactory(plan=world["plan"])
    url = reverse("participation:staff_action", args=[consultation.pk, action])
    for who, status in {"moderator": 403, "mixed": 403, "foreign_planner": 404}.items():
        client.force_login(world[who])
        assert client.post(url, {f"{action}-reason": "x", f"{action}-end_date": "2099-01-01"}).status_code == status
    assert not consultation.actions.exists()
