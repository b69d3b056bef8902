"""Coordinates to the centimetre: one direct transformation, BETA2007 for DHDN, nothing rounded.

The control point is the published BeTA2007 test point of the BKG/AdV (BETA2007testdaten.csv,
also used by ProjNet's NTv2 tests): DHDN φ 53.5°, λ 7.483333333333° is ETRS89
φ 53.498461143331°, λ 7.482506019176°; in Gauß-Krüger zone 2 (EPSG:31466) it is
R 2598417.333192, H 5930677.980308, in UTM 32N (EPSG:25832) E 399340.601863, N 5928794.177992.
Its EPSG:31467 (zone 3) coordinates below are the same DHDN point projected with zone 3's
Gauß-Krüger parameters (a conversion on the Bessel ellipsoid, no datum change).
"""

import os
import zipfile
from io import StringIO
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pyproj.datadir
import pytest
import shapely
from django.core.checks import run_checks
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from pyproj import CRS, Geod, Transformer
from pyproj.transformer import TransformerGroup
from shapely.geometry import Point, Polygon

from geodata.errors import ExportError, ImportRejected
from geodata.exporters import layer_export
from geodata.models import Layer
from geodata.transform import transformation
from plans.models import Membership
from plans.rules import SYSTEM
from tests.factories import MembershipFactory, MunicipalityFactory, PlanFactory, square

pytestmark = pytest.mark.django_db

DHDN_POINT = (7.483333333333, 53.5)  # lon, lat on DHDN (EPSG:4314)
ETRS89_POINT = (7.482506019176, 53.498461143331)  # published BeTA2007 result (lon, lat)
GK2_POINT = (2598417.333192, 5930677.980308)  # EPSG:31466, published
UTM32_POINT = (399340.601863, 5928794.177992)  # EPSG:25832, published
GK3_POINT = (3399371.190396, 5930724.531321)  # EPSG:31467, DHDN_POINT projected (see docstring)

GEOD = Geod(ellps="GRS80")
CM = 0.01


def distance_m(a, b) -> float:
    """Return the ellipsoidal distance in metres between two lon/lat points."""
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def seven_parameter(source: int, target: int):
    """Return the best operation PROJ offers without any grid (the Helmert fallback)."""
    group = TransformerGroup(source, target, always_xy=True)
    return next(t for t in group.transformers if "grids=" not in t.definition)


@pytest.fixture
def leer(db):
    """A municipality around the control point (Ostfriesland)."""
    return MunicipalityFactory(name="Testgemeinde Leer", ags="03457999", boundary=square(7.40, 53.45, 0.2))


@pytest.fixture
def plan(leer):
    return PlanFactory(municipality=leer)


@pytest.fixture
def planner(plan):
    return MembershipFactory(municipality=plan.municipality, role=Membership.Role.PLANNER).user


@pytest.fixture
def without_grids():
    """Let PROJ see only pyproj's own data directory (no BETA2007), as on a server without proj-data."""
    original = pyproj.datadir.get_data_dir()
    pyproj.datadir.set_data_dir(original.split(os.pathsep)[0])
    yield
    pyproj.datadir.set_data_dir(original)


def test_gk3_zone_point_is_the_published_dhdn_point():
    """The zone 3 coordinates of the control point are a pure projection of the published DHDN point."""
    projection = Transformer.from_crs(4314, 31467, always_xy=True)
    assert "DHDN to" not in projection.description  # a conversion, no datum shift
    x, y = projection.transform(*DHDN_POINT)
    assert abs(x - GK3_POINT[0]) < 1e-4 and abs(y - GK3_POINT[1]) < 1e-4


@pytest.mark.parametrize("source", [31466, 31467, 31468, 4314])
def test_dhdn_uses_the_beta2007_grid(source):
    operation = transformation(CRS.from_epsg(source), CRS.from_epsg(4326))
    assert operation.grids == ("BETA2007",)
    assert "DHDN to WGS 84 (4)" in operation.description


def test_gk2_control_point_matches_published_utm_within_a_centimetre():
    operation = transformation(CRS.from_epsg(31466), CRS.from_epsg(25832))
    point = operation.transform([Point(GK2_POINT)])[0]
    assert abs(point.x - UTM32_POINT[0]) < CM and abs(point.y - UTM32_POINT[1]) < CM


def test_gk3_control_point_matches_published_etrs89_within_a_centimetre():
    operation = transformation(CRS.from_epsg(31467), CRS.from_epsg(4326), bounds=(*GK3_POINT, *GK3_POINT))
    point = operation.transform([Point(GK3_POINT)])[0]
    assert distance_m((point.x, point.y), ETRS89_POINT) < CM


def test_grid_result_differs_from_the_seven_parameter_result_by_more_than_ten_centimetres():
    """Proof that the grid is used: the Helmert fallback lands decimetres to metres elsewhere."""
    fallback = seven_parameter(31467, 4326)
    lon, lat = fallback.transform(*GK3_POINT)
    assert distance_m((lon, lat), ETRS89_POINT) > 0.10


def write_shapefile_zip(path: Path, frame: gpd.GeoDataFrame) -> Path:
    folder = path.parent / "shp"
    folder.mkdir()
    frame.to_file(folder / "grenzpunkte.shp", driver="ESRI Shapefile", engine="pyogrio")
    with zipfile.ZipFile(path, "w") as archive:
        for file in folder.iterdir():
            archive.write(file, file.name)
    return path


def gk3_frame() -> gpd.GeoDataFrame:
    x, y = GK3_POINT
    parcel = Polygon([(x, y), (x + 25.0, y), (x + 25.0, y + 40.0), (x, y + 40.0)])
    return gpd.GeoDataFrame({"name": ["Flurstück"]}, geometry=[parcel], crs="EPSG:31467")


def test_shapefile_in_31467_lands_within_a_centimetre_of_the_published_point(plan, tmp_path):
    """import_layer (the staff upload's service) stores the parcel corner where BETA2007 puts it."""
    path = write_shapefile_zip(tmp_path / "flurstueck.zip", gk3_frame())
    call_command("import_layer", plan.pk, str(path))
    layer = Layer.objects.get(plan=plan)
    corner = layer.features.get().geometry.coords[0][0]
    assert distance_m(corner, ETRS89_POINT) < CM
    # The old, grid-less path would have put it here: more than 10 cm off.
    assert distance_m(seven_parameter(31467, 4326).transform(*GK3_POINT), corner) > 0.10


def test_import_reports_the_transformation(plan, tmp_path):
    path = write_shapefile_zip(tmp_path / "flurstueck.zip", gk3_frame())
    out = StringIO()
    call_command("import_layer", plan.pk, str(path), stdout=out)
    assert "Koordinaten direkt von EPSG:31467 nach EPSG:4326 umgerechnet" in out.getvalue()
    assert "(Gitter BETA2007)" in out.getvalue()


def test_plan_area_from_31467_shapefile_lands_within_a_centimetre(client, plan, planner, tmp_path):
    path = write_shapefile_zip(tmp_path / "geltungsbereich.zip", gk3_frame())
    client.force_login(planner)
    upload = SimpleUploadedFile("geltungsbereich.zip", path.read_bytes())
    html = client.post(reverse("geodata:plan_area_upload", args=[plan.pk]), {"file": upload}).content.decode()
    assert 'id="plan-area-crs">EPSG:31467<' in html
    token = html.split('name="token" value="')[1].split('"')[0]
    client.post(reverse("geodata:plan_area_confirm", args=[plan.pk]), {"token": token})
    plan.refresh_from_db()
    vertices = shapely.get_coordinates(shapely.from_wkb(bytes(plan.area.wkb)))
    assert min(distance_m(tuple(v), ETRS89_POINT) for v in vertices) < CM


def test_geopackage_in_25832_round_trips_within_a_millimetre(plan, tmp_path):
    """Import a 25832 GeoPackage with sub-millimetre coordinates and export it in 25832 again."""
    x0, y0 = 399340.6018, 5928794.1779
    shapes = [
        Polygon([(x0 + 0.0004, y0 + 0.0007), (x0 + 31.2345, y0 + 0.0011), (x0 + 31.2349, y0 + 27.8761)]),
        Point(x0 + 12.3456, y0 + 7.8912),
    ]
    frame = gpd.GeoDataFrame({"nr": [1, 2]}, geometry=shapes, crs="EPSG:25832")
    source = tmp_path / "messpunkte.gpkg"
    frame.to_file(source, driver="GPKG", engine="pyogrio")
    call_command("import_layer", plan.pk, str(source))
    layer = Layer.objects.get(plan=plan)
    target = tmp_path / "export.gpkg"
    call_command("export_layer", layer.pk, "--format", "gpkg", "--crs", "EPSG:25832", "-o", str(target))
    back = pyogrio.read_dataframe(target)
    assert back.crs.to_epsg() == 25832
    for original, exported in zip(frame.geometry, back.sort_values("nr").geometry, strict=True):
        a, b = shapely.get_coordinates(original), shapely.get_coordinates(exported)
        assert a.shape == b.shape
        assert np.abs(a - b).max() < 0.001


def test_export_to_31467_uses_the_grid_back(plan, tmp_path):
    path = write_shapefile_zip(tmp_path / "flurstueck.zip", gk3_frame())
    call_command("import_layer", plan.pk, str(path))
    layer = Layer.objects.get(plan=plan)
    target = layer_export(layer=layer, fmt="gpkg", crs="EPSG:31467", path=tmp_path / "gk3.gpkg", by=SYSTEM).path
    corner = shapely.get_coordinates(pyogrio.read_dataframe(target).geometry)[0]
    assert abs(corner[0] - GK3_POINT[0]) < 0.001 and abs(corner[1] - GK3_POINT[1]) < 0.001


def test_import_without_the_grid_is_refused_and_writes_nothing(plan, tmp_path, without_grids):
    path = write_shapefile_zip(tmp_path / "flurstueck.zip", gk3_frame())
    with pytest.raises(CommandError, match="Transformationsgitter BETA2007"):
        call_command("import_layer", plan.pk, str(path))
    assert not Layer.objects.filter(plan=plan).exists()


def test_transformation_without_the_grid_raises_with_code(without_grids):
    with pytest.raises(ImportRejected) as info:
        transformation(CRS.from_epsg(31467), CRS.from_epsg(4326))
    assert info.value.code == "transformation_grid_missing"
    with pytest.raises(ExportError):
        transformation(CRS.from_epsg(4326), CRS.from_epsg(31467), error=ExportError)


def test_etrs89_needs_no_grid_even_without_system_data(without_grids):
    operation = transformation(CRS.from_epsg(25832), CRS.from_epsg(4326))
    assert operation.grids == ()


def test_system_check_warns_without_the_grid(without_grids):
    assert "geodata.W001" in [message.id for message in run_checks()]


def test_system_check_is_quiet_with_the_grid():
    assert "geodata.W001" not in [message.id for message in run_checks()]


def test_plan_area_upload_without_the_grid_shows_the_refusal(client, plan, planner, tmp_path, without_grids):
    path = write_shapefile_zip(tmp_path / "geltungsbereich.zip", gk3_frame())
    before = plan.area.wkt
    client.force_login(planner)
    upload = SimpleUploadedFile("geltungsbereich.zip", path.read_bytes())
    response = client.post(reverse("geodata:plan_area_upload", args=[plan.pk]), {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in html
    assert "fehlt auf dem Server das Transformationsgitter BETA2007" in html and 'name="token"' not in html
    plan.refresh_from_db()
    assert plan.area.wkt == before
