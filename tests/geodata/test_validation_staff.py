"""The Prüfbericht as staff meet it: in the XPlanGML preview, on the import report and before publishing."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from geodata.models import ImportRun, PlanVersion
from geodata.services import plan_version_validation_override, validation_for_version
from plans import services as plan_services
from plans.models import Membership, Plan
from plans.rules import SYSTEM
from tests.factories import MembershipFactory, MunicipalityFactory, PlanFactory, square

from .validation_samples import X0, Y0, area_member, box, xplan_document

pytestmark = pytest.mark.django_db

DUPLICATE_POINT_RING = [(0, 0), (100, 0), (100, 0), (100, 100), (0, 100), (0, 0)]
GAP_FILE = xplan_document(
    [area_member("GML_a", DUPLICATE_POINT_RING), area_member("GML_b", box(110, 0, 200, 100))]
).encode()


@pytest.fixture
def usingen(db):
    return MunicipalityFactory(name="Usingen", slug="usingen", ags="06434011", boundary=square(8.45, 50.28, 0.2))


@pytest.fixture
def planner(client, usingen):
    user = MembershipFactory(municipality=usingen, role=Membership.Role.PLANNER).user
    client.force_login(user)
    return user


def upload(client, usingen, content, capture) -> ImportRun:
    with capture(execute=True):
        response = client.post(
            reverse("geodata:xplan_import"),
            {"file": SimpleUploadedFile("riedborn.gml", content), "municipality": usingen.pk},
        )
    run = ImportRun.objects.order_by("-pk").first()
    assert response.status_code == 302 and response.url == reverse("geodata:import_run", args=[run.pk])
    run.refresh_from_db()
    return run


def test_preview_lists_every_problem_with_a_map_link_before_anything_is_written(
    client, usingen, planner, django_capture_on_commit_callbacks
):
    run = upload(client, usingen, GAP_FILE, django_capture_on_commit_callbacks)
    assert run.status == ImportRun.Status.READY, run.error
    assert not Plan.objects.exists()
    page = client.get(reverse("geodata:import_run", args=[run.pk])).content.decode()
    assert "Prüfbericht" in page and "1 Fehler, 1 Warnung" in page and "Neuer Plan" in page
    errors_at, warnings_at = page.index("validation-problem--error"), page.index("validation-problem--warning")
    assert errors_at < warnings_at  # errors first
    assert "GML_bereich (BP_Bereich)" in page and "Lücke von 1.000,0 m²" in page
    assert "GML_a (BP_BaugebietsTeilFlaeche)" in page and "zweimal hintereinander" in page
    buttons = re.findall(r'<button type="button" class="validation-show" data-lon="([\d.]+)" data-lat="([\d.]+)"', page)
    assert len(buttons) == 2 and page.count("Auf der Karte zeigen") == 2
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True).transform(*map(float, buttons[0]))
    assert 100 < x - X0 < 110 and 0 < y - Y0 < 100  # the gap's button centres the map within the gap
    assert "validation_map.js" not in page and "import_preview.js" in page  # our module, loaded by the preview


def test_confirmed_import_keeps_the_report(client, usingen, planner, django_capture_on_commit_callbacks):
    run = upload(client, usingen, GAP_FILE, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("geodata:import_run_confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    assert [p["code"] for p in run.report["validation"]["errors"]] == ["flaechenschluss_gap"]
    page = client.get(reverse("geodata:import_run", args=[run.pk])).content.decode()
    assert "Lücke von 1.000,0 m²" in page and reverse("geodata:plan_validation", args=[run.plan.pk]) in page


def test_a_broken_file_is_still_refused_in_the_preview(client, usingen, planner, django_capture_on_commit_callbacks):
    run = upload(client, usingen, GAP_FILE[:-40], django_capture_on_commit_callbacks)
    assert run.status == ImportRun.Status.FAILED and "kein gültiges XML" in run.error


def imported_plan_with_version(client, usingen, capture) -> tuple[Plan, PlanVersion]:
    run = upload(client, usingen, GAP_FILE, capture)
    with capture(execute=True):
        client.post(reverse("geodata:import_run_confirm", args=[run.pk]))
    run.refresh_from_db()
    plan = run.plan
    version = PlanVersion.objects.filter(plan=plan).first() or PlanVersion.objects.create(
        plan=plan, number=1, import_run=run, source_name=run.file_name
    )
    return plan, validation_for_version(version=version, validation=run.report["validation"])


def test_errors_block_publication_until_staff_give_a_reason(
    client, usingen, planner, django_capture_on_commit_callbacks
):
    plan, version = imported_plan_with_version(client, usingen, django_capture_on_commit_callbacks)
    publish = reverse("plans:staff_plan_publish", args=[plan.pk])
    response = client.post(publish, {"confirm": "on"}, follow=True)
    assert "Der Prüfbericht der aktuellen Fassung (1. Fassung) enthält 1 Fehler" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status != Plan.Status.PUBLISHED

    url = reverse("geodata:plan_validation", args=[plan.pk])
    page = client.get(url).content.decode()
    assert "Lücke von 1.000,0 m²" in page and "Auf der Karte zeigen" in page and "Trotz Fehlern veröffentlichen" in page
    response = client.post(url, {"reason": "   "})
    assert response.status_code == 200 and "Bitte begründen Sie" in response.content.decode()
    version.refresh_from_db()
    assert version.validation_override_reason == ""

    reason = "Die Lücke ist ein Graben, der im nächsten Verfahrensschritt festgesetzt wird."
    assert client.post(url, {"reason": reason}).status_code == 302
    version.refresh_from_db()
    assert version.validation_override_reason == reason and version.validation_override_by == planner
    assert reason in client.get(url).content.decode()
    layers_page = client.get(reverse("geodata:layer_import", args=[plan.pk])).content.decode()
    assert "Prüfbericht der 1. Fassung: 1 Fehler, 1 Warnung – Veröffentlichung trotz Fehlern begründet." in layers_page
    client.post(publish, {"confirm": "on"})
    plan.refresh_from_db()
    assert plan.status == Plan.Status.PUBLISHED


def test_override_service_rules(usingen):
    plan = PlanFactory(municipality=usingen, status=Plan.Status.DRAFT)
    version = PlanVersion.objects.create(plan=plan, number=1)
    clean = validation_for_version(
        version=version, validation={"errors": [], "warnings": [{"code": "duplicate_point"}]}
    )
    with pytest.raises(ValidationError) as refused:
        plan_version_validation_override(version=clean, by=SYSTEM, reason="Warum nicht")
    assert refused.value.code == "nothing_to_override"
    plan_services.plan_publish(plan=plan, by=SYSTEM)  # warnings never block
    other = PlanFactory(municipality=usingen, status=Plan.Status.DRAFT)
    faulty = PlanVersion.objects.create(plan=other, number=1, validation={"errors": [{"code": "outside_area"}]})
    moderator = MembershipFactory(municipality=usingen, role=Membership.Role.MODERATOR).user
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        plan_version_validation_override(version=faulty, by=moderator, reason="Passt schon")
    with pytest.raises(ValidationError) as refused:
        plan_services.plan_publish(plan=other, by=SYSTEM)
    assert refused.value.code == "validation_errors"


def test_only_the_current_version_counts(usingen):
    plan = PlanFactory(municipality=usingen, status=Plan.Status.DRAFT)
    PlanVersion.objects.create(plan=plan, number=1, validation={"errors": [{"code": "outside_area"}]})
    PlanVersion.objects.create(plan=plan, number=2, validation={"errors": [], "warnings": []})
    plan_services.plan_publish(plan=plan, by=SYSTEM)
    plan.refresh_from_db()
    assert plan.status == Plan.Status.PUBLISHED


def test_report_page_without_versions(client, usingen, planner):
    plan = PlanFactory(municipality=usingen, status=Plan.Status.DRAFT)
    page = client.get(reverse("geodata:plan_validation", args=[plan.pk])).content.decode()
    assert "noch keine Fassung" in page
    assert client.post(reverse("geodata:plan_validation", args=[plan.pk]), {"reason": "x"}).status_code == 200
