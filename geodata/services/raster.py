"""Raster plan drawings as layers: a georeferenced image shown as an overlay on the plan map."""

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
    """Create the raster layer `name` of `plan` (for its next version) from a PNG in EPSG:3857 and its bounds.

    The layer is of kind RASTER, hidden by default; it takes the place, visibility and style of the
    current raster layer of the same name, which stays unchanged in its earlier version.
    """
    rules.require(by, "manage", plan.municipality)
    west, south, east, north = bounds
    like = plan.layers.filter(kind=Layer.Kind.RASTER, name=name[:200], current=True).order_by("pk").first()
    order = like.order if like else (plan.layers.aggregate(top=Max("order"))["top"] or 0) + 1
    layer = Layer(
        plan=plan,
        name=name[:200],
        kind=Layer.Kind.RASTER,
        order=order,
        style=dict(like.style) if like else dict(RASTER_STYLE),
        visible_by_default=like.visible_by_default if like else False,
    )
    layer.raster_file.save(f"plan-{plan.pk}-{uuid.uuid4().hex[:12]}.png", ContentFile(png), save=False)
    layer.raster_bounds = Polygon.from_bbox((west, south, east, north))
    layer.raster_bounds.srid = 4326
    layer.source_name, layer.source_crs = source_name[:300], source_crs[:50]
    layer.save()
    bump_plan_page(plan.pk)
    return layer
