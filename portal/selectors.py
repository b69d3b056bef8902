"""Read helpers for the public plan lists (HTML map and API): filters, bbox, map extent and grid clusters."""

import math

from django.conf import settings
from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import Centroid, Transform
from django.core.cache import cache
from django.db.models import Avg, Count, F, FloatField, Func, Max, Min
from django.db.models.functions import Floor

from participation.selectors import plans_open_for_comments, plans_with_open_state
from plans.cache import public_version
from plans.models import Municipality
from plans.selectors import PlanFilterError, filter_published_plans

OPEN_VALUES = ("1", "true", "on", "ja")
MAX_ZOOM = 22
# Below this zoom the map shows clusters (one point per grid cell); from it on, the plans' outlines.
OUTLINE_MIN_ZOOM = 12
CLUSTER_CELL_PX = 80
EARTH_RADIUS = 6378137.0
WEB_MERCATOR_MAX_LAT = 85.0511287798
EXTENT_CACHE_SECONDS = 60


def published_plans(params, *, municipality: Municipality | None = None):
    """Return published plans filtered by municipality, kind, stage, bbox and "open for comments" from `params`.

    A given `municipality` (the one whose own domain was requested) overrides the municipality filter.
    """
    if municipality is not None:
        params = params.copy()
        params["municipality"] = municipality.slug
    if params.get("bbox"):
        parse_bbox(params["bbox"])  # the clearer checks of this app first
    plans = filter_published_plans(params)
    if params.get("open") in OPEN_VALUES:
        plans = plans_open_for_comments(plans)
    return plans


def parse_bbox(value: str) -> tuple[float, float, float, float]:
    """Return (min lon, min lat, max lon, max lat) from 'minx,miny,maxx,maxy' in WGS 84, or raise PlanFilterError."""
    parts = value.split(",")
    try:
        minx, miny, maxx, maxy = (float(part) for part in parts)
    except ValueError as exc:
        raise PlanFilterError("bbox") from exc
    if not all(math.isfinite(number) for number in (minx, miny, maxx, maxy)):
        raise PlanFilterError("bbox")
    if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
        raise PlanFilterError("bbox")
    return minx, miny, maxx, maxy


def parse_zoom(value: str | None) -> int | None:
    """Return the map zoom level 0–22 from `value` (None if absent), or raise PlanFilterError."""
    if value in (None, ""):
        return None
    if not value.isdigit() or int(value) > MAX_ZOOM:
        raise PlanFilterError("zoom")
    return int(value)


def pixel_degrees(zoom: int) -> float:
    """Return the width of one screen pixel in degrees of longitude at `zoom` (256-pixel tiles)."""
    return 360.0 / (256 * 2**zoom)


class _X(Func):
    function = "ST_X"
    output_field = FloatField()


class _Y(Func):
    function = "ST_Y"
    output_field = FloatField()


def _lonlat(x: float, y: float) -> tuple[float, float]:
    """Return (lon, lat) of a Web Mercator (EPSG:3857) point."""
    lon = math.degrees(x / EARTH_RADIUS)
    lat = math.degrees(2 * math.atan(math.exp(y / EARTH_RADIUS)) - math.pi / 2)
    return round(lon, 6), round(lat, 6)


def plan_clusters(plans, *, zoom: int) -> list[dict]:
    """Group `plans` by a square screen grid (CLUSTER_CELL_PX wide at `zoom`) of their centroids.

    Return one dict per non-empty cell: `count`, `lon`/`lat` (mean centroid), `bbox` of the centroids, and
    `plan` (the plan, annotated with its open state) when the cell holds a single plan.
    """
    cell = CLUSTER_CELL_PX * 2 * math.pi * EARTH_RADIUS / (256 * 2**zoom)
    centroid = Transform(Centroid("area"), 3857)
    cells = list(
        plans.order_by()
        .annotate(px=_X(centroid), py=_Y(centroid))
        .annotate(cx=Floor(F("px") / cell), cy=Floor(F("py") / cell))
        .values("cx", "cy")
        .annotate(
            count=Count("id"),
            x=Avg("px"),
            y=Avg("py"),
            minx=Min("px"),
            miny=Min("py"),
            maxx=Max("px"),
            maxy=Max("py"),
            plan_id=Min("id"),
        )
        .order_by("cx", "cy")
    )
    single_ids = [row["plan_id"] for row in cells if row["count"] == 1]
    single_plans = plans.model.objects.filter(pk__in=single_ids).select_related("municipality")
    singles = {plan.pk: plan for plan in plans_with_open_state(single_plans)}
    clusters = []
    for row in cells:
        lon, lat = _lonlat(row["x"], row["y"])
        clusters.append(
            {
                "count": row["count"],
                "lon": lon,
                "lat": lat,
                "bbox": [*_lonlat(row["minx"], row["miny"]), *_lonlat(row["maxx"], row["maxy"])],
                "plan": singles.get(row["plan_id"]) if row["count"] == 1 else None,
            }
        )
    return clusters


def map_view(plans, municipality: Municipality | None, cache_key: str) -> dict:
    """Return where the start map begins: the municipality's boundary, else the extent of `plans`, else the default.

    "center" and "zoom" (LEAFLET_CONFIG) are always there as the last fallback; "bounds" ([[S, W], [N, E]]) when
    known. The extent of the plans is cached per public data version under `cache_key`.
    """
    view = {"center": list(settings.LEAFLET_CONFIG["DEFAULT_CENTER"]), "zoom": settings.LEAFLET_CONFIG["DEFAULT_ZOOM"]}
    extent: tuple[float, ...] | None = None
    if municipality is not None and municipality.boundary is not None:
        extent = municipality.boundary.extent
    else:
        key = f"portal:extent:{public_version()}:{cache_key}"
        extent = cache.get(key)
        if extent is None:
            extent = tuple(plans.order_by().aggregate(extent=Extent("area"))["extent"] or ())
            cache.set(key, extent, EXTENT_CACHE_SECONDS)
    if extent:
        minx, miny, maxx, maxy = extent
        view["bounds"] = [[miny, minx], [maxy, maxx]]
    return view
