"""Raster plan drawings in an XPlan archive (image + world file) become an image layer on the plan map."""

import json
import re
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from pyproj import Transformer

from geodata.importers import ImportRejected
from geodata.models import Layer
from geodata.services import xplan_import
from plans.models import Plan
from plans.rules import SYSTEM
from tests.factories import MembershipFactory, MunicipalityFactory, square

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data" / "xplan"
GML = DATA / "bplan_texte_6_0.gml"
PNG, PGW = DATA / "planzeichnung.png", DATA / "planzeichnung.pgw"


@pytest.fixture
def usingen(db):
    return MunicipalityFactory(name="Stadt Usingen", slug="usingen", ags="06434011", boundary=square(8.45, 50.28, 0.2))


def archive(tmp_path, members: dict) -> Path:
    path = tmp_path / "plan.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, source in members.items():
            if isinstance(source, Path):
                zf.write(source, name)
            else:
                zf.writestr(name, source)
    return path


def world_file_bounds_4326():
    """The image's outer edges from its world file (pixel centres ± half a pixel), in EPSG:4326."""
    a, _d, _b, e, c, f = (float(v) for v in PGW.read_text().split())
    width, height = Image.open(PNG).size
    west, north = c - a / 2, f - e / 2
    east, south = west + a * width, north + e * height
    to_4326 = Transformer.from_crs("EPSG:25832", "EPSG:4326", always_xy=True)
    xs, ys = to_4326.transform([west, east, east, west], [south, south, north, north])
    return min(xs), min(ys), max(xs), max(ys)


def test_png_with_world_file_becomes_a_hidden_raster_layer_with_the_world_files_bounds(tmp_path, usingen):
    path = archive(
        tmp_path,
        {"plan.gml": GML, "planzeichnung.png": PNG, "planzeichnung.pgw": PGW, "planzeichnung.png.aux.xml": "<PAM/>"},
    )
    report = xplan_import(by=SYSTEM, path=path)
    layer = Layer.objects.get(plan_id=report.plan_id, kind=Layer.Kind.RASTER)
    assert layer.name == "Planzeichnung (Rasterbild)" and not layer.visible_by_default
    assert layer.source_crs == "EPSG:25832"
    west, south, east, north = layer.raster_bounds.extent
    expected = world_file_bounds_4326()
    pixel_lon, pixel_lat = 2 / 71_000, 2 / 111_000  # 2 m in degrees at 50° N
    assert west == pytest.approx(expected[0], abs=pixel_lon)
    assert east == pytest.approx(expected[2], abs=pixel_lon)
    assert south == pytest.approx(expected[1], abs=pixel_lat)
    assert north == pytest.approx(expected[3], abs=pixel_lat)
    with layer.raster_file.open("rb") as handle:
        image = Image.open(handle)
        image.load()
    assert image.format == "PNG" and image.mode in ("RGBA", "LA")
    assert 190 <= image.width <= 220 and 140 <= image.height <= 230
    assert any("Planzeichnung planzeichnung.png als Rasterbild übernommen" in note for note in report.notes)


def test_the_plan_page_shows_the_drawing_as_an_image_overlay_and_serves_it(client, tmp_path, usingen):
    report = xplan_import(by=SYSTEM, path=archive(tmp_path, {"p.gml": GML, "p.png": PNG, "p.pgw": PGW}))
    plan = Plan.objects.get(pk=report.plan_id)
    layer = plan.layers.get(kind=Layer.Kind.RASTER)
    url = f"/api/v1/layers/{layer.pk}/raster.png"
    assert client.get(url).status_code == 404  # draft plan
    client.force_login(MembershipFactory().user)  # staff of another municipality
    assert client.get(url).status_code == 404
    client.force_login(MembershipFactory(municipality=plan.municipality).user)
    assert client.get(url).status_code == 200
    client.logout()
    plan.status, plan.published_at = Plan.Status.PUBLISHED, timezone.now()
    plan.save()
    page = client.get(plan.get_absolute_url()).content.decode()
    config = json.loads(
        re.search(r'<script id="plan-layers-config" type="application/json">(.*?)</script>', page).group(1)
    )
    entry = next(item for item in config if item["id"] == layer.pk)
    assert entry["mode"] == "raster" and entry["visible"] is False
    assert entry["alt"] == "Planzeichnung (Rasterbild)"
    assert entry["bounds"] == pytest.approx(list(layer.raster_bounds.extent))
    assert f'id="layer-opacity-{layer.pk}"' in page and "Deckkraft" in page
    response = client.get(entry["url"])
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"


def test_reimport_puts_the_drawing_in_the_new_version_and_a_file_without_it_leaves_it_out(tmp_path, usingen):
    report = xplan_import(by=SYSTEM, path=archive(tmp_path, {"p.gml": GML, "p.png": PNG, "p.pgw": PGW}))
    layer = Layer.objects.get(plan_id=report.plan_id, kind=Layer.Kind.RASTER)
    Layer.objects.filter(pk=layer.pk).update(visible_by_default=True)  # staff chose to show it
    second = xplan_import(by=SYSTEM, path=archive(tmp_path, {"p.gml": GML, "p.png": PNG, "p.pgw": PGW}))
    plan = Plan.objects.get(pk=report.plan_id)
    drawing = plan.versions.get(number=2).layers.get(kind=Layer.Kind.RASTER)
    assert second.version_number == 2 and drawing.pk != layer.pk and drawing.current
    assert (drawing.order, drawing.visible_by_default) == (layer.order, True)  # in the place of the one it replaces
    assert list(plan.versions.get(number=1).layers.filter(kind=Layer.Kind.RASTER)) == [layer]  # version 1 kept
    layer.refresh_from_db()
    assert not layer.current and layer.raster_file
    xplan_import(by=SYSTEM, path=GML)
    assert not plan.versions.get(number=3).layers.filter(kind=Layer.Kind.RASTER).exists()
    assert not Layer.objects.filter(kind=Layer.Kind.RASTER, current=True).exists()


def test_image_without_world_file_is_left_out_with_a_note(tmp_path, usingen):
    report = xplan_import(by=SYSTEM, path=archive(tmp_path, {"p.gml": GML, "legende.png": PNG}))
    assert not Layer.objects.filter(kind=Layer.Kind.RASTER).exists()
    assert any("legende.png hat keine World-Datei" in note for note in report.notes)


def test_too_large_drawing_is_refused_with_a_clear_error_and_nothing_is_written(settings, tmp_path, usingen):
    settings.XPLAN_RASTER_MAX_PIXELS = 10_000  # the sample has 200 x 150
    with pytest.raises(ImportRejected) as error:
        xplan_import(by=SYSTEM, path=archive(tmp_path, {"p.gml": GML, "p.png": PNG, "p.pgw": PGW}))
    assert error.value.code == "raster_too_many_pixels"
    assert "hat zu viele Bildpunkte (200 × 150" in str(error.value)
    assert not Plan.objects.exists()


def test_unreadable_image_is_left_out_with_a_note_and_the_plan_imported(tmp_path, usingen):
    report = xplan_import(by=SYSTEM, path=archive(tmp_path, {"p.gml": GML, "p.png": b"not a png", "p.pgw": PGW}))
    assert Plan.objects.filter(pk=report.plan_id).exists()
    assert not Layer.objects.filter(kind=Layer.Kind.RASTER).exists()
    note = next(note for note in report.notes if "p.png" in note)
    assert "Das Bild p.png wurde nicht als Planzeichnung übernommen: Das Rasterbild konnte nicht gelesen werden" in note
    assert "/tmp" not in note
