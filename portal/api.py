"""Open data API: published plans as GeoJSON (EPSG:4326)."""

from typing import TYPE_CHECKING, TypedDict

import orjson
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from participation.selectors import plans_with_open_state
from plans.cache import public_version
from plans.models import Plan
from plans.selectors import PlanFilterError

from .selectors import published_plans

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

GEOJSON_PRECISION = 6
# Whether a consultation is open also changes with the clock (midnight, early close):
# cached lists live at most this long even without a data change.
LIST_CACHE_SECONDS = 60


def _geojson_response(payload: dict) -> HttpResponse:
    response = HttpResponse(orjson.dumps(payload), content_type="application/geo+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _with_geometry_and_state(plans):
    return plans_with_open_state(plans.annotate(geojson=AsGeoJSON("area", precision=GEOJSON_PRECISION)))


class _FeatureAnnotations(TypedDict):
    geojson: str
    open_for_comments: bool


def plan_feature(plan: "WithAnnotations[Plan, _FeatureAnnotations]", request=None) -> dict:
    """Return the GeoJSON Feature of `plan` (annotated with `geojson` and `open_for_comments`)."""
    url = plan.get_absolute_url()
    return {
        "type": "Feature",
        "id": plan.pk,
        "geometry": orjson.Fragment(plan.geojson),
        "properties": {
            "id": plan.pk,
            "title": plan.title,
            "number": plan.number,
            "kind": plan.kind,
            "kind_label": str(plan.get_kind_display()),
            "stage": plan.stage,
            "stage_label": str(plan.get_stage_display()),
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
    """GET /api/v1/plans/: published plans as a FeatureCollection."""

    def get(self, request):
        key = f"api:plans:{public_version()}:{request.get_host()}:{request.GET.urlencode()}"
        body = cache.get(key)
        if body is None:
            try:
                plans = _with_geometry_and_state(published_plans(request.GET))
            except PlanFilterError as exc:
                return JsonResponse({"error": _("Ungültiger Filterwert: %(name)s") % {"name": str(exc)}}, status=400)
            features = [plan_feature(plan, request) for plan in plans]
            body = orjson.dumps({"type": "FeatureCollection", "features": features})
            cache.set(key, body, LIST_CACHE_SECONDS)
        response = HttpResponse(body, content_type="application/geo+json")
        response["Access-Control-Allow-Origin"] = "*"
        response["Cache-Control"] = f"public, max-age={LIST_CACHE_SECONDS}"
        return response


class PlanDetailApiView(View):
    """GET /api/v1/plans/<id>/: one published plan with its documents."""

    def get(self, request, pk):
        plan = get_object_or_404(
            _with_geometry_and_state(Plan.objects.published().select_related("municipality")), pk=pk
        )
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
