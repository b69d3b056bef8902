"""Publish a layer's current version as served files: one GeoJSON (small) or a tile archive (large)."""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from plans import rules
from plans.page_cache import bump_plan_page

from ..models import Layer
from ..serving import storage
from ..serving.geojson import build_geojson
from ..serving.source import layer_arrays
from ..serving.tiles import build_archive, forget_archives

logger = logging.getLogger(__name__)


def layer_uses_tiles(layer: Layer) -> bool:
    """Return True if `layer` is served as vector tiles rather than one GeoJSON file."""
    return layer.feature_count > settings.GEODATA_TILE_THRESHOLD


def public_layer_cache_key(layer_id: int) -> str:
    """Return the cache key of a public layer's version summary (read by the public views)."""
    return f"geodata:public-layer:{layer_id}"


def layer_publish(*, layer: Layer, by) -> dict:
    """Build the served file of the layer's current version: GeoJSON (small) or a tile archive (large)."""
    rules.require(by, "manage", layer.plan.municipality)
    return _build_files(layer)


@transaction.atomic
def layer_after_import(*, layer: Layer, by) -> dict:
    """Bump the layer's version, recount its features and publish the new version's files."""
    rules.require(by, "manage", layer.plan.municipality)
    return after_import(layer=layer)


def after_import(*, layer: Layer) -> dict:
    """Do `layer_after_import` for an import that has checked its actor already; inside its transaction."""
    Layer.objects.filter(pk=layer.pk).update(version=F("version") + 1, feature_count=layer.features.count())
    bump_plan_page(layer.plan_id)  # the plan page's layer list (update() sends no post_save)
    layer.refresh_from_db(fields=["version", "feature_count", "updated_at"])
    result = _build_files(layer)
    # Forget the cached version now and again after commit (a request may re-cache it meanwhile).
    key = public_layer_cache_key(layer.pk)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
    return result


def _build_files(layer: Layer) -> dict:
    started = time.perf_counter()
    if layer_uses_tiles(layer):
        ids, geoms, properties = layer_arrays(layer.pk)
        result = build_archive(
            ids=ids,
            geoms=geoms,
            properties=properties,
            path=storage.tiles_path(layer.pk, layer.version),
            name=layer.name,
        )
        result["mode"] = "tiles"
    else:
        result = build_geojson(layer, storage.geojson_path(layer.pk, layer.version))
        result["mode"] = "geojson"
    storage.remove_other_versions(layer.pk, layer.version)
    forget_archives(str(storage.layer_dir(layer.pk)) + "/")
    result["seconds"] = round(time.perf_counter() - started, 3)
    logger.info("Published layer %s v%s: %s", layer.pk, layer.version, result)
    return result
