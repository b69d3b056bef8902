"""Raster plan drawings as layers: a georeferenced image shown as an overlay on the plan map."""

import functools
import uuid

from django.contrib.gis.geos import Polygon
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from plans import rules
from plans.models import Plan
from plans.page_cache import bump_plan_page

from ..models import Layer

RASTER_STYLE = {"color": "#555555", "fillColor": "#ffffff", "fillOpacity": 0.0, "weight": 0}


def raster_layer_name(image_name: str, *, several: bool) -> str:
    """Return the layer name of a drawing: "Planzeichnung (Rasterbild)", with the file name if there are several."""
    base = _("Planzeichnung (Rasterbild)")
    return f"{base} – {image_name}"[:200] if several else base


@transaction.atomic
def raster_layer_save(
    *,
    plan: Plan,
    by,
    name: str,
    png: bytes,
    bounds: tuple[float, float, float, float],
    source_name: str,
    source_crs: str,
) -> Layer:
    """Create or replace the raster layer `name` of `plan` with a PNG in EPSG:3857 and its bounds (EPSG:4326).

    The layer is of kind RASTER and hidden by default; a layer of the same name is updated in place.
    """
    rules.require(by, "manage", plan.municipality)
    west, south, east, north = bounds
    layer = plan.layers.filter(kind=Layer.Kind.RASTER, name=name[:200], current=True).order_by("pk").first()
    if layer is None:
        order = (plan.layers.aggregate(top=Max("order"))["top"] or 0) + 1
        layer = Layer(plan=plan, name=name[:200], kind=Layer.Kind.RASTER, order=order, style=dict(RASTER_STYLE))
        layer.visible_by_default = False
    old_file = layer.raster_file.name if layer.raster_file else ""
    layer.raster_file.save(f"plan-{plan.pk}-{uuid.uuid4().hex[:12]}.png", ContentFile(png), save=False)
    layer.raster_bounds = Polygon.from_bbox((west, south, east, north))
    layer.raster_bounds.srid = 4326
    layer.source_name, layer.source_crs = source_name[:300], source_crs[:50]
    layer.version += 1 if layer.pk else 0
    layer.save()
    if old_file:
        storage = layer.raster_file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    bump_plan_page(plan.pk)
    return layer


@transaction.atomic
def raster_layers_prune(*, plan: Plan, by, keep: list[int]) -> int:
    """Delete the plan's raster layers from an earlier import that are not in `keep`; return how many."""
    rules.require(by, "manage", plan.municipality)
    gone = list(plan.layers.filter(kind=Layer.Kind.RASTER, current=True).exclude(source_name="").exclude(pk__in=keep))
    for layer in gone:
        name, storage = layer.raster_file.name, layer.raster_file.storage
        layer.delete()
        if name:
            transaction.on_commit(functools.partial(storage.delete, name))
    if gone:
        bump_plan_page(plan.pk)
    return len(gone)
