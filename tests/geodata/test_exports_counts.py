"""Exports count what they wrote; no feature is dropped silently (mixed collections in Shapefiles)."""

import io
import zipfile

import geopandas as gpd
import pyogrio
import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.core.management import CommandError, call_command

from geodata import exporters
from geodata.errors import ExportError
from geodata.exporters import layer_export, plan_layers_export
from plans.rules import SYSTEM
from tests.factories import FeatureFactory, LayerFactory

pytestmark = pytest.mark.django_db

# What make_valid makes of a polygon with a dangling spike: a polygon plus a line.
MIXED = (
    "GEOMETRYCOLLECTION(POLYGON((8.1 50.1, 8.101 50.1, 8.101 50.101, 8.1 50.101, 8.1 50.1)),"
    " LINESTRING(8.101 50.101, 8.102 50.102))"
)
POINT_AND_POLYGON = (
    "GEOMETRYCOLLECTION(POINT(8.11 50.11), MULTIPOLYGON(((8.2 50.2, 8.201 50.2, 8.201 50.201, 8.2 50.2)),"
    "((8.21 50.2, 8.211 50.2, 8.211 50.201, 8.21 50.2))))"
)


@pytest.fixture
def mixed_layer():
    layer = LayerFactory(name="FNP Flächen")
    FeatureFactory.create_batch(5, layer=layer)
    FeatureFactory(layer=layer, geometry=GEOSGeometry(MIXED, srid=4326), properties={"name": "Sporn"})
    FeatureFactory(layer=layer, geometry=GEOSGeometry(POINT_AND_POLYGON, srid=4326), properties={"name": "Mix"})
    FeatureFactory(layer=layer, geometry=GEOSGeometry("LINESTRING(8.3 50.3, 8.31 50.31)", srid=4326))
    return layer


def _ids(path, name):
    return set(gpd.read_file(f"/vsizip/{path}/{name}")["feature_id"])


def test_shapefile_export_keeps_features_from_mixed_collections(mixed_layer, tmp_path):
    result = layer_export(by=SYSTEM, layer=mixed_layer, fmt="shp", crs="EPSG:25832", path=tmp_path / "out.zip")
    names = set(zipfile.ZipFile(result.path).namelist())
    assert {"FNP_Flächen_polygons.shp", "FNP_Flächen_lines.shp", "FNP_Flächen_points.shp"} <= names
    polygons = _ids(result.path, "FNP_Flächen_polygons.shp")
    lines = _ids(result.path, "FNP_Flächen_lines.shp")
    points = _ids(result.path, "FNP_Flächen_points.shp")
    all_ids = set(mixed_layer.features.values_list("pk", flat=True))
    assert polygons | lines | points == all_ids  # nothing dropped
    sporn = mixed_layer.features.get(properties__name="Sporn").pk
    mix = mixed_layer.features.get(properties__name="Mix").pk
    assert sporn in polygons and sporn in lines  # its parts keep its feature id
    assert mix in polygons and mix in points
    assert result.written == 8 == mixed_layer.features.count()
    assert result.parts == {"FNP_Flächen_polygons.shp": 7, "FNP_Flächen_lines.shp": 2, "FNP_Flächen_points.shp": 1}
    frame = gpd.read_file(f"/vsizip/{result.path}/FNP_Flächen_polygons.shp")
    assert set(frame.geom_type) <= {"Polygon", "MultiPolygon"}


def test_export_command_reports_the_written_count(mixed_layer, tmp_path):
    out = io.StringIO()
    target = tmp_path / "fnp.zip"
    call_command("export_layer", mixed_layer.pk, "--format", "shp", "-o", str(target), stdout=out)
    assert "8 Objekte der Ebene „FNP Flächen“" in out.getvalue()
    assert "FNP_Flächen_lines.shp: 2" in out.getvalue()


@pytest.mark.parametrize("fmt", ["gpkg", "geojson"])
def test_gpkg_and_geojson_count_what_they_wrote(mixed_layer, tmp_path, fmt):
    result = layer_export(by=SYSTEM, layer=mixed_layer, fmt=fmt, path=tmp_path / f"out.{fmt}")
    assert result.written == 8
    assert pyogrio.read_info(result.path, force_feature_count=True)["features"] == 8


def test_plan_export_counts_every_layer(mixed_layer, tmp_path):
    other = LayerFactory(plan=mixed_layer.plan, name="Grün")
    FeatureFactory.create_batch(2, layer=other)
    result = plan_layers_export(by=SYSTEM, plan=mixed_layer.plan, path=tmp_path / "plan.gpkg")
    assert result.written == 10 and result.parts == {"FNP_Flächen": 8, "Grün": 2}


def test_a_feature_that_cannot_be_written_fails_the_export_loudly(mixed_layer, tmp_path, monkeypatch):
    # A geometry kind the Shapefile writer does not know (here: lines, taken out of its table).
    monkeypatch.delitem(exporters._SHAPE_GROUPS, "LineString")
    line = mixed_layer.features.get(geometry__equals=GEOSGeometry("LINESTRING(8.3 50.3, 8.31 50.31)", srid=4326))
    target = tmp_path / "out.zip"
    with pytest.raises(ExportError, match=rf"7 von 8 Objekten geschrieben\. Nicht geschrieben: {line.pk}\."):
        layer_export(by=SYSTEM, layer=mixed_layer, fmt="shp", path=target)
    assert not target.exists()  # nothing incomplete left behind
    with pytest.raises(CommandError, match="nicht vollständig exportiert"):
        call_command("export_layer", mixed_layer.pk, "--format", "shp", "-o", str(target), stdout=io.StringIO())
    assert not target.exists()


def test_a_short_file_fails_the_export(mixed_layer, tmp_path, monkeypatch):
    monkeypatch.setattr(exporters, "_count", lambda path, layer=None: 7)  # the driver lost a row
    target = tmp_path / "out.gpkg"
    with pytest.raises(ExportError, match="7 von 8 Objekten geschrieben"):
        layer_export(by=SYSTEM, layer=mixed_layer, fmt="gpkg", path=target)
    assert not target.exists()
