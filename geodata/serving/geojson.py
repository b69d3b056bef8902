"""Small layers: one gzip-compressed GeoJSON FeatureCollection per layer version."""

from __future__ import annotations

import gzip

import orjson
from django.contrib.gis.db.models.functions import AsGeoJSON

from geodata.models import Feature

from . import storage

PRECISION = 6


def render_feature_collection(layer) -> bytes:
    """Return the layer's features as GeoJSON bytes, geometry text joined straight from the database."""
    rows = (
        Feature.objects.filter(layer=layer)
        .order_by("pk")
        .annotate(geojson=AsGeoJSON("geometry", precision=PRECISION))
        .values_list("pk", "geojson", "properties")
    )
    features = [
        {"type": "Feature", "id": pk, "geometry": orjson.Fragment(geometry), "properties": properties or {}}
        for pk, geometry, properties in rows
    ]
    return orjson.dumps(
        {"type": "FeatureCollection", "name": layer.name, "version": layer.version, "features": features}
    )


def build_geojson(layer, name: str) -> dict:
    """Store the layer's FeatureCollection gzip-compressed as `name` in the default storage."""
    body = render_feature_collection(layer)
    compressed = gzip.compress(body, compresslevel=6, mtime=0)
    storage.put(name, compressed)
    return {"bytes": len(body), "gzip_bytes": len(compressed)}
