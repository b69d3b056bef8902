"""Raster plan drawings and XPlanGML downloads of plans."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from django.views import View

from plans import rules

from .models import Layer


class LayerRasterView(View):
    """GET /api/v1/layers/<id>/raster.png: the drawing of a raster layer (EPSG:3857), of a published plan or to staff."""

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
