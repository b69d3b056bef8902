"""Files of plans read from or written as XPlanGML: raster drawings and the XPlanGML download."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.views import View

from plans import rules
from plans.models import Plan

from .models import Layer
from .services.xplan_download import xplan_download_request
from .views import _file_response, _pending_response


class LayerRasterView(View):
    """GET /api/v1/layers/<id>/raster.png: a raster drawing (EPSG:3857) of a published plan, or to its staff."""

    def get(self, request, pk):
        layer = get_object_or_404(
            Layer.objects.select_related("plan__municipality").exclude(raster_file=""), pk=pk, kind=Layer.Kind.RASTER
        )
        if not layer.plan.is_public and not rules.can_view(request.user, layer.plan.municipality):
            raise Http404
        try:
            handle = layer.raster_file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        name = slugify(f"{layer.plan.slug}-{layer.name}") or f"ebene-{layer.pk}"
        response = FileResponse(handle, content_type="image/png", filename=f"{name}.png")
        response["Cache-Control"] = "public, max-age=86400" if layer.plan.is_public else "private, no-store"
        return response


class PlanXPlanDownloadView(View):
    """GET /api/v1/plans/<id>/xplan.gml: the plan as XPlanGML 6.0 (public once published, else to its staff).

    The file is built by a background task, never here; until it exists the answer is the wait page (202).
    """

    def get(self, request, pk):
        plan = get_object_or_404(Plan.objects.select_related("municipality"), pk=pk)
        if not plan.is_public and not rules.can_view(request.user, plan.municipality):
            raise Http404
        if not plan.layers.filter(current=True).exclude(xplan_class="").exists():
            raise Http404
        stored = xplan_download_request(plan=plan, by=request.user)
        back_url = plan.get_absolute_url()
        if stored is None:
            return _pending_response(request, back_url)
        filename = f"{plan.municipality.slug}-{plan.slug}-xplan.gml"
        return _file_response(request, stored, "application/gml+xml", filename, back_url)
