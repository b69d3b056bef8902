"""Template tags for the plan page's layers: configuration for plan_layers.js and the legend."""

import re

from django import template
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from geodata.labels import labels_for_fields, layer_label_config, xplan_codes, xplan_hidden
from geodata.models import Layer, default_style
from geodata.services import layer_uses_tiles
from geodata.services.versions import plan_versions
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


def _label_config(layer) -> dict:
    """Return the attribute labels of `layer` for plan_layers.js, with its XPlanung code lists."""
    labels = layer_labels(layer)
    if not layer.xplan_class:
        return layer_label_config(labels)
    return layer_label_config(
        labels,
        codes=xplan_codes(layer.xplan_class, layer.xplan_version, fields=labels),
        hidden=xplan_hidden(layer.xplan_class, layer.xplan_version),
    )


LABEL_LIST_LIMIT = 500


def label_texts(layer) -> list[str]:
    """Return the texts of a label layer (kind LABELS) as a sorted list without repeats."""
    texts = set()
    for properties in layer.features.values_list("properties", flat=True)[:LABEL_LIST_LIMIT]:
        text = str((properties or {}).get("beschriftung") or "").strip()
        if text:
            texts.add(text)
    return sorted(texts)


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
def plan_layers(plan, version=None) -> list[dict]:
    """Return the served layers of `plan`'s current version (or of `version`) with styles, URLs and legend data."""
    layers = []
    raster = Q(kind=Layer.Kind.RASTER, raster_bounds__isnull=False) & ~Q(raster_file="")
    source = version.layers.order_by("order", "pk") if version else plan.layers.filter(current=True)
    for layer in source.filter(Q(feature_count__gt=0) | raster):
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
            "labels": _label_config(layer),
            "downloads": {
                fmt: reverse("geodata:layer_download", args=[layer.pk]) + f"?format={fmt}"
                for fmt in ("gpkg", "geojson", "shp")
            },
        }
        if layer.kind == Layer.Kind.LABELS:
            entry.update(labelLayer=True, texts=label_texts(layer))
        if layer_uses_tiles(layer):  # a label layer this large shows its positions; the texts stay in the list
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


@register.simple_tag
def plan_version_count(plan) -> int:
    """Return how many versions (Fassungen) `plan` has."""
    return plan.versions.count()


@register.simple_tag
def plan_recent_versions(plan, limit: int = 5) -> list:
    """Return the newest `limit` versions of `plan` with their layer and feature counts (for the staff cockpit)."""
    return list(plan_versions(plan)[:limit])
