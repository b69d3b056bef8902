import pytest
from django.urls import reverse

from plans.models import Membership
from tests.factories import ConsultationFactory, MembershipFactory, PlanFactory

pytestmark = pytest.mark.django_db


def test_dashboard_requires_login(client):
    response = client.get(reverse("plans:staff_dashboard"))
    assert response.status_code == 302
    assert "/verwaltung/anmelden/" in response["Location"]


def test_dashboard_lists_only_own_municipalities_with_work_links(client):
    membership = MembershipFactory(role=Membership.Role.PLANNER)
    own = ConsultationFactory(plan=PlanFactory(municipality=membership.municipality, title="Eigener Plan"))
    PlanFactory(title="Fremder Plan")
    client.force_login(membership.user)
    content = client.get(reverse("plans:staff_dashboard")).content.decode()
    assert "Eigener Plan" in content and "Fremder Plan" not in content
    assert reverse("geodata:layer_import", args=[own.plan.pk]) in content
    assert reverse("participation:staff_detail", args=[own.pk]) in content
    assert reverse("workbench:table", args=[own.pk]) in content


def test_moderator_sees_no_edit_links(client):
    membership = MembershipFactory(role=Membership.Role.MODERATOR)
    plan = PlanFactory(municipality=membership.municipality)
    client.force_login(membership.user)
    content = client.get(reverse("plans:staff_dashboard")).content.decode()
    assert plan.title in content
    assert reverse("geodata:layer_import", args=[plan.pk]) not in content


def test_start_page_marks_plans_open_for_comments(client):
    open_plan = ConsultationFactory(plan=PlanFactory(title="Offen")).plan
    PlanFactory(title="Ruhend")
    content = client.get(reverse("plans:map")).content.decode()
    assert content.count("Beteiligung läuft") == 1
    assert f"{open_plan.get_absolute_url()}#beteiligung" in content
