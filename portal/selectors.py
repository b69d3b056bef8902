"""Read helpers for the public plan lists (HTML map and API): filters, bbox, map extent and grid clusters."""

import math

from django.conf import settings
from django.contrib.gis.db.models import Extent
from django.contrib.gis.geos import Polygon
from django.core.cache import cache
from django.db import connections
from django.db.models import FloatField, Func

from participation.selectors import plans_open_for_comments, plans_with_open_state
from plans.cache import public_version
from plans.models import Municipality
from plans.selectors import PlanFilterError, filter_published_plans

OPEN_VALUES = ("1", "true", "on", "ja")
MAX_ZOOM = 22
# Below this zoom the map shows clusters (one point per grid cell); from it on, the plans' outlines.
OUTLINE_MIN_ZOOM = 12
CLUSTER_CELL_PX = 80
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


class BoxCentre(Func):
    """The centre of a geometry's bounding box along `axis` ("X" or "Y"): cheap, PostGIS keeps the box."""

    arity = 1
    output_field = FloatField()

    def __init__(self, expression, *, axis: str):
        super().__init__(expression)
        self.axis = axis

    def as_postgresql(self, compiler, connection, **extra):
        # ::box2d reads the box stored with the geometry instead of walking its vertices.
        template = f"((ST_{self.axis}Min(%(expressions)s::box2d) + ST_{self.axis}Max(%(expressions)s::box2d)) / 2)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = f"((ST_Min{self.axis}(%(expressions)s) + ST_Max{self.axis}(%(expressions)s)) / 2)"
        return self.as_sql(compiler, connection, template=template, **extra)


def snap_bbox(bbox: tuple[float, float, float, float], *, zoom: int) -> tuple[float, float, float, float]:
    """Return `bbox` widened outwards to multiples of the cluster cell width at `zoom` (within WGS 84)."""
    cell = CLUSTER_CELL_PX * pixel_degrees(zoom)
    minx, miny, maxx, maxy = bbox
    return (
        max(-180.0, math.floor(minx / cell) * cell),
        max(-90.0, math.floor(miny / cell) * cell),
        min(180.0, math.ceil(maxx / cell) * cell),
        min(90.0, math.ceil(maxy / cell) * cell),
    )


def plan_clusters(plans, *, zoom: int, bbox: tuple[float, float, float, float] | None = None) -> list[dict]:
    """Group `plans` by a grid of CLUSTER_CELL_PX screen pixels at `zoom` over the centres of their bounding boxes.

    Only plans whose centre lies in `bbox` count; cells are square on a Web Mercator map at the bbox's middle
    latitude. Return one dict per non-empty cell: `count`, `lon`/`lat` (mean centre), `bbox` of the centres, and
    `plan` (the plan, annotated with its open state) when the cell holds a single plan.
    """
    latitude = (bbox[1] + bbox[3]) / 2 if bbox else 0.0
    cell_lon = CLUSTER_CELL_PX * pixel_degrees(zoom)
    cell_lat = cell_lon * math.cos(math.radians(min(abs(latitude), WEB_MERCATOR_MAX_LAT)))
    centres = plans.order_by().annotate(lon=BoxCentre("area", axis="X"), lat=BoxCentre("area", axis="Y"))
    connection = connections[centres.db]
    if bbox is not None:
        minx, miny, maxx, maxy = bbox
        centres = centres.filter(lon__gte=minx, lon__lte=maxx, lat__gte=miny, lat__lte=maxy)
        if connection.vendor == "postgresql":
            # A centre inside implies overlapping boxes: && lets the spatial index skip the rest.
            centres = centres.filter(area__bboverlaps=Polygon.from_bbox(bbox))
    # Group in an outer query over (id, lon, lat) only: grouping the plan rows themselves would sort their areas.
    sql, params = centres.values("id", "lon", "lat").query.sql_with_params()
    if connection.vendor == "postgresql":
        sql += " OFFSET 0"  # keeps PostgreSQL from merging the two queries into one that sorts the areas again
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT FLOOR(lon / %s), FLOOR(lat / %s), COUNT(*), AVG(lon), AVG(lat), MIN(lon), MIN(lat), MAX(lon), "
            f"MAX(lat), MIN(id) FROM ({sql}) AS centres GROUP BY 1, 2 ORDER BY 1, 2",
            [cell_lon, cell_lat, *params],
        )
        columns = ("cx", "cy", "count", "mean_lon", "mean_lat", "west", "south", "east", "north", "plan_id")
        cells = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    single_ids = [row["plan_id"] for row in cells if row["count"] == 1]
    single_plans = (
        plans.model.objects.filter(pk__in=single_ids)
        .select_related("municipality")
        .defer("area", "description", "municipality__boundary")
    )
    singles = {plan.pk: plan for plan in plans_with_open_state(single_plans)}
    return [
        {
            "count": row["count"],
            "lon": round(row["mean_lon"], 6),
            "lat": round(row["mean_lat"], 6),
            "bbox": [round(row[key], 6) for key in ("west", "south", "east", "north")],
            "plan": singles.get(row["plan_id"]) if row["count"] == 1 else None,
        }
        for row in cells
    ]


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
