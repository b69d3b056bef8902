"""Admin editing: validation errors in German, nothing saved; staff scoped to their municipalities."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.models import Document, Membership, Municipality, Plan
from tests.factories import MembershipFactory, MunicipalityFactory, PlanFactory, minimal_pdf

pytestmark = pytest.mark.django_db

SELF_INTERSECTING = (
    '{"type": "MultiPolygon", "coordinates": [[[[8.0, 50.0], [8.01, 50.01], [8.01, 50.0], [8.0, 50.01], [8.0, 50.0]]]]}'
)


@pytest.fixture
def planner(client):
    membership = MembershipFactory(role=Membership.Role.PLANNER)
    client.force_login(membership.user)
    return membership


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


def inside_area(municipality):
    minx, miny, *_ = municipality.boundary.extent
    x, y = minx + 0.01, miny + 0.01
    ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
    return json.dumps({"type": "MultiPolygon", "coordinates": [[ring]]})


def test_planner_creates_plan_in_own_municipality(client, planner):
    response = client.post(
        reverse("admin:plans_plan_add"), plan_form_data(planner.municipality, inside_area(planner.municipality))
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Plan.objects.get().municipality == planner.municipality


def test_self_intersecting_area_is_refused_in_german(client, planner):
    response = client.post(reverse("admin:plans_plan_add"), plan_form_data(planner.municipality, SELF_INTERSECTING))
    assert response.status_code == 200
    assert "Die Geometrie ist ungültig" in response.content.decode()
    assert not Plan.objects.exists()


def test_area_outside_municipality_is_refused(client, planner):
    outside = '{"type": "MultiPolygon", "coordinates": [[[[2.0, 40.0], [2.01, 40.0], [2.01, 40.01], [2.0, 40.0]]]]}'
    response = client.post(reverse("admin:plans_plan_add"), plan_form_data(planner.municipality, outside))
    assert "außerhalb der Gemeindegrenze" in response.content.decode()
    assert not Plan.objects.exists()


def test_planner_cannot_assign_plan_to_foreign_municipality(client, planner):
    foreign = MunicipalityFactory()
    response = client.post(reverse("admin:plans_plan_add"), plan_form_data(foreign, inside_area(foreign)))
    assert response.status_code == 200
    assert not Plan.objects.exists()


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


@pytest.mark.parametrize(
    "name,content,error",
    [
        ("plan.pdf", b"GIF89a not a pdf", "kein gültiges PDF"),
        ("plan.exe", minimal_pdf(), "Dateiendung"),
        ("gross.pdf", minimal_pdf() + b"0" * (1024 * 1024 + 10), "zu groß"),
    ],
)
def test_bad_documents_are_refused(client, planner, settings, name, content, error):
    settings.MAX_DOCUMENT_SIZE_MB = 1
    plan = PlanFactory(municipality=planner.municipality)
    response = client.post(
        reverse("admin:plans_document_add"),
        {
            "plan": plan.pk,
            "title": "Begründung",
            "kind": "justification",
            "order": 0,
            "online_since_0": "01.01.2026",
            "online_since_1": "10:00:00",
            "file": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Document.objects.exists()


def test_valid_pdf_is_saved_with_size(client, planner):
    plan = PlanFactory(municipality=planner.municipality)
    response = client.post(
        reverse("admin:plans_document_add"),
        {
            "plan": plan.pk,
            "title": "Begründung",
            "kind": "justification",
            "order": 0,
            "online_since_0": "01.01.2026",
            "online_since_1": "10:00:00",
            "file": SimpleUploadedFile("begruendung.pdf", minimal_pdf()),
        },
    )
    assert response.status_code == 302
    assert Document.objects.get().size == len(minimal_pdf())


ROLES = [Membership.Role.PLANNER, Membership.Role.MODERATOR]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("own", [True, False])
def test_permission_matrix_for_plan_admin(client, role, own):
    """Staff see and change only their own municipality's plans; moderators only view."""
    membership = MembershipFactory(role=role)
    plan = PlanFactory(municipality=membership.municipality if own else MunicipalityFactory())
    client.force_login(membership.user)
    changelist = client.get(reverse("admin:plans_plan_changelist")).content.decode()
    change_url = reverse("admin:plans_plan_change", args=[plan.pk])
    detail = client.get(change_url)
    post = client.post(
        change_url, plan_form_data(plan.municipality, plan.area.geojson, title="Übernommen", slug=plan.slug)
    )
    plan.refresh_from_db()
    if own:
        assert plan.title in changelist or plan.title == "Übernommen"
        assert detail.status_code == 200
    else:
        assert plan.title not in changelist
        assert detail.status_code == 302  # admin redirects missing objects to the index
    changed = plan.title == "Übernommen"
    assert changed == (own and role == Membership.Role.PLANNER)
    assert post.status_code in (200, 302, 403)


def test_user_without_membership_gets_no_admin_modules(client):
    from tests.factories import UserFactory

    user = UserFactory(is_staff=True)
    client.force_login(user)
    assert client.get(reverse("admin:plans_plan_changelist")).status_code == 403


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
