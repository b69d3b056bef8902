"""Open data API: published plans as GeoJSON (EPSG:4326), paginated, by bbox, clustered at low zoom."""

import math
from functools import lru_cache
from typing import TYPE_CHECKING, TypedDict

import orjson
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import AsGeoJSON, GeoFunc
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View

from participation.selectors import plans_with_open_state
from plans.cache import public_version
from plans.models import Plan
from plans.selectors import PlanFilterError

from .selectors import (
    OUTLINE_MIN_ZOOM,
    parse_bbox,
    parse_zoom,
    pixel_degrees,
    plan_clusters,
    published_plans,
    snap_bbox,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

GEOJSON_PRECISION = 6
# Whether a consultation is open also changes with the clock (midnight, early close):
# cached lists live at most this long even without a data change.
LIST_CACHE_SECONDS = 60
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


def _geojson_response(payload: dict) -> HttpResponse:
    response = HttpResponse(orjson.dumps(payload), content_type="application/geo+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


class SimplifyPreserveTopology(GeoFunc):
    """ST_SimplifyPreserveTopology (PostGIS and SpatiaLite): fewer vertices, still a valid polygon."""

    function = "ST_SimplifyPreserveTopology"
    output_field = GeometryField(srid=4326)


def _with_geometry_and_state(plans, *, zoom: int | None = None):
    """Annotate `geojson` (simplified to half a pixel at `zoom`, if given) and the open state."""
    if zoom is None:
        geojson = AsGeoJSON("area", precision=GEOJSON_PRECISION)
    else:
        tolerance = pixel_degrees(zoom) / 2
        precision = min(GEOJSON_PRECISION, max(1, math.ceil(-math.log10(tolerance))))
        geojson = AsGeoJSON(SimplifyPreserveTopology("area", tolerance), precision=precision)
    return plans_with_open_state(plans.annotate(geojson=geojson))


@lru_cache(maxsize=8)
def _choice_labels(language: str) -> tuple[dict[str, str], dict[str, str]]:
    """Return the translated labels of plan kinds and stages (get_FOO_display() is slow for thousands of plans)."""
    with translation.override(language):
        return {v: str(label) for v, label in Plan.Kind.choices}, {v: str(label) for v, label in Plan.Stage.choices}


class _FeatureAnnotations(TypedDict):
    geojson: str
    open_for_comments: bool


def plan_feature(plan: "WithAnnotations[Plan, _FeatureAnnotations]", request=None, geometry=None) -> dict:
    """Return the GeoJSON Feature of `plan` (annotated with `geojson`, unless `geometry` is given, and
    `open_for_comments`)."""
    url = plan.get_absolute_url()
    kind_labels, stage_labels = _choice_labels(get_language())
    return {
        "type": "Feature",
        "id": plan.pk,
        "geometry": geometry if geometry is not None else orjson.Fragment(plan.geojson),
        "properties": {
            "id": plan.pk,
            "title": plan.title,
            "number": plan.number,
            "kind": plan.kind,
            "kind_label": kind_labels.get(plan.kind, plan.kind),
            "stage": plan.stage,
            "stage_label": stage_labels.get(plan.stage, plan.stage),
            "summary": plan.summary,
            "municipality": plan.municipality.slug,
            "municipality_name": plan.municipality.name,
            "ags": plan.municipality.ags,
            "published_at": plan.published_at.isoformat() if plan.published_at else None,
            "open_for_comments": bool(plan.open_for_comments),
            "url": request.build_absolute_uri(url) if request else url,
        },
    }


class PlanCollectionView(View):
    """GET /api/v1/plans/: published plans as a FeatureCollection, one page at a time, or as clusters by `zoom`."""

    def get(self, request):
        try:
            params = normalised_params(request.GET)
        except PlanFilterError as exc:
            return _filter_error(str(exc))
        key = f"api:plans:{public_version()}:{request.get_host()}:{params.urlencode()}"
        cached = cache.get(key)
        if cached is None:
            try:
                cached = self.build(request, params)
            except PlanFilterError as exc:
                return _filter_error(str(exc))
            except PageNotFound:
                return JsonResponse({"error": _("Diese Seite der Liste gibt es nicht.")}, status=404)
            cache.set(key, cached, LIST_CACHE_SECONDS)
        body, links = cached
        response = HttpResponse(body, content_type="application/geo+json")
        response["Access-Control-Allow-Origin"] = "*"
        response["Cache-Control"] = f"public, max-age={LIST_CACHE_SECONDS}"
        if links:
            response["Link"] = ", ".join(f'<{link["href"]}>; rel="{link["rel"]}"' for link in links)
        return response

    def build(self, request, params) -> tuple[bytes, list[dict]]:
        """Return the response body and its next/prev links for the (normalised) `params`."""
        zoom = parse_zoom(params.get("zoom"))
        page_number = _positive_int(params.get("page"), "page", default=1)
        page_size = _positive_int(params.get("page_size"), "page_size", default=DEFAULT_PAGE_SIZE)
        if page_size > MAX_PAGE_SIZE:
            raise PlanFilterError("page_size")
        municipality = getattr(request, "municipality", None)
        if zoom is not None and zoom < OUTLINE_MIN_ZOOM:
            # Clusters take the plans whose centre lies in the bbox (plan_clusters), not all that touch it.
            bbox = parse_bbox(params["bbox"]) if params.get("bbox") else None
            plans = published_plans(_without(params, "bbox"), municipality=municipality)
            clusters = plan_clusters(plans, zoom=zoom, bbox=bbox)
            features = [cluster_feature(cluster, request) for cluster in clusters]
            payload = {
                "type": "FeatureCollection",
                "clustered": True,
                "numberMatched": sum(feature["properties"]["count"] for feature in features),
                "numberReturned": len(features),
                "features": features,
            }
            return orjson.dumps(payload), []
        plans = published_plans(params, municipality=municipality).defer(
            "area", "description", "municipality__boundary"
        )
        total = plans.count()
        pages = max(1, math.ceil(total / page_size))
        if page_number > pages:
            raise PageNotFound
        offset = (page_number - 1) * page_size
        page = _with_geometry_and_state(plans.order_by("pk")[offset : offset + page_size], zoom=zoom)
        features = [plan_feature(plan, request) for plan in page]
        links = []
        if page_number < pages:
            links.append({"rel": "next", "href": _page_url(request, page_number + 1)})
        if page_number > 1:
            links.append({"rel": "prev", "href": _page_url(request, page_number - 1)})
        payload = {
            "type": "FeatureCollection",
            "clustered": False,
            "numberMatched": total,
            "numberReturned": len(features),
            "page": page_number,
            "pages": pages,
            "links": links,
            "features": features,
        }
        return orjson.dumps(payload), links


def normalised_params(query):
    """Return `query` with a cluster request's bbox widened to whole grid cells, so nearby views share an answer."""
    zoom = parse_zoom(query.get("zoom"))
    if zoom is None or zoom >= OUTLINE_MIN_ZOOM or not query.get("bbox"):
        return query
    params = query.copy()
    params["bbox"] = ",".join(f"{value:.6f}" for value in snap_bbox(parse_bbox(query["bbox"]), zoom=zoom))
    return params


def _without(params, name: str):
    params = params.copy()
    params.pop(name, None)
    return params


class PageNotFound(Exception):
    """The requested page lies beyond the last one."""


def _positive_int(value: str | None, name: str, *, default: int) -> int:
    if value in (None, ""):
        return default
    if not value.isdigit() or int(value) < 1:
        raise PlanFilterError(name)
    return int(value)


def _page_url(request, page: int) -> str:
    params = request.GET.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


FILTER_HINTS = {
    "bbox": _lazy(
        "bbox erwartet vier Zahlen in WGS 84, getrennt durch Kommas: min. Länge, min. Breite, max. Länge, "
        "max. Breite (z. B. 8.4,50.2,8.7,50.4); Länge -180 bis 180, Breite -90 bis 90, Minimum kleiner als Maximum."
    ),
    "zoom": _lazy("zoom erwartet eine ganze Zahl von 0 bis 22."),
    "page": _lazy("page erwartet eine ganze Zahl ab 1."),
    "page_size": _lazy("page_size erwartet eine ganze Zahl von 1 bis %(max)d."),
}


def _filter_error(name: str) -> JsonResponse:
    payload = {"error": _("Ungültiger Filterwert: %(name)s") % {"name": name}, "parameter": name}
    if name in FILTER_HINTS:
        payload["detail"] = str(FILTER_HINTS[name]) % {"max": MAX_PAGE_SIZE}
    return JsonResponse(payload, status=400)


def cluster_feature(cluster: dict, request) -> dict:
    """Return a grid cell as a GeoJSON Point: a cluster (`count`, `bbox`) or, for a single plan, that plan."""
    geometry = {"type": "Point", "coordinates": [cluster["lon"], cluster["lat"]]}
    if cluster["plan"] is not None:
        feature = plan_feature(cluster["plan"], request, geometry=geometry)
        feature["properties"].update(cluster=False, count=1)
        return feature
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {"cluster": True, "count": cluster["count"], "bbox": cluster["bbox"]},
    }


class PlanDetailApiView(View):
    """GET /api/v1/plans/<id>/: one published plan with its documents."""

    def get(self, request, pk):
        plans = Plan.objects.published().select_related("municipality")
        if getattr(request, "municipality", None) is not None:
            plans = plans.filter(municipality=request.municipality)
        plan = get_object_or_404(_with_geometry_and_state(plans), pk=pk)
        feature = plan_feature(plan, request)
        feature["properties"]["description"] = plan.description
        feature["properties"]["documents"] = [
            {
                "title": document.title,
                "kind": document.kind,
                "kind_label": str(document.get_kind_display()),
                "url": request.build_absolute_uri(
                    reverse("plans:document", args=[plan.municipality.slug, plan.slug, document.pk])
                ),
                "size": document.size,
                "online_since": document.online_since.isoformat(),
            }
            for document in plan.documents.current()
        ]
        feature["properties"]["stages"] = [
            {"stage": change.stage, "label": str(change.get_stage_display()), "date": change.date.isoformat()}
            for change in plan.stage_changes.all()
        ]
        return _geojson_response(feature)
