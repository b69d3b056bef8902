import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from plans import services
from plans.models import Membership, Plan
from tests.factories import DocumentFactory, MembershipFactory, MunicipalityFactory, PlanFactory, minimal_pdf, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner(client):
    membership = MembershipFactory(role=Membership.Role.PLANNER)
    client.force_login(membership.user)
    return membership


def upload(name="plan.pdf", content=None):
    return SimpleUploadedFile(name, content or minimal_pdf(), content_type="application/pdf")


def area_in(municipality):
    lon, lat = municipality.boundary.extent[:2]
    return square(lon + 0.02, lat + 0.02, 0.01)


def test_new_plan_form_offers_only_the_users_planner_municipalities(client, planner):
    moderated = MembershipFactory(user=planner.user, role=Membership.Role.MODERATOR).municipality
    foreign = MunicipalityFactory()
    content = client.get(reverse("plans:staff_plan_create")).content.decode()
    assert f'<option value="{planner.municipality.pk}"' in content
    assert f'<option value="{moderated.pk}"' not in content and f'<option value="{foreign.pk}"' not in content
    assert "leaflet.draw.js" in content and 'id="area-map-config"' in content

    response = client.post(
        reverse("plans:staff_plan_create"),
        {"municipality": moderated.pk, "kind": "bplan", "number": "1", "title": "T", "area": area_in(moderated).wkt},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["municipality"]
    assert not Plan.objects.exists()


def test_planner_creates_a_plan_with_the_text_alternative(client, planner):
    response = client.post(
        reverse("plans:staff_plan_create"),
        {
            "municipality": planner.municipality.pk,
            "kind": "bplan",
            "number": "Nr. 7",
            "title": "Schulstraße Süd",
            "summary": "Kurz",
            "area": area_in(planner.municipality).wkt,
        },
    )
    plan = Plan.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("plans:staff_plan", args=[plan.pk])
    assert (plan.slug, plan.status) == ("schulstrasse-sued", Plan.Status.DRAFT)


def test_drawn_area_is_used_when_the_text_field_is_empty(client, planner):
    client.post(
        reverse("plans:staff_plan_create"),
        {
            "municipality": planner.municipality.pk,
            "kind": "bplan",
            "number": "Nr. 8",
            "title": "Gezeichnet",
            "area_drawn": area_in(planner.municipality).json,
        },
    )
    assert Plan.objects.get().area.equals_exact(area_in(planner.municipality), 1e-9)


def test_area_outside_the_boundary_shows_the_message_on_the_form(client, planner):
    lon, lat = planner.municipality.boundary.extent[2:]
    response = client.post(
        reverse("plans:staff_plan_create"),
        {
            "municipality": planner.municipality.pk,
            "kind": "bplan",
            "number": "Nr. 9",
            "title": "Grenzfall",
            "area": square(lon - 0.005, lat - 0.005, 0.01).wkt,
        },
    )
    content = response.content.decode()
    assert "liegt teilweise außerhalb der Gemeindegrenze" in content
    assert 'aria-describedby="id_area_helptext id_area_error"' in content and 'id="id_area_error"' in content
    assert not Plan.objects.exists()


def test_edit_keeps_the_area_when_left_empty_and_changes_the_data(client, planner):
    plan = PlanFactory(municipality=planner.municipality, number="Nr. 1")
    area = plan.area
    response = client.post(
        reverse("plans:staff_plan_edit", args=[plan.pk]),
        {"kind": "vbplan", "number": "Nr. 1a", "title": "Neuer Titel", "summary": "", "description": "x"},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.kind, plan.number, plan.title) == ("vbplan", "Nr. 1a", "Neuer Titel")
    assert plan.area.equals_exact(area, 1e-9)


def test_cockpit_shows_data_stages_documents_and_links(client, planner, django_assert_max_num_queries):
    plan = PlanFactory(municipality=planner.municipality, status=Plan.Status.DRAFT)
    DocumentFactory(plan=plan, title="Planzeichnung")
    DocumentFactory(plan=plan, title="Begründung")
    plan.stage_changes.create(stage=Plan.Stage.INITIATED, date="2025-01-15", note="Beschluss")
    with django_assert_max_num_queries(10):  # 8 + the plan's versions + whether it has XPlan layers (XPlanGML link)
        response = client.get(reverse("plans:staff_plan", args=[plan.pk]))
    content = response.content.decode()
    assert "Fassungen der Plandaten" in content and "Noch keine Fassung" in content
    assert "Planzeichnung" in content and "Begründung" in content and "Beschluss" in content
    assert reverse("plans:staff_plan_publish", args=[plan.pk]) in content
    assert reverse("geodata:layer_import", args=[plan.pk]) in content
    assert f"/verwaltung/plaene/{plan.pk}/beteiligungen/neu/" in content
    assert f"/verwaltung/plaene/{plan.pk}/geltungsbereich/datei/" in content


def test_publish_and_unpublish_need_confirmation(client, planner):
    plan = PlanFactory(municipality=planner.municipality, status=Plan.Status.DRAFT, published_at=None)
    url = reverse("plans:staff_plan_publish", args=[plan.pk])
    assert "Jetzt veröffentlichen" in client.get(url).content.decode()
    response = client.post(url, {})
    assert response.status_code == 200 and response.context["form"].errors["confirm"]
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT
    client.post(url, {"confirm": "on"})
    plan.refresh_from_db()
    assert plan.is_public
    client.post(reverse("plans:staff_plan_unpublish", args=[plan.pk]), {"confirm": "on"})
    plan.refresh_from_db()
    assert plan.status == Plan.Status.WITHDRAWN


def test_stage_form_records_a_step_and_shows_the_future_date_error(client, planner):
    plan = PlanFactory(municipality=planner.municipality)
    url = reverse("plans:staff_stage", args=[plan.pk])
    today = timezone.localdate()
    response = client.post(url, {"stage": "adopted", "date": (today + dt.timedelta(days=3)).isoformat(), "note": ""})
    assert response.status_code == 200
    assert "liegt in der Zukunft" in response.content.decode()
    client.post(url, {"stage": "adopted", "date": today.isoformat(), "note": "Sitzung"})
    plan.refresh_from_db()
    assert plan.stage == Plan.Stage.ADOPTED


def test_document_upload_replace_move_and_withdraw_over_http(client, planner):
    plan = PlanFactory(municipality=planner.municipality)
    upload_url = reverse("plans:staff_document_upload", args=[plan.pk])
    client.post(upload_url, {"title": "Planzeichnung", "kind": "drawing", "file": upload("a.pdf")})
    client.post(upload_url, {"title": "Begründung", "kind": "justification", "file": upload("b.pdf")})
    response = client.post(upload_url, {"title": "Bild", "kind": "other", "file": upload("c.pdf", b"GIF89a")})
    assert "kein gültiges PDF" in response.content.decode()
    first, second = plan.documents.current()

    client.post(reverse("plans:staff_document_move", args=[plan.pk, second.pk]), {"direction": "up"})
    assert list(plan.documents.current().values_list("title", flat=True)) == ["Begründung", "Planzeichnung"]

    client.post(reverse("plans:staff_document_replace", args=[plan.pk, first.pk]), {"file": upload("a.pdf")})
    first.refresh_from_db()
    assert first.online_until is not None and first.replaced_by.get().is_current

    withdraw_url = reverse("plans:staff_document_withdraw", args=[plan.pk, second.pk])
    response = client.post(withdraw_url, {"reason": "Falsche Datei"})
    assert response.context["form"].errors["confirm"]
    client.post(withdraw_url, {"reason": "Falsche Datei", "confirm": "on"})
    second.refresh_from_db()
    assert second.withdrawn_reason == "Falsche Datei"


def test_public_page_lists_current_documents_and_earlier_versions(client):
    plan = PlanFactory()
    user = MembershipFactory(municipality=plan.municipality).user
    old = DocumentFactory(plan=plan, title="Begründung")
    new = services.document_replace(document=old, by=user, file=upload("begruendung.pdf"))
    withdrawn = DocumentFactory(plan=plan, title="Gutachten Lärm")
    services.document_withdraw(document=withdrawn, by=user, reason="Veraltete Fassung mit Fehlern")
    content = client.get(plan.get_absolute_url()).content.decode()
    url = lambda d: reverse("plans:document", args=[plan.municipality.slug, plan.slug, d.pk])  # noqa: E731
    assert "Frühere Fassungen" in content
    assert url(new) in content and url(old) in content and url(withdrawn) not in content
    assert "Veraltete Fassung mit Fehlern" in content
    assert client.get(url(old)).status_code == 200
    assert client.get(url(withdrawn)).status_code == 404
    client.force_login(user)
    assert client.get(url(withdrawn)).status_code == 200


def test_dashboard_links_the_cockpit_and_new_plan(client, planner):
    plan = PlanFactory(municipality=planner.municipality)
    content = client.get(reverse("plans:staff_dashboard")).content.decode()
    assert reverse("plans:staff_plan", args=[plan.pk]) in content
    assert reverse("plans:staff_plan_create") in content
    assert "/admin/plans/plan/" not in content


def test_start_page_map_starts_from_the_municipality_extent(client):
    plan = PlanFactory()
    config = client.get(reverse("plans:municipality", args=[plan.municipality.slug])).context["map_config"]
    minx, miny, maxx, maxy = plan.municipality.boundary.extent
    assert config["bounds"] == [[miny, minx], [maxy, maxx]]
    assert "center" in client.get(reverse("plans:map")).context["map_config"]
