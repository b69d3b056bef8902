"""Read a layer's features from the database quickly (WKB + JSON, no GEOS objects per row)."""

from __future__ import annotations

import numpy as np
import orjson
import shapely
from django.contrib.gis.db.models.functions import AsWKB
from django.contrib.gis.geos import Polygon

from geodata.models import Feature


def _as_dict(value) -> dict:
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    return orjson.loads(value)


def layer_arrays(layer_id: int, bbox: tuple[float, float, float, float] | None = None):
    """Return (ids, shapely geometries in EPSG:4326, property dicts) of a layer's features."""
    features = Feature.objects.filter(layer_id=layer_id)
    if bbox is not None:
        features = features.filter(geometry__bboverlaps=Polygon.from_bbox(bbox))
    rows = list(features.order_by("pk").annotate(wkb=AsWKB("geometry")).values_list("pk", "wkb", "properties"))
    ids = [row[0] for row in rows]
    geoms = shapely.from_wkb([bytes(row[1]) for row in rows]) if rows else np.empty(0, dtype=object)
    properties = [_as_dict(row[2]) for row in rows]
    return ids, np.asarray(geoms, dtype=object), properties
