import gzip

import mapbox_vector_tile
import orjson
import pytest
from django.core.files.storage import default_storage

from geodata.services import layer_after_import, layer_publish, layer_tiles_build, layer_tiles_ready
from geodata.serving import storage
from geodata.serving.tiles import open_archive, python_tile
from plans.rules import SYSTEM
from tests.factories import FeatureFactory, LayerFactory, building_features

pytestmark = pytest.mark.django_db


def test_after_import_bumps_version_counts_and_writes_geojson():
    layer = LayerFactory()
    FeatureFactory.create_batch(3, layer=layer)
    result = layer_after_import(by=SYSTEM, layer=layer)
    assert (layer.version, layer.feature_count, result["mode"]) == (2, 3, "geojson")
    data = orjson.loads(gzip.decompress(default_storage.open(storage.geojson_name(layer.pk, 2)).read()))
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 3
    assert data["features"][0]["properties"]["grz"] == 0.4
    assert data["features"][0]["geometry"]["type"] == "Polygon"


def test_new_version_removes_old_files():
    layer = LayerFactory()
    FeatureFactory(layer=layer)
    layer_after_import(by=SYSTEM, layer=layer)
    assert default_storage.exists(storage.geojson_name(layer.pk, 2))
    layer_after_import(by=SYSTEM, layer=layer)
    assert default_storage.exists(storage.geojson_name(layer.pk, 3))
    assert not default_storage.exists(storage.geojson_name(layer.pk, 2))


def test_large_layer_is_published_as_tile_archive_after_commit(settings, django_capture_on_commit_callbacks):
    """The archive is built by a task once the import has committed, not inside the import's transaction."""
    settings.GEODATA_TILE_THRESHOLD = 50
    layer = LayerFactory()
    building_features(layer, 300)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = layer_after_import(by=SYSTEM, layer=layer)
        assert result == {"mode": "tiles", "deferred": True}
        assert not layer_tiles_ready(layer) and open_archive(storage.tiles_name(layer.pk, layer.version)) is None
    for callback in callbacks:
        callback()
    assert layer_tiles_ready(layer)
    archive = open_archive(storage.tiles_name(layer.pk, layer.version))
    total = {}
    for tile_id in archive.tile_ids():
        from pmtiles.tile import tileid_to_zxy

        z, x, y = tileid_to_zxy(tile_id)
        decoded = mapbox_vector_tile.decode(gzip.decompress(archive.get(z, x, y)))
        for feature in decoded["features"]["features"]:
            total.setdefault(z, set()).add(feature["id"])
    # Every feature appears at every zoom level from 12 to 16.
    assert sorted(total) == [12, 13, 14, 15, 16]
    assert all(len(ids) == 300 for ids in total.values())
    assert not default_storage.exists(storage.geojson_name(layer.pk, layer.version))


def test_python_live_tile_matches_archive_features(settings, django_capture_on_commit_callbacks):
    settings.GEODATA_TILE_THRESHOLD = 50
    layer = LayerFactory()
    building_features(layer, 200)
    with django_capture_on_commit_callbacks(execute=True):
        layer_after_import(by=SYSTEM, layer=layer)
    archive = open_archive(storage.tiles_name(layer.pk, layer.version))
    from pmtiles.tile import tileid_to_zxy

    z, x, y = next(tileid_to_zxy(t) for t in sorted(archive.tile_ids()) if tileid_to_zxy(t)[0] == 15)
    stored = mapbox_vector_tile.decode(gzip.decompress(archive.get(z, x, y)))
    live = mapbox_vector_tile.decode(python_tile(layer.pk, z, x, y))
    ids = {f["id"] for f in stored["features"]["features"]}
    assert ids and ids == {f["id"] for f in live["features"]["features"]}
    first = stored["features"]["features"][0]
    assert set(first["properties"]) == {"nr", "nutzung"}


def test_publish_builds_missing_file_for_current_version():
    layer = LayerFactory(feature_count=1)
    FeatureFactory(layer=layer)
    assert not default_storage.exists(storage.geojson_name(layer.pk, layer.version))
    layer_publish(by=SYSTEM, layer=layer)
    assert default_storage.exists(storage.geojson_name(layer.pk, layer.version))


def test_deleting_layer_or_plan_removes_its_files(django_capture_on_commit_callbacks):
    layer = LayerFactory()
    FeatureFactory(layer=layer)
    with django_capture_on_commit_callbacks(execute=True):  # the downloads are built by tasks after commit
        layer_after_import(by=SYSTEM, layer=layer)
    plan = layer.plan
    assert storage.files_under(storage.layer_prefix(layer.pk)) and storage.files_under(
        storage.plan_export_prefix(plan.pk)
    )
    with django_capture_on_commit_callbacks(execute=True):
        plan.delete()
    assert not storage.files_under(storage.layer_prefix(layer.pk))
    assert not storage.files_under(storage.plan_export_prefix(plan.pk))


def test_tile_task_skips_a_version_superseded_meanwhile(settings):
    settings.GEODATA_TILE_THRESHOLD = 50
    layer = LayerFactory()
    building_features(layer, 60)
    layer_after_import(by=SYSTEM, layer=layer)
    layer_after_import(by=SYSTEM, layer=layer)  # a re-import before the first task ran
    assert layer_tiles_build(layer_id=layer.pk, version=layer.version - 1) is None
    assert not default_storage.exists(storage.tiles_name(layer.pk, layer.version - 1))
    assert layer_tiles_build(layer_id=layer.pk, version=layer.version)["tiles"] > 0
    assert layer_tiles_build(layer_id=layer.pk, version=layer.version) == {"mode": "tiles", "existing": True}
