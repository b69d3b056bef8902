import io
import zipfile

import geopandas as gpd
import pyogrio
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from geodata.crs import parse_crs
from geodata.errors import ExportError
from geodata.exporters import layer_export
from geodata.models import Feature
from plans.rules import SYSTEM
from tests.factories import FeatureFactory, LayerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def layer():
    layer = LayerFactory(name="Baufelder Nord")
    FeatureFactory.create_batch(3, layer=layer)
    FeatureFactory(
        layer=layer,
        properties={"name": "Sonderfall", "grz": 0.6, "geschosse": 3, "Nutzung (Art)": "WA", "extra": {"a": [1, 2]}},
    )
    return layer


def test_gpkg_export_has_crs_count_and_attributes(layer, tmp_path):
    path = layer_export(by=SYSTEM, layer=layer, fmt="gpkg", crs="EPSG:25832", path=tmp_path / "out.gpkg").path
    frame = gpd.read_file(path)
    assert frame.crs.to_epsg() == 25832
    assert len(frame) == 4
    assert {"feature_id", "source_id", "name", "grz", "geschosse", "Nutzung_Art", "extra"} <= set(frame.columns)
    special = frame[frame["name"] == "Sonderfall"].iloc[0]
    assert special["grz"] == 0.6
    assert special["extra"] == '{"a":[1,2]}'
    # Coordinates are metric (UTM 32N), not degrees.
    assert frame.total_bounds[0] > 100_000
    assert pyogrio.list_layers(path)[0][0] == "Baufelder_Nord"


def test_geojson_export_in_wgs84(layer, tmp_path):
    path = layer_export(by=SYSTEM, layer=layer, fmt="geojson", crs="4326", path=tmp_path / "out.geojson").path
    frame = gpd.read_file(path)
    assert frame.crs.to_epsg() == 4326
    assert len(frame) == 4
    assert frame["geschosse"].tolist().count(2) == 3


def test_shapefile_export_splits_geometry_kinds(layer, tmp_path):
    from django.contrib.gis.geos import Point

    Feature.objects.create(layer=layer, geometry=Point(8.01, 50.01, srid=4326), properties={"name": "Baum"})
    path = layer_export(by=SYSTEM, layer=layer, fmt="shp", crs="EPSG:25832", path=tmp_path / "out.zip").path
    names = zipfile.ZipFile(path).namelist()
    assert "Baufelder_Nord_polygons.shp" in names and "Baufelder_Nord_points.shp" in names
    polygons = gpd.read_file(f"/vsizip/{path}/Baufelder_Nord_polygons.shp")
    points = gpd.read_file(f"/vsizip/{path}/Baufelder_Nord_points.shp")
    assert polygons.crs.to_epsg() == 25832
    assert (len(polygons), len(points)) == (4, 1)
    assert points.iloc[0]["name"] == "Baum"
    assert all(len(column) <= 10 for column in polygons.columns)


def test_unknown_crs_is_rejected(layer, tmp_path):
    with pytest.raises(ExportError) as exc:
        layer_export(by=SYSTEM, layer=layer, fmt="gpkg", crs="EPSG:999999", path=tmp_path / "x.gpkg")
    assert exc.value.code == "unknown_crs"
    with pytest.raises(ExportError) as exc:
        layer_export(by=SYSTEM, layer=layer, fmt="gpkg", crs="UTM 32", path=tmp_path / "x.gpkg")
    assert exc.value.code == "invalid_crs"
    with pytest.raises(ExportError) as exc:
        layer_export(by=SYSTEM, layer=layer, fmt="pdf", path=tmp_path / "x.gpkg")
    assert exc.value.code == "unknown_format"
    assert not (tmp_path / "x.gpkg").exists()
    assert parse_crs(None, default=25832).to_epsg() == 25832


def test_export_layer_command(layer, tmp_path):
    out = io.StringIO()
    target = tmp_path / "cmd.gpkg"
    call_command(
        "export_layer", str(layer.pk), "--format", "gpkg", "--crs", "EPSG:25832", "-o", str(target), stdout=out
    )
    assert "4 Objekte" in out.getvalue()
    frame = gpd.read_file(target)
    assert frame.crs.to_epsg() == 25832 and len(frame) == 4


def test_export_layer_command_errors(layer, tmp_path):
    with pytest.raises(CommandError, match="gibt es nicht"):
        call_command("export_layer", "999999", "-o", str(tmp_path / "a.gpkg"))
    with pytest.raises(CommandError, match="Koordinatensystem"):
        call_command("export_layer", str(layer.pk), "--crs", "EPSG:abc", "-o", str(tmp_path / "a.gpkg"))


def test_layer_download_bad_format(client, layer):
    response = client.get(reverse("geodata:layer_download", args=[layer.pk]), {"format": "dxf"})
    assert response.status_code == 400
    assert "Unbekanntes Format" in response.json()["error"]


def test_download_with_unknown_crs_is_400(client, layer):
    response = client.get(reverse("geodata:layer_download", args=[layer.pk]), {"crs": "EPSG:abc"})
    assert response.status_code == 400
    assert "Koordinatensystem" in response.json()["error"]
    response = client.get(reverse("geodata:plan_layers_gpkg", args=[layer.plan.pk]), {"crs": "EPSG:999999"})
    assert response.status_code == 400
