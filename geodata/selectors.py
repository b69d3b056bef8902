"""Reads of the geodata app: who may import where, import progress, public layer versions."""

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet

from plans.geometry import to_metric
from plans.models import Membership, Municipality, Plan

from .models import ImportRun, Layer
from .services.publishing import layer_tiles_ready, layer_uses_tiles, public_layer_cache_key
from .services.staging import progress_key


def planner_municipalities(user) -> QuerySet[Municipality]:
    """Return the municipalities in which `user` may import plans (planner role, or all for superusers)."""
    if user.is_superuser:
        return Municipality.objects.all()
    return Municipality.objects.filter(memberships__user=user, memberships__role=Membership.Role.PLANNER).distinct()


def import_run_progress(run: ImportRun) -> tuple[int, int]:
    """Return (done, total) of `run`: live from the cache while it runs, else from the row."""
    return cache.get(progress_key(run.pk)) or (run.progress_done, run.progress_total)


def public_layer_version(pk: int) -> dict:
    """Return pk, version and feature_count of a public layer, or {} (cached briefly: tiles ask per request)."""
    key = public_layer_cache_key(pk)
    layer = cache.get(key)
    if layer is None:
        layer = Layer.objects.public().filter(pk=pk).values("pk", "version", "feature_count").first() or {}
        cache.set(key, layer, settings.GEODATA_LAYER_CACHE_SECONDS)
    return layer


def plan_area_m2(plan: Plan) -> float | None:
    """Return the size of `plan`'s Geltungsbereich in square metres (in the municipality's metric CRS)."""
    if plan.area is None:
        return None
    return to_metric(plan.area, plan.municipality.crs_epsg).area


def layers_with_serving(plan: Plan) -> list[Layer]:
    """Return the layers of `plan`'s current version, each with `serving`: "geojson", "tiles" or "tiles_pending"."""
    layers = list(plan.layers.filter(current=True))
    for layer in layers:
        if not layer_uses_tiles(layer):
            layer.serving = "geojson"  # type: ignore[attr-defined]
        else:
            layer.serving = "tiles" if layer_tiles_ready(layer) else "tiles_pending"  # type: ignore[attr-defined]
    return layers
