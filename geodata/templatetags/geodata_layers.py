"""Template tags for the plan page's layers: configuration for plan_layers.js and the legend."""

import re

from django import template
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from geodata.labels import labels_for_fields, layer_label_config
from geodata.models import Layer, default_style
from geodata.services import layer_uses_tiles
from geodata.serving import storage
from geodata.serving.tiles import open_archive
from plans.section_services_xplan import xplan_section_links

register = template.Library()

_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


def clean_style(style) -> dict:
    """Return a style with only known keys and safe values (colours as #rgb/#rrggbb)."""
    base = default_style()
    style = style if isinstance(style, dict) else {}
    result = {}
    for key in ("color", "fillColor"):
        value = style.get(key, base[key])
        result[key] = value if isinstance(value, str) and _COLOR.match(value) else base[key]
    for key, low, high in (("fillOpacity", 0.0, 1.0), ("weight", 0.0, 10.0)):
        value = style.get(key, base[key])
        result[key] = min(high, max(low, float(value))) if isinstance(value, int | float) else base[key]
    return result


def layer_labels(layer) -> dict[str, str]:
    """Return the layer's attribute label map; for a layer imported before labels existed, from its attributes."""
    if layer.attribute_labels:
        return layer.attribute_labels
    fields: set[str] = set()
    for properties in layer.features.values_list("properties", flat=True)[:20]:
        fields.update(properties or {})
    return labels_for_fields(sorted(fields))


def raster_entry(layer) -> dict:
    """Return the configuration of a raster drawing: an image overlay with its bounds (west, south, east, north)."""
    west, south, east, north = layer.raster_bounds.extent
    return {
        "id": layer.pk,
        "name": layer.name,
        "kind": str(layer.get_kind_display()),
        "count": 0,
        "version": layer.version,
        "visible": layer.visible_by_default,
        "mode": "raster",
        "url": reverse("geodata:layer_raster", args=[layer.pk]) + f"?v={layer.version}",
        "bounds": [west, south, east, north],
        "alt": _("Planzeichnung (Rasterbild)"),
        "opacity": 0.8,
        "style": clean_style(layer.style),
    }


@register.simple_tag
def plan_xplan_url(plan) -> str:
    """Return the URL of the plan's XPlanGML download, or "" if it has no layers read from XPlanGML."""
    if not plan.layers.filter(current=True).exclude(xplan_class="").exists():
        return ""
    return reverse("geodata:plan_xplan", args=[plan.pk])


@register.simple_tag
def plan_text_sections(plan) -> dict[str, dict]:
    """Return the plan's text sections from XPlanGML by "#<gml:id>" (what features' refTextInhalt holds)."""
    return xplan_section_links(plan)


@register.simple_tag
def plan_layers(plan) -> list[dict]:
    """Return the served layers of `plan` with styles, URLs and legend data."""
    layers = []
    raster = Q(kind=Layer.Kind.RASTER, raster_bounds__isnull=False) & ~Q(raster_file="")
    for layer in plan.layers.filter(Q(feature_count__gt=0) | raster):
        if layer.kind == Layer.Kind.RASTER and layer.raster_file:
            layers.append(raster_entry(layer))
            continue
        entry = {
            "id": layer.pk,
            "name": layer.name,
            "kind": str(layer.get_kind_display()),
            "count": layer.feature_count,
            "version": layer.version,
            "visible": layer.visible_by_default,
            "style": clean_style(layer.style),
            "labels": layer_label_config(layer_labels(layer)),
            "downloads": {
                fmt: reverse("geodata:layer_download", args=[layer.pk]) + f"?format={fmt}"
                for fmt in ("gpkg", "geojson", "shp")
            },
        }
        if layer_uses_tiles(layer):
            archive = open_archive(storage.tiles_name(layer.pk, layer.version))
            entry.update(
                mode="tiles",
                url=f"/tiles/{layer.pk}/{{z}}/{{x}}/{{y}}.pbf?v={layer.version}",
                minNativeZoom=settings.GEODATA_TILE_MIN_ZOOM,
                maxNativeZoom=settings.GEODATA_TILE_MAX_ZOOM,
                bounds=archive.bounds if archive is not None else None,
            )
        else:
            entry.update(mode="geojson", url=reverse("geodata:layer_geojson", args=[layer.pk]) + f"?v={layer.version}")
        layers.append(entry)
    return layers
