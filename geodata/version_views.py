"""Public pages of a plan's versions (Fassungen): the list, and one version's map, layers and downloads."""

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from plans.models import Plan

from .labels import feature_title
from .models import Feature
from .services.versions import plan_current_version, plan_version, plan_versions, version_layers

MAX_LISTED_ELEMENTS = 200  # per layer in the list alternative to the map; larger layers: the downloads


class PlanVersionsMixin:
    """The published plan named by the URL's municipality and plan slugs."""

    kwargs: dict

    def get_plan(self) -> Plan:
        return get_object_or_404(
            Plan.objects.published()
            .select_related("municipality")
            .annotate(area_geojson=AsGeoJSON("area", precision=6)),
            municipality__slug=self.kwargs["municipality"],
            slug=self.kwargs["plan"],
        )


class PlanVersionListView(PlanVersionsMixin, TemplateView):
    """GET /<municipality>/plaene/<plan>/fassungen/: every version with its date, source file and counts."""

    template_name = "geodata/plan_versions.html"

    def get_context_data(self, **kwargs):
        plan = self.get_plan()
        versions = list(plan_versions(plan))
        return super().get_context_data(
            plan=plan, municipality=plan.municipality, versions=versions, current=versions[0] if versions else None
        )


class PlanVersionDetailView(PlanVersionsMixin, TemplateView):
    """GET /<municipality>/plaene/<plan>/fassungen/<n>/: the map and downloads of one version's layers."""

    template_name = "geodata/plan_version.html"

    def get_context_data(self, **kwargs):
        plan = self.get_plan()
        version = plan_version(plan, self.kwargs["number"])
        if version is None:
            raise Http404
        current = plan_current_version(plan)
        layers = list(version_layers(version))
        return super().get_context_data(
            plan=plan,
            municipality=plan.municipality,
            plan_version=version,
            is_current=current is not None and current.pk == version.pk,
            layer_elements=[(layer, _elements(layer)) for layer in layers],
            map_config={"area": plan.area_geojson, "plan_id": plan.pk},
        )


def _elements(layer) -> list[tuple[str, str]] | None:
    """Return (title, key) of a layer's elements for the list, or None if the layer is too large to list."""
    if layer.feature_count > MAX_LISTED_ELEMENTS:
        return None
    rows = Feature.objects.filter(layer=layer).order_by("pk").values_list("source_id", "properties")
    return [(feature_title(props or {}), key) for key, props in rows]
