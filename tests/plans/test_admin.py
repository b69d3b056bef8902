"""Operators' admin: municipalities and roles editable by superusers; municipal staff get no admin."""

import pytest
from django.urls import reverse

from plans.models import Membership, Municipality
from tests.factories import MembershipFactory, MunicipalityFactory, PlanFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.org", "pw")


def plan_form_data(municipality, area, **extra):
    data = {
        "municipality": municipality.pk,
        "kind": "bplan",
        "number": "Nr. 1",
        "title": "Am Bach",
        "slug": "am-bach",
        "summary": "",
        "description": "",
        "area": area,
        "stage": "initiated",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "stage_changes-TOTAL_FORMS": "0",
        "stage_changes-INITIAL_FORMS": "0",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("ags,ok", [("06434011", True), ("6434011", False), ("064340111", False), ("0643401a", False)])
def test_ags_must_be_eight_digits(client, ags, ok):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    response = client.post(
        reverse("admin:plans_municipality_add"),
        {
            "name": "Usingen",
            "slug": "usingen",
            "ags": ags,
            "crs_epsg": 25832,
            "council_body": "Stadtverordnetenversammlung",
            "boundary": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    if ok:
        assert response.status_code == 302
        assert Municipality.objects.get().ags == "06434011"
    else:
        content = response.content.decode()
        assert "genau 8 Ziffern" in content or "höchstens 8 Zeichen" in content
        assert not Municipality.objects.exists()


def test_plan_and_document_admin_are_read_only_for_operators(client, superuser):
    plan = PlanFactory(title="Am Bach")
    client.force_login(superuser)
    change_url = reverse("admin:plans_plan_change", args=[plan.pk])
    assert client.get(change_url).status_code == 200
    client.post(change_url, plan_form_data(plan.municipality, plan.area.geojson, title="Übernommen", slug=plan.slug))
    plan.refresh_from_db()
    assert plan.title == "Am Bach"
    assert client.get(reverse("admin:plans_plan_add")).status_code == 403
    assert client.get(reverse("admin:plans_document_add")).status_code == 403


@pytest.mark.parametrize("role", [Membership.Role.PLANNER, Membership.Role.MODERATOR])
def test_municipal_staff_get_no_admin(client, role):
    membership = MembershipFactory(role=role, user__is_staff=True)
    plan = PlanFactory(municipality=membership.municipality)
    client.force_login(membership.user)
    for url in (
        reverse("admin:index"),
        reverse("admin:plans_plan_changelist"),
        reverse("admin:plans_plan_change", args=[plan.pk]),
        reverse("admin:plans_municipality_change", args=[membership.municipality.pk]),
        reverse("admin:login"),
    ):
        assert client.get(url).status_code == 403, url


def test_user_without_membership_gets_no_admin(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:plans_plan_changelist")).status_code == 403


def test_anonymous_admin_visitor_is_sent_to_the_staff_login(client):
    response = client.get(reverse("admin:plans_plan_changelist"))
    assert response.status_code == 302
    login = client.get(response["Location"])
    assert login.status_code == 302
    assert login["Location"].startswith(reverse("accounts:login") + "?next=/admin/plans/plan/")


def test_operator_assigns_a_role_in_the_admin(client, superuser):
    municipality = MunicipalityFactory()
    user = UserFactory()
    client.force_login(superuser)
    response = client.post(
        reverse("admin:plans_membership_add"), {"user": user.pk, "municipality": municipality.pk, "role": "moderator"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(user=user).role == "moderator"


def test_reserved_municipality_slug_is_refused(client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root", "root@example.org", "pw"))
    response = client.post(
        reverse("admin:plans_municipality_add"),
        {
            "name": "Verwaltung",
            "slug": "verwaltung",
            "ags": "06434099",
            "crs_epsg": 25832,
            "boundary": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert "ist für die Website reserviert" in response.content.decode()
    assert not Municipality.objects.exists()
