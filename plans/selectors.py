"""Read-side helpers for public plan lists, shared by the HTML views and the API."""

from django.contrib.gis.geos import Polygon
from django.db.models import Exists, OuterRef

from .models import Municipality, Plan, PlanQuerySet


class PlanFilterError(ValueError):
    """A filter parameter could not be understood."""


def parse_bbox(value: str) -> Polygon:
    """Return a Polygon (EPSG:4326) from 'minlon,minlat,maxlon,maxlat'."""
    try:
        minx, miny, maxx, maxy = (float(part) for part in value.split(","))
    except ValueError as exc:
        raise PlanFilterError("bbox") from exc
    if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
        raise PlanFilterError("bbox")
    return Polygon.from_bbox((minx, miny, maxx, maxy))


def filter_published_plans(params) -> PlanQuerySet:
    """Return published plans filtered by municipality, kind, stage and bbox from `params`.

    The "open for comments" filter needs consultations and is applied by `portal.selectors`.
    """
    plans = Plan.objects.published().select_related("municipality")
    municipality = params.get("municipality") or params.get("gemeinde")
    if municipality:
        if municipality.isdigit():
            plans = plans.filter(municipality__ags=municipality)
        else:
            plans = plans.filter(municipality__slug=municipality)
    kind = params.get("kind") or params.get("art")
    if kind:
        if kind not in Plan.Kind.values:
            raise PlanFilterError("kind")
        plans = plans.filter(kind=kind)
    stage = params.get("stage") or params.get("stand")
    if stage:
        if stage not in Plan.Stage.values:
            raise PlanFilterError("stage")
        plans = plans.filter(stage=stage)
    bbox = params.get("bbox")
    if bbox:
        plans = plans.filter(area__intersects=parse_bbox(bbox))
    return plans


def municipalities_with_plans():
    """Return the municipalities that have at least one published plan."""
    return Municipality.objects.filter(Exists(Plan.objects.published().filter(municipality=OuterRef("pk"))))
