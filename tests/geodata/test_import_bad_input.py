"""Each kind of bad input gives a clear error and saves nothing."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

from geodata.importers import ImportRejected
from geodata.models import Feature, Layer
from geodata.services import layer_import
from plans.rules import SYSTEM

from .conftest import sample_frame

pytestmark = pytest.mark.django_db


def assert_rejected(plan, path, match, **kwargs):
    with pytest.raises(ImportRejected, match=match):
        layer_import(by=SYSTEM, plan=plan, path=path, **kwargs)
    assert not Layer.objects.exists() and not Feature.objects.exists()


def test_truncated_geopackage(plan, tmp_path):
    good = tmp_path / "good.gpkg"
    sample_frame().to_file(good, driver="GPKG")
    bad = tmp_path / "kaputt.gpkg"
    bad.write_bytes(good.read_bytes()[:3000])
    assert_rejected(plan, bad, "kann nicht gelesen werden")


def test_truncated_geojson(plan, tmp_path):
    bad = tmp_path / "kaputt.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "geom')
    assert_rejected(plan, bad, "kein gültiges JSON")


def test_corrupt_zip(plan, tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    sample_frame().to_file(folder / "a.shp")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in folder.iterdir():
            archive.write(path, path.name)
    bad = tmp_path / "kaputt.zip"
    bad.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    assert_rejected(plan, bad, "ZIP-Archiv ist beschädigt")


def test_zip_with_path_traversal(plan, tmp_path):
    bad = tmp_path / "boese.zip"
    geojson = tmp_path / "x.geojson"
    sample_frame("EPSG:4326").to_file(geojson, driver="GeoJSON")
    with zipfile.ZipFile(bad, "w") as archive:
        archive.write(geojson, "../../evil.geojson")
    assert_rejected(plan, bad, r"unzulässigen Pfad \(\.\./\.\./evil\.geojson\)")
    assert not (tmp_path.parent / "evil.geojson").exists()


def test_zip_bomb_is_refused_by_unpacked_size(plan, tmp_path, settings):
    settings.MAX_UNPACKED_SIZE_MB = 1
    bad = tmp_path / "bombe.zip"
    with zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("gross.geojson", b" " * (3 * 1024 * 1024))
    assert bad.stat().st_size < 50_000
    assert_rejected(plan, bad, "ZIP-Bombe")


def test_file_above_size_limit(plan, tmp_path, settings):
    settings.MAX_UPLOAD_SIZE_MB = 1
    path = tmp_path / "gross.geojson"
    sample_frame("EPSG:4326").to_file(path, driver="GeoJSON")
    with open(path, "ab") as handle:
        handle.write(b" " * (1024 * 1024 + 1))
    assert_rejected(plan, path, r"zu groß .* höchstens 1 MB")


XXE_KML = """<?xml version="1.0"?>
<!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>&xxe;</name>
<Point><coordinates>8.5,50.3</coordinates></Point></Placemark></Document></kml>"""

LAUGHS_GML = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" xmlns:gml="http://www.opengis.net/gml">
<gml:featureMember><ogr:a><ogr:name>&lol3;</ogr:name><ogr:geometryProperty><gml:Point srsName="EPSG:4326">
<gml:coordinates>8.5,50.3</gml:coordinates></gml:Point></ogr:geometryProperty></ogr:a></gml:featureMember>
</ogr:FeatureCollection>"""


def test_kml_with_external_entity(plan, tmp_path):
    path = tmp_path / "xxe.kml"
    path.write_text(XXE_KML)
    assert_rejected(plan, path, "DOCTYPE- oder ENTITY-Deklaration")


def test_kmz_with_external_entity(plan, tmp_path):
    path = tmp_path / "xxe.kmz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("doc.kml", XXE_KML)
    assert_rejected(plan, path, "DOCTYPE- oder ENTITY-Deklaration")


def test_gml_with_billion_laughs(plan, tmp_path):
    path = tmp_path / "lol.gml"
    path.write_text(LAUGHS_GML)
    assert_rejected(plan, path, "DOCTYPE- oder ENTITY-Deklaration", crs="EPSG:4326")


def test_geojson_with_non_numeric_coordinates(plan, tmp_path):
    path = tmp_path / "text.geojson"
    path.write_text(
        '{"type":"FeatureCollection","features":['
        '{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[8.5,50.3]}},'
        '{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":["8,5",50.3]}}]}'
    )
    assert_rejected(plan, path, r"Objekt 2 hat ungültige Koordinaten")


def test_geojson_with_out_of_range_coordinates(plan, tmp_path):
    path = tmp_path / "weit.geojson"
    path.write_text(
        '{"type":"FeatureCollection","features":['
        '{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[8.5,50.3]}},'
        '{"type":"Feature","properties":{"id":"b"},"geometry":{"type":"Point","coordinates":[470000,5576000]}}]}'
    )
    assert_rejected(plan, path, r"Objekt b hat Koordinaten außerhalb des gültigen Bereichs")


def test_layer_with_zero_features(plan, tmp_path):
    path = tmp_path / "leer.gpkg"
    sample_frame().iloc[:0].to_file(path, driver="GPKG")
    assert_rejected(plan, path, "enthält keine Objekte")


def test_layer_with_only_empty_geometries(plan, tmp_path):
    path = tmp_path / "leer.geojson"
    path.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null}]}')
    assert_rejected(plan, path, "keine verwendbaren Geometrien")


def test_unknown_geopackage_layer(plan, tmp_path):
    path = tmp_path / "plan.gpkg"
    sample_frame().to_file(path, layer="baugebiete", driver="GPKG")
    assert_rejected(
        plan, path, "Ebene „gruen“ gibt es in dieser Datei nicht. Vorhandene Ebenen: baugebiete", layer_name="gruen"
    )


def test_unknown_epsg_code(plan, tmp_path):
    path = tmp_path / "a.geojson"
    sample_frame("EPSG:4326").to_file(path, driver="GeoJSON")
    assert_rejected(plan, path, "EPSG-Code 99999 ist unbekannt", crs="EPSG:99999")
    assert_rejected(plan, path, "keine gültige Angabe", crs="UTM32")


def test_file_without_crs_is_refused(plan, tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    sample_frame().to_file(folder / "a.shp")
    (folder / "a.prj").unlink()
    archive = tmp_path / "ohne_crs.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in folder.iterdir():
            zf.write(path, path.name)
    assert_rejected(plan, archive, "kein Koordinatensystem")
    assert layer_import(by=SYSTEM, plan=plan, path=archive, crs="EPSG:25832").created == 3


def test_failure_while_writing_leaves_no_partial_layer(plan, tmp_path, settings, monkeypatch):
    from geodata import services

    settings.IMPORT_BATCH_SIZE = 2
    path = tmp_path / "a.geojson"
    sample_frame("EPSG:4326", count=5).to_file(path, driver="GeoJSON")
    calls = []

    def fail_on_second_batch(done, total):
        calls.append(done)
        if len(calls) == 2:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        services.layer_import(by=SYSTEM, plan=plan, path=path, progress=fail_on_second_batch)
    assert not Layer.objects.exists() and not Feature.objects.exists()


def test_command_reports_bad_input_as_error(plan, tmp_path):
    path = tmp_path / "a.geojson"
    sample_frame("EPSG:4326").to_file(path, driver="GeoJSON")
    with pytest.raises(CommandError, match="EPSG-Code 99999 ist unbekannt"):
        call_command("import_layer", plan.pk, str(path), "--crs", "EPSG:99999", stdout=io.StringIO())
    assert not Layer.objects.exists()


def test_zip_bomb_is_refused_before_anything_is_unpacked(plan, tmp_path, settings, monkeypatch):
    """The declared size in the central directory is enough to refuse; no member is opened."""
    settings.MAX_UNPACKED_SIZE_MB = 1
    bad = tmp_path / "bombe.zip"
    with zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("gross.geojson", b" " * (3 * 1024 * 1024))
    opened = []
    original = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, *a, **k: opened.append(a) or original(self, *a, **k))
    with pytest.raises(ImportRejected) as excinfo:
        layer_import(by=SYSTEM, plan=plan, path=bad)
    assert excinfo.value.code == "zip_bomb" and "ZIP-Bombe" in str(excinfo.value)
    assert opened == []


def test_zip_with_extreme_compression_ratio_is_refused(plan, tmp_path):
    bad = tmp_path / "verdaechtig.zip"
    with zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("gross.geojson", b" " * (20 * 1024 * 1024))
    with pytest.raises(ImportRejected) as excinfo:
        layer_import(by=SYSTEM, plan=plan, path=bad)
    assert excinfo.value.code == "zip_ratio" and "stark komprimiert" in str(excinfo.value)


def test_zip_whose_header_understates_the_size_is_stopped_while_unpacking(plan, tmp_path):
    """A member that unpacks to more than its header declares is refused, however small the declaration."""
    geojson = tmp_path / "x.geojson"
    sample_frame("EPSG:4326").to_file(geojson, driver="GeoJSON")
    real = geojson.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("x.geojson", real)
    data = bytearray(buffer.getvalue())
    # Patch the uncompressed size (local header offset 22, central directory entry offset 24) to 10 bytes.
    size = len(real).to_bytes(4, "little")
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    assert data[local + 22 : local + 26] == size and data[central + 24 : central + 28] == size
    data[local + 22 : local + 26] = data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    bad = tmp_path / "luegt.zip"
    bad.write_bytes(bytes(data))
    with pytest.raises(ImportRejected) as excinfo:
        layer_import(by=SYSTEM, plan=plan, path=bad)
    assert excinfo.value.code in ("zip_bomb", "corrupt_archive")
    assert not Layer.objects.exists()


def test_errors_never_show_server_paths(plan, tmp_path, settings):
    good = tmp_path / "good.gpkg"
    sample_frame().to_file(good, driver="GPKG")
    bad = tmp_path / "kaputt.gpkg"
    bad.write_bytes(good.read_bytes()[:3000])
    truncated = tmp_path / "kaputt.zip"
    with zipfile.ZipFile(truncated, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.geojson", good.read_bytes())
    truncated.write_bytes(truncated.read_bytes()[:200])
    garbage = tmp_path / "zeichnung.dxf"
    garbage.write_bytes(b"keine Zeichnung " * 20)  # GDAL names the full path in its message
    for path in (bad, truncated, garbage):
        with pytest.raises(ImportRejected) as excinfo:
            layer_import(by=SYSTEM, plan=plan, path=path)
        message = str(excinfo.value)
        assert "/tmp" not in message and str(tmp_path) not in message and "pb-import-" not in message, message
        assert "kann nicht gelesen werden" in message or "ZIP-Archiv" in message
