"""Publish a layer's current version as served files: one GeoJSON (small) or a tile archive (large)."""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F

from plans import rules
from plans.page_cache import bump_plan_page

from ..models import Layer
from ..serving import storage
from ..serving.geojson import build_geojson
from ..serving.source import layer_arrays
from ..serving.tiles import build_archive, forget_archives
from ..tasks import build_layer_tiles
from .downloads import downloads_queue_after_import

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
    """Do `layer_after_import` for an import that has checked its actor already; inside its transaction.

    A small layer's GeoJSON is written at once. A large layer's tile archive is built by the
    `build_layer_tiles` task after the import has committed, so the import transaction stays short;
    until the archive exists the tile endpoint renders tiles live. The public downloads (layer files
    and the plan's GeoPackage) are queued after commit as well (`services.downloads`).
    """
    Layer.objects.filter(pk=layer.pk).update(version=F("version") + 1, feature_count=layer.features.count())
    bump_plan_page(layer.plan_id)  # the plan page's layer list (update() sends no post_save)
    layer.refresh_from_db(fields=["version", "feature_count", "updated_at"])
    if layer_uses_tiles(layer):
        layer_id, version = layer.pk, layer.version
        transaction.on_commit(lambda: build_layer_tiles.enqueue(layer_id, version))
        result = {"mode": "tiles", "deferred": True}
    else:
        result = _build_files(layer)
    downloads_queue_after_import(layer=layer)
    # Forget the cached version now and again after commit (a request may re-cache it meanwhile).
    key = public_layer_cache_key(layer.pk)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
    return result


def layer_tiles_build(*, layer_id: int, version: int) -> dict | None:
    """Build the tile archive of version `version` of a layer (a task's step); skip a stale or missing version."""
    layer = Layer.objects.filter(pk=layer_id, version=version).first()
    if layer is None or not layer_uses_tiles(layer):
        return None  # deleted, re-imported since (a newer task builds that version), or small now
    if default_storage.exists(storage.tiles_name(layer.pk, layer.version)):
        return {"mode": "tiles", "existing": True}
    result = _build_files(layer)
    bump_plan_page(layer.plan_id)  # the plan page shows the layer's extent once its archive exists
    return result


def layer_tiles_ready(layer: Layer) -> bool:
    """Return True if `layer` is served from a built tile archive (False: tiles are rendered live meanwhile)."""
    return default_storage.exists(storage.tiles_name(layer.pk, layer.version))


def _build_files(layer: Layer) -> dict:
    started = time.perf_counter()
    if layer_uses_tiles(layer):
        ids, geoms, properties = layer_arrays(layer.pk)
        result = build_archive(
            ids=ids,
            geoms=geoms,
            properties=properties,
            name=storage.tiles_name(layer.pk, layer.version),
            title=layer.name,
        )
        result["mode"] = "tiles"
    else:
        result = build_geojson(layer, storage.geojson_name(layer.pk, layer.version))
        result["mode"] = "geojson"
    storage.remove_other_versions(layer.pk, layer.version)
    forget_archives(storage.layer_prefix(layer.pk))
    result["seconds"] = round(time.perf_counter() - started, 3)
    logger.info("Published layer %s v%s: %s", layer.pk, layer.version, result)
    return result
