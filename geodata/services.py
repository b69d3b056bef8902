"""Write operations on layers: publishing the served files after an import."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from .models import Layer
from .serving import storage
from .serving.geojson import build_geojson
from .serving.source import layer_arrays
from .serving.tiles import build_archive, forget_archives

logger = logging.getLogger(__name__)


def layer_uses_tiles(layer: Layer) -> bool:
    """Return True if `layer` is served as vector tiles rather than one GeoJSON file."""
    return layer.feature_count > settings.GEODATA_TILE_THRESHOLD


def layer_publish(*, layer: Layer) -> dict:
    """Build the served file of the layer's current version: GeoJSON (small) or a tile archive (large)."""
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


@transaction.atomic
def layer_after_import(*, layer: Layer) -> dict:
    """Bump the layer's version, recount its features and publish the new version's files."""
    Layer.objects.filter(pk=layer.pk).update(version=F("version") + 1, feature_count=layer.features.count())
    layer.refresh_from_db(fields=["version", "feature_count", "updated_at"])
    result = layer_publish(layer=layer)
    # Forget the cached version now and again after commit (a request may re-cache it meanwhile).
    key = f"geodata:public-layer:{layer.pk}"
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
    return result
