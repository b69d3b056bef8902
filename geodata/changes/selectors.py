"""What the plan page and the staff pages read of plan versions and their comparison."""

import json

from django.conf import settings
from django.contrib.gis.geos import GeometryCollection, GEOSGeometry
from django.urls import reverse
from django.utils.translation import gettext as _

from plans.models import Plan

from ..labels import labels_for_fields
from ..models import ElementChange, Feature, Layer, PlanVersion, VersionComparison

Kind = ElementChange.Kind

# Colours of the change layer and its legend: hinzugefügt / entfallen / geändert (contrast ≥ 3:1 on the base map).
KIND_STYLES = {
    Kind.ADDED: {"color": "#1b7a2e", "fillColor": "#2ea043", "fillOpacity": 0.35, "weight": 3},
    Kind.REMOVED: {"color": "#b3261e", "fillColor": "#d93025", "fillOpacity": 0.3, "weight": 3, "dashArray": "6 4"},
    Kind.GEOMETRY: {"color": "#a65b00", "fillColor": "#f29900", "fillOpacity": 0.35, "weight": 3},
    Kind.ATTRIBUTES: {"color": "#a65b00", "fillColor": "#f29900", "fillOpacity": 0.2, "weight": 3},
}
LEGEND = (
    (Kind.ADDED, KIND_STYLES[Kind.ADDED]),
    (Kind.REMOVED, KIND_STYLES[Kind.REMOVED]),
    ("changed", KIND_STYLES[Kind.GEOMETRY]),
)


def plan_versions(plan: Plan):
    """Return the versions of `plan`, newest first."""
    return PlanVersion.objects.filter(plan=plan).order_by("-number")


def default_versions(plan: Plan) -> tuple[PlanVersion | None, PlanVersion | None]:
    """Return (previous, current) version of `plan`: what a § 4a Abs. 3 round compares by default."""
    latest = list(plan_versions(plan)[:2])
    if len(latest) < 2:
        return None, latest[0] if latest else None
    return latest[1], latest[0]


def version_choices(plan: Plan) -> list[tuple[str, str]]:
    """Return (pk, label) of the versions of `plan` for a select field, newest first."""
    choices = []
    for version in plan_versions(plan):
        label = _("%(number)s. Fassung vom %(date)s") % {
            "number": version.number,
            "date": f"{version.created_at:%d.%m.%Y}",
        }
        choices.append((str(version.pk), f"{label} ({version.source_name})" if version.source_name else label))
    return choices


def element_label(feature: Feature | None, key: str) -> str:
    """Return a readable name of a plan element: its name or label attribute, else its key."""
    properties = (feature.properties if feature is not None else None) or {}
    for name in ("name", "bezeichnung", "Bezeichnung", "Name", "label", "nummer"):
        value = properties.get(name)
        if value not in (None, ""):
            return str(value)
    return key or _("ohne Kennung")


def _kind_label(kind: str) -> str:
    return str(_("geändert")) if kind == "changed" else str(Kind(kind).label)


def legend() -> list[dict]:
    """Return the legend of the change layer: label and style per kind."""
    return [{"kind": kind, "label": _kind_label(kind), "style": style} for kind, style in LEGEND]


def comparison_changes(comparison: VersionComparison) -> list[ElementChange]:
    """Return the changes of `comparison` in list order, with their features and layers."""
    return list(comparison.changes.select_related("old_feature__layer", "new_feature__layer").order_by("order", "id"))


def _attribute_rows(change: ElementChange) -> list[dict]:
    if change.kind == Kind.TEXT or not isinstance(change.details, dict):
        return []
    feature = change.new_feature or change.old_feature
    labels = (feature.layer.attribute_labels if feature is not None else None) or labels_for_fields(
        sorted(change.details)
    )
    return [
        {"name": labels.get(name, name), "old": _value(values[0]), "new": _value(values[1])}
        for name, values in change.details.items()
        if isinstance(values, list) and len(values) == 2
    ]


def _value(value) -> str:
    if value in (None, ""):
        return "–"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def change_rows(changes: list[ElementChange]) -> list[dict]:
    """Return the accessible list of changes: element, layer, kind, area gained/lost, attributes, text diff."""
    rows = []
    for change in changes:
        feature = change.new_feature or change.old_feature
        is_text = change.kind == Kind.TEXT
        details = change.details if isinstance(change.details, dict) else {}
        rows.append(
            {
                "id": change.pk,
                "kind": change.kind,
                "kind_label": change.get_kind_display(),
                "legend_kind": change.kind if change.kind in (Kind.ADDED, Kind.REMOVED) else "changed",
                "element": (
                    f"{change.key} {details.get('title', '')}".strip()
                    if is_text
                    else element_label(feature, change.key)
                ),
                "key": change.key,
                "layer": change.layer_name,
                "area_gained_m2": change.area_gained_m2,
                "area_lost_m2": change.area_lost_m2,
                "attributes": _attribute_rows(change),
                "text_diff": details.get("diff", []) if is_text else [],
            }
        )
    return rows


def _geojson(geometry: GEOSGeometry) -> dict:
    return json.loads(geometry.json)


def change_geojson(changes: list[ElementChange]) -> dict:
    """Return the change layer as a GeoJSON FeatureCollection (kind, label and list anchor per feature)."""
    features = []
    for change in changes:
        if change.geometry is None or change.kind == Kind.TEXT:
            continue
        feature = change.new_feature or change.old_feature
        features.append(
            {
                "type": "Feature",
                "geometry": _geojson(change.geometry),
                "properties": {
                    "id": change.pk,
                    "kind": change.kind,
                    "label": f"{change.get_kind_display()}: {element_label(feature, change.key)} ({change.layer_name})",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def version_layers(version: PlanVersion | None) -> list[dict]:
    """Return the served GeoJSON layers of `version` for the before/after swipe: name, style, URL."""
    if version is None:
        return []
    from geodata.templatetags.geodata_layers import clean_style

    layers = version.layers.filter(feature_count__gt=0, feature_count__lte=settings.GEODATA_TILE_THRESHOLD).exclude(
        kind__in=(Layer.Kind.CHANGES, Layer.Kind.RASTER)
    )
    return [
        {
            "id": layer.pk,
            "name": layer.name,
            "style": clean_style(layer.style),
            "url": reverse("geodata:layer_geojson", args=[layer.pk]) + f"?v={layer.version}",
        }
        for layer in layers.order_by("order", "id")
    ]


def feature_is_changed(comparison: VersionComparison, feature: Feature) -> bool:
    """Return whether `feature` is (a version of) a changed element, or lies within the changed area."""
    changes = comparison.changes.exclude(kind=Kind.TEXT)
    if changes.filter(old_feature=feature).exists() or changes.filter(new_feature=feature).exists():
        return True
    if feature.source_id and changes.filter(key=feature.source_id, layer_name=feature.layer.name).exists():
        return True
    return geometry_in_changed_area(comparison, feature.geometry)


def geometry_in_changed_area(comparison: VersionComparison, geometry: GEOSGeometry) -> bool:
    """Return whether `geometry` (SRID 4326) intersects the changed parts of `comparison`."""
    area = comparison.changed_area
    return area is not None and area.intersects(geometry)


def changed_keys(comparison: VersionComparison) -> tuple[set[str], set[int]]:
    """Return the keys and the feature ids of the changed elements of `comparison`."""
    keys: set[str] = set()
    ids: set[int] = set()
    for key, old_id, new_id in comparison.changes.exclude(kind=Kind.TEXT).values_list(
        "key", "old_feature_id", "new_feature_id"
    ):
        if key:
            keys.add(key)
        ids.update(i for i in (old_id, new_id) if i)
    return keys, ids


def changed_elements_area(comparison: VersionComparison) -> GEOSGeometry | None:
    """Return the union of the old and new geometries of the changed elements (SRID 4326), None without any."""
    _keys, ids = changed_keys(comparison)
    geometries = list(Feature.objects.filter(pk__in=ids).values_list("geometry", flat=True))
    if not geometries:
        return None
    union = GeometryCollection(*geometries, srid=4326).unary_union
    union.srid = 4326
    return union
