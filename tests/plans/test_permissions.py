"""Tenant × role matrix for the plan cockpit: over HTTP for every staff page, directly for every service."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from plans import services
from plans.models import Membership, Plan
from tests.factories import (
    DocumentFactory,
    MembershipFactory,
    MunicipalityFactory,
    PlanFactory,
    UserFactory,
    minimal_pdf,
)

pytestmark = pytest.mark.django_db

PAGES = [
    ("plans:staff_plan", "get", {}),
    ("plans:staff_plan_edit", "get", {}),
    ("plans:staff_plan_publish", "get", {}),
    ("plans:staff_plan_unpublish", "post", {"confirm": "on"}),
    ("plans:staff_stage", "post", {"stage": "adopted", "date": "2025-01-01"}),
    ("plans:staff_document_upload", "post", {"title": "T", "kind": "other"}),
    ("plans:staff_document_move", "post", {"direction": "down"}),
    ("plans:staff_document_replace", "get", {}),
    ("plans:staff_document_withdraw", "post", {"reason": "x", "confirm": "on"}),
]


@pytest.fixture
def world():
    """Town A and town B; a mixed user is planner in A and moderator in B."""
    a, b = MunicipalityFactory(), MunicipalityFactory()
    mixed = UserFactory(username="gemischt")
    MembershipFactory(user=mixed, municipality=a, role=Membership.Role.PLANNER)
    MembershipFactory(user=mixed, municipality=b, role=Membership.Role.MODERATOR)
    plans = {town: PlanFactory(municipality=town) for town in (a, b)}
    documents = {town: DocumentFactory(plan=plans[town]) for town in (a, b)}
    return {"a": a, "b": b, "mixed": mixed, "plans": plans, "documents": documents}


def url_for(name, plan, document):
    if "document_" in name and name != "plans:staff_document_upload":
        return reverse(name, args=[plan.pk, document.pk])
    return reverse(name, args=[plan.pk])


def request(client, name, method, data, plan, document):
    return getattr(client, method)(url_for(name, plan, document), data)


@pytest.mark.parametrize(("name", "method", "data"), PAGES)
def test_anonymous_is_sent_to_login(client, world, name, method, data):
    town = world["a"]
    response = request(client, name, method, data, world["plans"][town], world["documents"][town])
    assert response.status_code == 302 and "/verwaltung/anmelden/" in response["Location"]


@pytest.mark.parametrize(("name", "method", "data"), PAGES)
def test_moderator_gets_403_foreign_planner_404(client, world, name, method, data):
    town = world["b"]
    plan, document = world["plans"][town], world["documents"][town]
    client.force_login(world["mixed"])  # moderator in B
    assert request(client, name, method, data, plan, document).status_code == 403
    client.force_login(MembershipFactory(role=Membership.Role.PLANNER).user)  # planner elsewhere
    assert request(client, name, method, data, plan, document).status_code == 404
    plan.refresh_from_db()
    assert plan.status == Plan.Status.PUBLISHED and plan.documents.current().count() == 1


@pytest.mark.parametrize(("name", "method", "data"), PAGES)
def test_mixed_user_manages_the_town_where_they_plan(client, world, name, method, data):
    town = world["a"]
    client.force_login(world["mixed"])
    response = request(client, name, method, data, world["plans"][town], world["documents"][town])
    assert response.status_code in (200, 302)


def test_new_plan_page_is_403_for_moderators_only_and_login_for_anonymous(client, world):
    url = reverse("plans:staff_plan_create")
    assert "/verwaltung/anmelden/" in client.get(url)["Location"]
    client.force_login(MembershipFactory(role=Membership.Role.MODERATOR).user)
    assert client.get(url).status_code == 403
    client.force_login(world["mixed"])
    assert client.get(url).status_code == 200


def service_calls(plan, document):
    """Each plan service with valid arguments except the actor."""
    area = plan.area
    return {
        "plan_create": lambda by: services.plan_create(
            municipality=plan.municipality, by=by, kind="bplan", number="1", title="T", area=area
        ),
        "plan_update": lambda by: services.plan_update(plan=plan, by=by, title="Geändert"),
        "plan_publish": lambda by: services.plan_publish(plan=plan, by=by),
        "plan_unpublish": lambda by: services.plan_unpublish(plan=plan, by=by),
        "plan_stage_record": lambda by: services.plan_stage_record(
            plan=plan, by=by, stage="adopted", date=timezone.localdate(), note=""
        ),
        "document_upload": lambda by: services.document_upload(
            plan=plan, by=by, title="T", kind="other", file=ContentFile(minimal_pdf(), name="t.pdf")
        ),
        "document_replace": lambda by: services.document_replace(
            document=document, by=by, file=ContentFile(minimal_pdf(), name="t.pdf")
        ),
        "document_reorder": lambda by: services.document_reorder(plan=plan, by=by, order=[document.pk]),
        "document_withdraw": lambda by: services.document_withdraw(document=document, by=by, reason="x"),
    }


def test_services_refuse_moderators_and_foreign_planners(world):
    town = world["b"]
    plan, document = world["plans"][town], world["documents"][town]
    outsider = MembershipFactory(role=Membership.Role.PLANNER).user
    for call in service_calls(plan, document).values():
        for actor in (world["mixed"], outsider):
            with pytest.raises(PermissionDenied):
                call(actor)
    plan.refresh_from_db()
    assert (plan.title, plan.status, plan.stage_changes.count()) != ("Geändert", Plan.Status.WITHDRAWN, 1)
    assert plan.documents.count() == 1 and Plan.objects.filter(municipality=town).count() == 1
    with pytest.raises(TypeError):
        services.plan_update(plan=plan, by=None, title="x")


def test_services_let_the_mixed_user_manage_their_planner_town(world):
    town = world["a"]
    plan, document = world["plans"][town], world["documents"][town]
    calls = service_calls(plan, document)
    for name in ("plan_update", "plan_unpublish", "plan_publish", "plan_stage_record", "document_reorder"):
        calls[name](world["mixed"])
    calls["document_replace"](world["mixed"])
    assert Plan.objects.filter(municipality=town).count() == 1
    calls["plan_create"](world["mixed"])
    assert Plan.objects.filter(municipality=town).count() == 2
