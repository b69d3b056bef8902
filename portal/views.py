"""Public pages composed from several apps: the plan map (start page) and the plan page."""

from django.conf import settings
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import DetailView, TemplateView

from participation.plan_page import plan_page_participation
from participation.selectors import plans_with_open_state
from plans.models import Municipality, Plan
from plans.selectors import PlanFilterError, municipalities_with_plans

from .selectors import published_plans


def map_view(municipality) -> dict:
    """Return where the plan map starts: the municipality's extent, else the configured centre."""
    view = {"center": list(settings.LEAFLET_CONFIG["DEFAULT_CENTER"]), "zoom": settings.LEAFLET_CONFIG["DEFAULT_ZOOM"]}
    if municipality is not None and municipality.boundary is not None:
        minx, miny, maxx, maxy = municipality.boundary.extent
        view["bounds"] = [[miny, minx], [maxy, maxx]]
    return view


class PlanMapView(TemplateView):
    """The start page: a map of all published plans with a filterable list beside it."""

    template_name = "plans/map.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        municipality = None
        if "municipality" in self.kwargs:
            municipality = get_object_or_404(Municipality, slug=self.kwargs["municipality"])
            params["gemeinde"] = municipality.slug
        elif params.get("gemeinde"):
            municipality = Municipality.objects.filter(slug=params["gemeinde"]).first()
        try:
            plans = published_plans(params)
            filter_error = False
        except PlanFilterError:
            plans = Plan.objects.none()
            filter_error = True
        api_params = {k: params[k] for k in ("gemeinde", "art", "stand", "open") if params.get(k)}
        context.update(
            municipality=municipality,
            municipalities=municipalities_with_plans(),
            plans=plans_with_open_state(plans).order_by("municipality__name", "title"),
            filter_error=filter_error,
            kinds=Plan.Kind.choices,
            stages=Plan.Stage.choices,
            selected={k: params.get(k, "") for k in ("gemeinde", "art", "stand", "open")},
            map_config={"api": "/api/v1/plans/", "params": api_params, **map_view(municipality)},
        )
        return context


class PlanDetailView(DetailView):
    """A published plan at its stable URL /<municipality>/plaene/<plan>/."""

    template_name = "plans/plan_detail.html"
    context_object_name = "plan"

    def get_object(self, queryset=None):
        plan = get_object_or_404(
            Plan.objects.published()
            .select_related("municipality")
            .annotate(area_geojson=AsGeoJSON("area", precision=6)),
            municipality__slug=self.kwargs["municipality"],
            slug=self.kwargs["plan"],
        )
        return plan

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.object
        context.update(
            municipality=plan.municipality,
            documents=plan.documents.current(),
            document_history=plan.documents.history(),
            stage_changes=plan.stage_changes.all(),
            consultations=plan.consultations.public().order_by("start_date", "round"),
            now=timezone.now(),
            map_config={"area": plan.area_geojson, "plan_id": plan.pk},
            p=plan_page_participation(plan=plan, request=self.request),
        )
        return context
