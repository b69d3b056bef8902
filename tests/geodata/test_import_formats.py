import io
import zipfile

import geopandas as gpd
import pyogrio
import pytest
from django.core.management import call_command
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon, box

from geodata.models import Layer
from geodata.services import import_preview, layer_import
from plans.rules import SYSTEM

from .conftest import ORIGIN_25832, bowtie, sample_frame

pytestmark = pytest.mark.django_db


def zip_dir(directory, target, pattern="*"):
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(directory.glob(pattern)):
            archive.write(path, path.name)
    return target


def test_geojson_import_creates_layer_with_features_and_properties(plan, tmp_path):
    path = tmp_path / "baugebiete.geojson"
    sample_frame("EPSG:4326").to_file(path, driver="GeoJSON")
    report = layer_import(by=SYSTEM, plan=plan, path=path, kind=Layer.Kind.BUILDING_AREAS)
    layer = Layer.objects.get(pk=report.layer_id)
    assert (report.found, report.created, report.repaired, report.rejected) == (3, 3, 0, 0)
    assert layer.name == "baugebiete" and layer.kind == Layer.Kind.BUILDING_AREAS
    assert layer.feature_count == 3 and layer.version == 2
    assert layer.source_crs == "EPSG:4326"
    feature = layer.features.get(source_id="wa-2")
    assert feature.properties["nutzung"] == "WA 2" and feature.properties["grz"] == 0.4
    assert feature.geometry.srid == 4326 and feature.geometry.geom_type == "Polygon"


def test_zipped_shapefile_import_reads_crs_from_prj(plan, tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    sample_frame().to_file(folder / "gruen.shp")
    archive = zip_dir(folder, tmp_path / "gruen.zip")
    report = layer_import(by=SYSTEM, plan=plan, path=archive, name="Grünflächen")
    layer = Layer.objects.get(pk=report.layer_id)
    assert report.created == 3 and report.source_crs == "EPSG:25832"
    assert layer.name == "Grünflächen" and layer.source_name == "gruen.zip"
    lon, lat = layer.features.order_by("id").first().geometry.centroid.coords
    assert 8.5 < lon < 8.6 and 50.3 < lat < 50.4


def test_geopackage_import_chooses_named_layer(plan, tmp_path):
    path = tmp_path / "plan.gpkg"
    sample_frame(count=2).to_file(path, layer="baugebiete", driver="GPKG")
    sample_frame(count=4).to_file(path, layer="strassen", driver="GPKG")
    report = layer_import(by=SYSTEM, plan=plan, path=path, layer_name="strassen")
    assert report.created == 4
    assert Layer.objects.get(pk=report.layer_id).features.count() == 4


def test_geopackage_with_several_layers_needs_a_layer_name(plan, tmp_path):
    from geodata.importers import ImportRejected

    path = tmp_path / "plan.gpkg"
    sample_frame(count=2).to_file(path, layer="baugebiete", driver="GPKG")
    sample_frame(count=4).to_file(path, layer="strassen", driver="GPKG")
    with pytest.raises(ImportRejected, match="mehrere Ebenen.*baugebiete, strassen"):
        layer_import(by=SYSTEM, plan=plan, path=path)
    assert not Layer.objects.exists()


def test_kml_and_kmz_import(plan, tmp_path):
    kml = tmp_path / "gebiet.kml"
    sample_frame("EPSG:4326").to_file(kml, driver="KML")
    assert layer_import(by=SYSTEM, plan=plan, path=kml).created == 3
    kmz = tmp_path / "gebiet.kmz"
    with zipfile.ZipFile(kmz, "w") as archive:
        archive.write(kml, "doc.kml")
    report = layer_import(by=SYSTEM, plan=plan, path=kmz)
    assert report.created == 3 and report.source_crs == "EPSG:4326"


def test_flatgeobuf_import(plan, tmp_path):
    path = tmp_path / "bestand.fgb"
    sample_frame("EPSG:25833").to_file(path, driver="FlatGeobuf")
    report = layer_import(by=SYSTEM, plan=plan, path=path)
    assert report.created == 3 and report.source_crs == "EPSG:25833"


def test_dxf_import_needs_crs_and_keeps_lines(plan, tmp_path):
    from geodata.importers import ImportRejected

    x0, y0 = ORIGIN_25832
    path = tmp_path / "zeichnung.dxf"
    frame = gpd.GeoDataFrame(
        geometry=[LineString([(x0, y0), (x0 + 100, y0 + 50)]), LineString([(x0, y0 + 10), (x0 + 80, y0 + 90)])]
    )
    pyogrio.write_dataframe(frame, path, driver="DXF")
    with pytest.raises(ImportRejected, match="kein Koordinatensystem"):
        layer_import(by=SYSTEM, plan=plan, path=path)
    report = layer_import(by=SYSTEM, plan=plan, path=path, crs="EPSG:25832")
    assert report.created == 2 and report.source_crs == "EPSG:25832"
    assert "vorgegeben" in report.notes[0]
    layer = Layer.objects.get(pk=report.layer_id)
    assert {f.geometry.geom_type for f in layer.features.all()} == {"LineString"}


def test_geometry_rules_repair_drop_empty_and_force_2d(plan, tmp_path):
    x0, y0 = ORIGIN_25832
    frame = gpd.GeoDataFrame(
        {"name": ["ok", "bowtie", "empty", "3d"]},
        geometry=[
            box(x0, y0, x0 + 10, y0 + 10),
            bowtie(),
            Polygon(),
            Polygon([(x0, y0, 5), (x0 + 10, y0, 5), (x0 + 10, y0 + 10, 7), (x0, y0, 5)]),
        ],
        crs="EPSG:25832",
    )
    path = tmp_path / "mixed.gpkg"
    frame.to_file(path, driver="GPKG")
    report = layer_import(by=SYSTEM, plan=plan, path=path)
    assert (report.found, report.created, report.repaired, report.rejected, report.empty) == (4, 3, 1, 1, 1)
    layer = Layer.objects.get(pk=report.layer_id)
    geoms = {f.properties["name"]: f.geometry for f in layer.features.all()}
    assert geoms["bowtie"].valid and geoms["bowtie"].geom_type == "MultiPolygon"
    assert not geoms["3d"].hasz


def test_curves_are_linearised(plan, tmp_path):
    x0, y0 = ORIGIN_25832
    path = tmp_path / "curve.gml"
    path.write_text(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" xmlns:gml="http://www.opengis.net/gml">
 <gml:featureMember><ogr:kurve><ogr:geometryProperty>
  <gml:Curve srsName="EPSG:25832"><gml:segments><gml:ArcString><gml:posList>
   {x0} {y0} {x0 + 50} {y0 + 50} {x0 + 100} {y0}</gml:posList></gml:ArcString></gml:segments></gml:Curve>
 </ogr:geometryProperty><ogr:name>Bogen</ogr:name></ogr:kurve></gml:featureMember>
</ogr:FeatureCollection>"""
    )
    report = layer_import(by=SYSTEM, plan=plan, path=path, crs="EPSG:25832")
    geometry = Layer.objects.get(pk=report.layer_id).features.get().geometry
    assert geometry.geom_type == "LineString" and geometry.num_points > 10


@pytest.mark.parametrize("epsg", [25832, 25833, 31467, 3857, 4326])
def test_crs_round_trip_within_one_centimetre(plan, tmp_path, epsg):
    frame = sample_frame(f"EPSG:{epsg}", count=2)
    path = tmp_path / f"rt{epsg}.gpkg"
    frame.to_file(path, driver="GPKG")
    report = layer_import(by=SYSTEM, plan=plan, path=path)
    assert report.source_crs == f"EPSG:{epsg}"
    layer = Layer.objects.get(pk=report.layer_id)
    back = Transformer.from_crs(4326, epsg, always_xy=True)
    metric = Transformer.from_crs(epsg, 25832, always_xy=True)
    for feature, original in zip(layer.features.order_by("id"), frame.geometry, strict=True):
        stored = feature.geometry.coords[0]
        expected = list(original.exterior.coords)
        assert len(stored) == len(expected)
        for (lon, lat), (ex, ey) in zip(stored, expected, strict=True):
            x, y = back.transform(lon, lat)
            # Compare in metres (EPSG:25832) so degrees and metres are judged alike.
            ax, ay = metric.transform(x, y)
            bx, by = metric.transform(ex, ey)
            assert abs(ax - bx) < 0.01 and abs(ay - by) < 0.01


def test_points_and_preview(plan, tmp_path):
    x0, y0 = ORIGIN_25832
    path = tmp_path / "baeume.geojson"
    gpd.GeoDataFrame(
        {"art": ["Linde", "Eiche"]}, geometry=[Point(x0, y0), Point(x0 + 500, y0 + 300)], crs="EPSG:25832"
    ).to_crs(4326).to_file(path, driver="GeoJSON")
    preview = import_preview(path=path)
    assert preview.feature_count == 2 and preview.crs == "EPSG:4326" and preview.crs_from_file
    west, south, east, north = preview.bounds_4326
    assert 8.5 < west < east < 8.6 and 50.3 < south < north < 50.4
    assert not Layer.objects.exists()


def test_import_layer_command_prints_report(plan, tmp_path):
    path = tmp_path / "wa.geojson"
    sample_frame("EPSG:4326").to_file(path, driver="GeoJSON")
    out = io.StringIO()
    call_command(
        "import_layer", plan.pk, str(path), "--name", "Allgemeines Wohngebiet", "--kind", "building_areas", stdout=out
    )
    text = out.getvalue()
    assert "found: 3  created: 3  repaired: 0  rejected: 0" in text
    assert "EPSG:4326" in text
    assert Layer.objects.get(plan=plan).name == "Allgemeines Wohngebiet"


def test_zip_with_several_shapefiles_needs_a_layer_name(plan, tmp_path):
    from geodata.importers import ImportRejected

    folder = tmp_path / "shp"
    folder.mkdir()
    sample_frame(count=2).to_file(folder / "baugebiete.shp")
    sample_frame(count=5).to_file(folder / "strassen.shp")
    archive = zip_dir(folder, tmp_path / "plan.zip")
    with pytest.raises(ImportRejected, match="mehrere Shapefiles"):
        layer_import(by=SYSTEM, plan=plan, path=archive)
    assert layer_import(by=SYSTEM, plan=plan, path=archive, layer_name="strassen").created == 5
