import gzip

import mapbox_vector_tile
import orjson
import pytest
from django.urls import reverse

from geodata.services import layer_after_import
from geodata.serving.mvt import to_world
from plans.models import Plan
from plans.rules import SYSTEM
from tests.factories import FeatureFactory, LayerFactory, PlanFactory, building_features

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_layer():
    layer = LayerFactory()
    FeatureFactory.create_batch(4, layer=layer)
    layer_after_import(by=SYSTEM, layer=layer)
    return layer


@pytest.fixture
def large_layer(settings, django_capture_on_commit_callbacks):
    settings.GEODATA_TILE_THRESHOLD = 50
    layer = LayerFactory()
    building_features(layer, 120)
    with django_capture_on_commit_callbacks(execute=True):  # the tile archive is built by a task after commit
        layer_after_import(by=SYSTEM, layer=layer)
    return layer


def _tile_of(feature, z):
    import numpy as np
    import shapely

    point = shapely.from_wkb(bytes(feature.geometry.point_on_surface.wkb))
    x, y = shapely.get_coordinates(to_world(np.array([point], dtype=object)))[0]
    return int(x * 2**z), int(y * 2**z)


def test_geojson_is_served_gzipped_with_etag(client, small_layer):
    url = reverse("geodata:layer_geojson", args=[small_layer.pk])
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert response["Content-Type"] == "application/geo+json"
    assert response["ETag"] == f'"layer-{small_layer.pk}-v2-gz"'
    data = orjson.loads(gzip.decompress(response.content))
    assert len(data["features"]) == 4
    assert data["features"][0]["properties"]["name"].startswith("Baufeld")


def test_geojson_without_gzip_and_304(client, small_layer):
    url = reverse("geodata:layer_geojson", args=[small_layer.pk])
    response = client.get(url)
    assert "Content-Encoding" not in response
    assert len(orjson.loads(response.content)["features"]) == 4
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_geojson_versioned_url_is_immutable_and_new_version_changes_etag(client, small_layer):
    url = reverse("geodata:layer_geojson", args=[small_layer.pk])
    response = client.get(url, {"v": small_layer.version})
    assert "immutable" in response["Cache-Control"]
    old_etag = response["ETag"]
    FeatureFactory(layer=small_layer)
    layer_after_import(by=SYSTEM, layer=small_layer)
    fresh = client.get(url, HTTP_IF_NONE_MATCH=old_etag)
    assert fresh.status_code == 200
    assert len(orjson.loads(fresh.content)["features"]) == 5


def test_draft_plan_layers_are_not_public(client):
    layer = LayerFactory(plan=PlanFactory(status=Plan.Status.DRAFT))
    FeatureFactory(layer=layer)
    layer_after_import(by=SYSTEM, layer=layer)
    assert client.get(reverse("geodata:layer_geojson", args=[layer.pk])).status_code == 404
    assert client.get(reverse("geodata:tile", args=[layer.pk, 14, 8000, 5000])).status_code == 404
    assert client.get(reverse("geodata:layer_download", args=[layer.pk])).status_code == 404
    assert client.get(reverse("geodata:plan_layers_gpkg", args=[layer.plan.pk])).status_code == 404


def test_large_layer_has_no_geojson(client, large_layer):
    response = client.get(reverse("geodata:layer_geojson", args=[large_layer.pk]))
    assert response.status_code == 404


def test_tile_endpoint_serves_prebuilt_tile(client, large_layer):
    feature = large_layer.features.order_by("pk").first()
    x, y = _tile_of(feature, 15)
    url = reverse("geodata:tile", args=[large_layer.pk, 15, x, y])
    response = client.get(url, {"v": large_layer.version}, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"]
    decoded = mapbox_vector_tile.decode(gzip.decompress(response.content))
    ids = {f["id"] for f in decoded["features"]["features"]}
    assert feature.pk in ids
    plain = client.get(url)
    assert mapbox_vector_tile.decode(plain.content)["features"]["features"]
    assert client.get(url, HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 304


def test_empty_tile_is_204_and_out_of_range_is_404(client, large_layer):
    assert client.get(reverse("geodata:tile", args=[large_layer.pk, 14, 0, 0])).status_code == 204
    assert client.get(reverse("geodata:tile", args=[large_layer.pk, 14, 2**14, 0])).status_code == 404
    assert client.get(reverse("geodata:tile", args=[large_layer.pk, 3, 0, 0])).status_code == 404


def test_tile_without_archive_is_rendered_live(client, small_layer):
    feature = small_layer.features.order_by("pk").first()
    x, y = _tile_of(feature, 16)
    response = client.get(reverse("geodata:tile", args=[small_layer.pk, 16, x, y]))
    assert response.status_code == 200
    decoded = mapbox_vector_tile.decode(response.content)
    assert feature.pk in {f["id"] for f in decoded["features"]["features"]}
