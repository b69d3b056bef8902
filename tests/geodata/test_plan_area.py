"""Geltungsbereich from a file: /verwaltung/plaene/<pk>/geltungsbereich/datei/ (upload → preview → confirm)."""

import json
import re
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from geodata.errors import ImportRejected
from geodata.services import plan_area_from_file
from plans.geometry import to_metric
from plans.models import Membership
from plans.rules import SYSTEM
from tests.factories import MembershipFactory, MunicipalityFactory, PlanFactory, square

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data" / "geodata"
UNION_M2 = 45_000  # two rectangles, 200 m x 150 m and 100 m x 150 m, side by side
XPLAN_M2 = 120_000  # the Geltungsbereich of bplan_5_4_epsg25832.gml, 400 m x 300 m


@pytest.fixture
def usingen(db):
    return MunicipalityFactory(name="Stadt Usingen", slug="usingen", ags="06434011", boundary=square(8.45, 50.28, 0.2))


@pytest.fixture
def plan(usingen):
    return PlanFactory(municipality=usingen)


@pytest.fixture
def planner(plan):
    return MembershipFactory(municipality=plan.municipality, role=Membership.Role.PLANNER).user


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (DATA / name).read_bytes())


def area_m2(plan) -> float:
    plan.refresh_from_db()
    return to_metric(plan.area, 25832).area


def token_of(html: str) -> str:
    return html.split('name="token" value="')[1].split('"')[0]


@pytest.mark.parametrize(
    "name, expected_m2, crs",
    [
        ("area_shapefile_25832.zip", UNION_M2, "EPSG:25832"),
        ("area_4326.geojson", UNION_M2, "EPSG:4326"),
        ("area_4326.kml", UNION_M2, "EPSG:4326"),
        ("bplan_5_4_epsg25832.gml", XPLAN_M2, "EPSG:25832"),
    ],
)
def test_upload_preview_confirm_sets_the_area(client, plan, planner, name, expected_m2, crs):
    client.force_login(planner)
    url = reverse("geodata:plan_area_upload", args=[plan.pk])
    before = area_m2(plan)
    page = client.get(url)
    assert page.status_code == 200 and 'id="plan-area-current"' in page.content.decode()

    response = client.post(url, {"file": upload(name)})
    html = response.content.decode()
    assert response.status_code == 200, html
    shown = int(re.search(r'id="plan-area-m2">([\d.]+) m²<', html).group(1).replace(".", ""))
    assert shown == pytest.approx(expected_m2, rel=1e-3)
    assert f'id="plan-area-crs">{crs}<' in html
    assert "zu einem Geltungsbereich vereinigt" in html or "Fläche übernommen" in html
    data = json.loads(re.search(r'id="plan-area-data"[^>]*>(.*?)</script>', html).group(1))
    assert data["new"]["type"] == "MultiPolygon" and data["current"]["type"] == "MultiPolygon"
    assert "plan_area_preview.js" in html
    assert area_m2(plan) == pytest.approx(before), "the preview must not change the plan"

    response = client.post(reverse("geodata:plan_area_confirm", args=[plan.pk]), {"token": token_of(html)})
    assert response.status_code == 302 and response.url == url
    assert area_m2(plan) == pytest.approx(expected_m2, rel=1e-6)
    follow = client.get(url).content.decode()
    assert "Der Geltungsbereich wurde aus" in follow


def test_gis_union_is_one_polygon_and_points_are_ignored(client, plan, planner):
    client.force_login(planner)
    html = client.post(reverse("geodata:plan_area_upload", args=[plan.pk]), {"file": upload("area_4326.geojson")})
    html = html.content.decode()
    assert "2 Flächen zu einem Geltungsbereich vereinigt" in html
    assert "1 Objekte ohne Fläche" in html
    client.post(reverse("geodata:plan_area_confirm", args=[plan.pk]), {"token": token_of(html)})
    plan.refresh_from_db()
    assert plan.area.num_geom == 1


def test_geopackage_with_several_layers_needs_the_layer(client, plan, planner):
    client.force_login(planner)
    url = reverse("geodata:plan_area_upload", args=[plan.pk])
    html = client.post(url, {"file": upload("area_31467.gpkg")}).content.decode()
    assert "mehrere Ebenen" in html and 'role="alert"' in html
    html = client.post(url, {"file": upload("area_31467.gpkg"), "layer_name": "geltungsbereich"}).content.decode()
    assert 'id="plan-area-crs">EPSG:31467<' in html
    client.post(reverse("geodata:plan_area_confirm", args=[plan.pk]), {"token": token_of(html)})
    assert area_m2(plan) == pytest.approx(UNION_M2, rel=1e-3)


@pytest.mark.parametrize(
    "name, message",
    [
        ("area_points_only.geojson", "enthält keine Flächen"),
        ("area_outside_usingen.geojson", "außerhalb der Gemeindegrenze"),
    ],
)
def test_bad_file_shows_the_error_and_changes_nothing(client, plan, planner, name, message):
    client.force_login(planner)
    before = area_m2(plan)
    response = client.post(reverse("geodata:plan_area_upload", args=[plan.pk]), {"file": upload(name)})
    html = response.content.decode()
    assert response.status_code == 200 and message in html and 'name="token"' not in html
    assert 'aria-describedby="id_file_helptext"' in html
    assert area_m2(plan) == pytest.approx(before)


def test_broken_file_gives_the_importer_error(client, plan, planner):
    client.force_login(planner)
    bad = SimpleUploadedFile("kaputt.geojson", b'{"type": "FeatureCollection", "feat')
    html = client.post(reverse("geodata:plan_area_upload", args=[plan.pk]), {"file": bad}).content.decode()
    assert "kein gültiges JSON" in html


def test_xplan_of_another_municipality_is_refused(client, planner, plan, tmp_path):
    text = (DATA / "bplan_5_4_epsg25832.gml").read_text().replace("06434011", "06434007")
    other = SimpleUploadedFile("fremd.gml", text.encode())
    client.force_login(planner)
    html = client.post(reverse("geodata:plan_area_upload", args=[plan.pk]), {"file": other}).content.decode()
    assert "passt nicht zu Stadt Usingen" in html


def test_confirm_with_forged_or_foreign_token_is_refused(client, plan, planner):
    client.force_login(planner)
    before = area_m2(plan)
    response = client.post(reverse("geodata:plan_area_confirm", args=[plan.pk]), {"token": "x:y:z"})
    assert response.status_code == 400
    other = PlanFactory(municipality=plan.municipality)
    html = client.post(
        reverse("geodata:plan_area_upload", args=[other.pk]), {"file": upload("area_4326.geojson")}
    ).content.decode()
    response = client.post(reverse("geodata:plan_area_confirm", args=[plan.pk]), {"token": token_of(html)})
    assert response.status_code == 400 and area_m2(plan) == pytest.approx(before)


@pytest.mark.parametrize("view", ["plan_area_upload", "plan_area_confirm"])
def test_only_the_planning_office_reaches_the_pages(client, plan, view):
    url = reverse(f"geodata:{view}", args=[plan.pk])
    response = client.post(url)
    assert response.status_code == 302 and "/verwaltung/anmelden/" in response.url
    client.force_login(MembershipFactory(role=Membership.Role.PLANNER).user)
    assert client.post(url).status_code == 404
    client.force_login(MembershipFactory(municipality=plan.municipality, role=Membership.Role.MODERATOR).user)
    assert client.post(url).status_code == 403


def test_service_checks_the_actor_first(plan):
    moderator = MembershipFactory(municipality=plan.municipality, role=Membership.Role.MODERATOR).user
    foreign = MembershipFactory(role=Membership.Role.PLANNER).user
    before = area_m2(plan)
    for user in (moderator, foreign):
        with pytest.raises(PermissionDenied):
            plan_area_from_file(plan=plan, by=user, path=DATA / "area_4326.geojson")
    with pytest.raises(TypeError):
        plan_area_from_file(plan=plan, by=None, path=DATA / "area_4326.geojson")
    assert area_m2(plan) == pytest.approx(before)


def test_service_refusals_carry_codes(plan, tmp_path):
    with pytest.raises(ImportRejected) as exc:
        plan_area_from_file(plan=plan, by=SYSTEM, path=DATA / "area_points_only.geojson")
    assert exc.value.code == "no_area"
    with pytest.raises(ImportRejected) as exc:
        plan_area_from_file(plan=plan, by=SYSTEM, path=DATA / "area_outside_usingen.geojson")
    assert exc.value.code == "invalid_plan_area"
    archive = tmp_path / "leer.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("liesmich.txt", "nichts")
    with pytest.raises(ImportRejected):
        plan_area_from_file(plan=plan, by=SYSTEM, path=archive)
    report = plan_area_from_file(plan=plan, by=SYSTEM, path=DATA / "area_shapefile_25832.zip")
    assert report.polygon_count == 2 and report.area_m2 == pytest.approx(UNION_M2, rel=1e-3)


def test_confirm_refused_by_the_model_shows_the_message_and_changes_nothing(client, plan, planner):
    client.force_login(planner)
    html = client.post(
        reverse("geodata:plan_area_upload", args=[plan.pk]), {"file": upload("area_4326.geojson")}
    ).content.decode()
    municipality = plan.municipality
    municipality.boundary = square(8.70, 50.28, 0.1)  # the boundary moved away meanwhile
    municipality.save()
    plan.area = square(8.72, 50.30, 0.01)
    plan.save()
    before = area_m2(plan)
    response = client.post(reverse("geodata:plan_area_confirm", args=[plan.pk]), {"token": token_of(html)})
    assert response.status_code == 400
    assert "außerhalb der Gemeindegrenze" in response.content.decode()
    assert "nicht geändert" in response.content.decode()
    assert area_m2(plan) == pytest.approx(before)
