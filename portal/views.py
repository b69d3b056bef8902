"""Public pages composed from several apps: the plan map (start page) and the plan page."""

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import escape
from django.views.generic import DetailView, TemplateView

from accounts.bundid import citizen_identity
from council.selectors import plan_decisions
from participation.plan_page import (
    MAX_CACHED_PAGE,
    next_state_change,
    plan_page_participation,
    statement_form_markers,
    statement_form_values,
    statement_page_number,
)
from participation.selectors import plans_open_for_comments
from plans.cache import public_version
from plans.models import DocumentSection, Municipality, Plan
from plans.page_cache import fill_markers, marker, page_cache_enabled, plan_page_version, plan_page_version_key
from plans.selectors import PlanFilterError, municipalities_with_plans

from .change_map import plan_page_changes
from .map_legend import legend_context, map_styles
from .selectors import OUTLINE_MIN_ZOOM, map_view, published_plans
from .timeline import procedure_timeline


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
            legend=legend_context(),
            map_config={
                "api": reverse("plans:api_list"),
                "params": api_params,
                "outlineMinZoom": OUTLINE_MIN_ZOOM,
                "styles": map_styles(),
                **map_view(plans, municipality, cache_key=urlencode(sorted(api_params.items()))),
            },
        )
        return context


# Plan id by (municipality slug, plan slug), per process: lets a cache hit read rendering and version in
# one round trip. A stale entry (slugs now name another plan) only costs a miss: the rendering records
# the plan it shows.
_plan_ids: dict[tuple[str, str], int] = {}


def _remember_plan_id(slugs: tuple[str, str], plan_id: int) -> None:
    if len(_plan_ids) > 10_000:
        _plan_ids.clear()
    _plan_ids[slugs] = plan_id


def _municipality_choices() -> list[tuple[str, str]]:
    """Return (slug, name) of the municipalities with published plans, cached per public data version."""
    key = f"portal:municipalities:{public_version()}"
    choices = cache.get(key)
    if choices is None:
        choices = list(municipalities_with_plans().values_list("slug", "name"))
        cache.set(key, choices, 60 * 60)
    return choices


class PlanDetailView(DetailView):
    """A published plan at its stable URL /<municipality>/plaene/<plan>/.

    Anonymous visitors get the rendering cached under the plan's page version (plans.page_cache);
    CSRF token, CSP nonce, the statement form's token, messages and the language switch's return
    address are markers in the cached HTML, filled in for every response.
    """

    template_name = "plans/plan_detail.html"
    context_object_name = "plan"

    def get(self, request, *args, **kwargs):
        key = self._cache_key()
        version = plan_id = None
        slugs = (self.kwargs["municipality"], self.kwargs["plan"])
        if key is not None:
            plan_id = _plan_ids.get(slugs)
            if plan_id is not None:
                # One round trip for the rendering and the plan's current version. The version is read
                # before any row, so a change committed while rendering leaves this rendering behind.
                found = cache.get_many([key, plan_page_version_key(plan_id)])
                version = found.get(plan_page_version_key(plan_id)) or plan_page_version(plan_id)
                entry = found.get(key)
                if entry is not None and self._is_current(entry, plan_id, version):
                    return self._respond(entry, "hit")
        self.object = self.get_object()
        if key is not None and self.object.pk != plan_id:
            # This process meets the plan for the first time (or the slugs moved to another plan): the
            # version could not be read before the rows, so this rendering is not stored.
            _remember_plan_id(slugs, self.object.pk)
            version = None
        context = self.get_context_data(object=self.object)
        entry = self._render(context, version)
        if key is not None and version is not None:
            timeout = min(settings.PLAN_PAGE_CACHE_SECONDS, (entry["valid_until"] - timezone.now()).total_seconds())
            if timeout >= 1:
                cache.set(key, entry, int(timeout))
        return self._respond(entry, "bypass" if key is None else "miss")

    def _cache_key(self) -> str | None:
        """Return the cache key of this request's rendering, or None if this request must not use the cache."""
        request = self.request
        if request.method != "GET" or not page_cache_enabled() or request.user.is_authenticated:
            return None
        if "antwort" in request.GET:  # a reply form names another visitor's statement: rare, not cached
            return None
        if "abschnitt" in request.GET:  # a form with a preselected section (from a document's reading view)
            return None
        if citizen_identity(request) is not None:  # a BundID citizen's form shows their name instead of the fields
            return None
        from participation.models import Statement

        topic = request.GET.get("thema", "")
        topic = topic if topic in Statement.Topic.values else ""
        order = "aelteste" if request.GET.get("sortierung") == "aelteste" else "neueste"
        page = statement_page_number(request.GET)  # each page of the statement list is its own rendering
        if page > MAX_CACHED_PAGE:
            return None
        return ":".join(
            (
                "pb:plan-page:html",
                self.kwargs["municipality"],
                self.kwargs["plan"],
                translation.get_language(),
                timezone.get_current_timezone_name(),
                topic,
                order,
                str(page),
            )
        )

    def _is_current(self, entry: dict, plan_id: int, version: int) -> bool:
        """Return whether a cached rendering still shows the plan as it is now (plan, version and time of day)."""
        return entry["plan_id"] == plan_id and entry["version"] == version and timezone.now() < entry["valid_until"]

    def _render(self, context, version: int | None) -> dict:
        """Render the page with markers for the per-request parts; return it with what validates and fills it."""
        plan = self.object
        form = context["p"]["form"]
        form_target = statement_form_markers(form) if form is not None else None
        context.update(
            csrf_token=marker("csrf"),
            CSP_NONCE=marker("nonce"),
            page_markers={"messages": marker("messages"), "language_next": marker("language_next")},
        )
        html = render_to_string(self.template_name, context, request=self.request)
        now = context["now"]
        next_change = next_state_change(context["p"]["consultations"], now)
        # The status line counts days ("noch 12 Tage"): a rendering lasts at most until the next local midnight.
        midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(now) + dt.timedelta(days=1), dt.time()))
        valid_until = min(filter(None, (next_change, midnight)))
        return {"plan_id": plan.pk, "version": version, "html": html, "form": form_target, "valid_until": valid_until}

    def _respond(self, entry: dict, state: str):
        """Return the response for `entry` with this request's token, nonce, form token and messages filled in."""
        request = self.request
        values = {
            "csrf": get_token(request),
            "nonce": str(request.csp_nonce),  # type: ignore[attr-defined]  # set by csp.middleware
            "language_next": escape(request.get_full_path()),
            "messages": self._messages_html(),
        }
        if entry["form"] is not None:
            values.update(statement_form_values(entry["form"]))
        response = HttpResponse(fill_markers(entry["html"], values))
        response["X-Page-Cache"] = state
        # The page carries this visitor's CSRF token and nonce: browsers may keep it, shared caches may not.
        patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response

    def _messages_html(self) -> str:
        storage = get_messages(self.request)
        if not len(storage):
            return ""
        return render_to_string("_messages.html", {"messages": storage})

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
        participation = plan_page_participation(plan=plan, request=self.request)
        context.update(
            municipality=plan.municipality,
            documents=plan.documents.current().annotate(
                has_sections=Exists(DocumentSection.objects.filter(document=OuterRef("pk")))
            ),
            document_history=plan.documents.history(),
            timeline=procedure_timeline(list(plan.stage_changes.all()), plan_decisions(plan)),
            consultations=participation["consultations"],
            now=timezone.now(),
            map_config={"area": plan.area_geojson, "plan_id": plan.pk},
            p=participation,
            changes=plan_page_changes(participation["consultation"]),
        )
        return context
