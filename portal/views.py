"""Public pages composed from several apps: the plan map (start page) and the plan page."""

from urllib.parse import urlencode

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.core.cache import cache
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, TemplateView

from participation.plan_page import plan_page_participation
from participation.selectors import plans_open_for_comments
from plans.cache import public_version
from plans.models import Municipality, Plan
from plans.selectors import PlanFilterError, municipalities_with_plans

from .selectors import OUTLINE_MIN_ZOOM, map_view, published_plans


class PlanMapView(TemplateView):
    """The start page: a map that loads what it shows, and a paginated, filterable list of the published plans.

    On a municipality's own domain (`request.municipality`, see portal.middleware) it is that municipality's page.
    """

    template_name = "portal/home.html"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        own = getattr(self.request, "municipality", None)
        municipality = own
        if own is None and "municipality" in self.kwargs:
            municipality = get_object_or_404(Municipality, slug=self.kwargs["municipality"])
        elif own is None and params.get("gemeinde"):
            municipality = Municipality.objects.filter(slug=params["gemeinde"]).first()
        if municipality is not None:
            params["gemeinde"] = municipality.slug
        try:
            plans = published_plans(params, municipality=own)
            filter_error = False
        except PlanFilterError:
            plans = Plan.objects.none()
            filter_error = True
        # One municipality: its plans by title; all municipalities: the newest first (the index on status and
        # published_at serves the page without sorting every plan). The list shows no geometry.
        order = ("title", "pk") if municipality is not None else ("-published_at", "-pk")
        listed = plans.defer("area", "description", "municipality__boundary").order_by(*order)
        page = Paginator(listed, self.paginate_by).get_page(params.get("seite"))
        # The open state only for the page's plans (in the sorted query the database would check every plan).
        page_plans = list(page.object_list)
        open_ids = set(
            plans_open_for_comments(Plan.objects.filter(pk__in=[plan.pk for plan in page_plans])).values_list(
                "pk", flat=True
            )
        )
        for plan in page_plans:
            plan.open_for_comments = plan.pk in open_ids
        api_params = {k: params[k] for k in ("gemeinde", "art", "stand", "open") if params.get(k)}
        context.update(
            municipality=municipality,
            own_domain=own is not None,
            municipalities=_municipality_choices(),
            data_version=public_version(),
            plans=page_plans,
            page_obj=page,
            page_links=page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            filter_error=filter_error,
            kinds=Plan.Kind.choices,
            stages=Plan.Stage.choices,
            selected={k: params.get(k, "") for k in ("gemeinde", "art", "stand", "open")},
            map_config={
                "api": reverse("plans:api_list"),
                "params": api_params,
                "outlineMinZoom": OUTLINE_MIN_ZOOM,
                **map_view(plans, municipality, cache_key=urlencode(sorted(api_params.items()))),
            },
        )
        return context


def _municipality_choices() -> list[tuple[str, str]]:
    """Return (slug, name) of the municipalities with published plans, cached per public data version."""
    key = f"portal:municipalities:{public_version()}"
    choices = cache.get(key)
    if choices is None:
        choices = list(municipalities_with_plans().values_list("slug", "name"))
        cache.set(key, choices, 60 * 60)
    return choices


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
