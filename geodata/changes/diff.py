"""Compare two versions of a plan element by element: added, removed, geometry or attributes changed, text changed.

Pure functions on plain data (no database): elements are matched by their stable key within the same
layer (XPlanung class, else layer name); elements without a key are matched by identical geometry.
Areas are computed in the metric CRS given by the caller (the municipality's, EPSG:25832 in Hessen).
"""

import dataclasses
import difflib
import re
from collections.abc import Iterable, Sequence

from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import GEOSGeometry

ADDED, REMOVED, GEOMETRY, ATTRIBUTES, TEXT = "added", "removed", "geometry", "attributes", "text"
# Below this much area gained plus lost (m²) two polygons count as equal: coordinate rounding, not a change.
AREA_TOLERANCE_M2 = 0.01
# Points and lines whose vertices moved less than this (metres) count as unchanged.
DISTANCE_TOLERANCE_M = 0.005
# Attributes that identify or stamp an element rather than describe it: a change there is not a plan change.
IGNORED_ATTRIBUTES = frozenset({"gml_id", "fid", "ogc_fid", "id", "objectid"})


@dataclasses.dataclass
class Element:
    """One plan element of a version: its key, layer, geometry (SRID 4326) and attributes."""

    key: str
    layer: str
    geometry: GEOSGeometry
    properties: dict
    feature_id: int | None = None
    layer_name: str = ""


@dataclasses.dataclass
class Section:
    """One numbered text section (textliche Festsetzung) of a version."""

    number: str
    title: str
    text: str
    section_id: int | None = None


@dataclasses.dataclass
class Change:
    """One change between the versions; `geometry` (SRID 4326) is the changed part, None for text."""

    kind: str
    key: str
    layer_name: str
    geometry: GEOSGeometry | None = None
    old_feature_id: int | None = None
    new_feature_id: int | None = None
    area_gained_m2: float | None = None
    area_lost_m2: float | None = None
    details: dict | list = dataclasses.field(default_factory=dict)


class _Metric:
    """Transform geometries from EPSG:4326 to a metric CRS (one transformation reused)."""

    def __init__(self, srid: int):
        self.transform = CoordTransform(SpatialReference(4326), SpatialReference(srid))

    def __call__(self, geometry: GEOSGeometry) -> GEOSGeometry:
        return geometry.transform(self.transform, clone=True)


def _polygonal(geometry: GEOSGeometry) -> bool:
    return geometry.geom_type in ("Polygon", "MultiPolygon")


def _area(metric: _Metric, geometry: GEOSGeometry) -> float | None:
    return round(metric(geometry).area, 2) if _polygonal(geometry) else None


def attribute_changes(old: dict, new: dict) -> dict:
    """Return {attribute: [old, new]} for every described attribute whose value differs."""
    names = sorted((set(old or {}) | set(new or {})) - IGNORED_ATTRIBUTES)
    return {name: [old.get(name), new.get(name)] for name in names if (old or {}).get(name) != (new or {}).get(name)}


def _geometry_change(metric: _Metric, old: Element, new: Element) -> Change | None:
    """Return the geometry change of one matched element (symmetric difference, area gained/lost), or None."""
    if old.geometry.equals_exact(new.geometry, 1e-12):
        return None
    if _polygonal(old.geometry) and _polygonal(new.geometry):
        # Differences in the stored CRS (shared edges coincide exactly there), areas of the parts in metres.
        gained_part, lost_part = new.geometry.difference(old.geometry), old.geometry.difference(new.geometry)
        gained = 0.0 if gained_part.empty else metric(gained_part).area
        lost = 0.0 if lost_part.empty else metric(lost_part).area
        if gained + lost < AREA_TOLERANCE_M2:
            return None
        changed = gained_part.union(lost_part) if not gained_part.empty else lost_part
        return Change(
            kind=GEOMETRY,
            key=new.key,
            layer_name=new.layer_name,
            geometry=changed,
            old_feature_id=old.feature_id,
            new_feature_id=new.feature_id,
            area_gained_m2=round(gained, 2),
            area_lost_m2=round(lost, 2),
        )
    if metric(old.geometry).equals_exact(metric(new.geometry), DISTANCE_TOLERANCE_M):
        return None
    return Change(
        kind=GEOMETRY,
        key=new.key,
        layer_name=new.layer_name,
        geometry=old.geometry.union(new.geometry),
        old_feature_id=old.feature_id,
        new_feature_id=new.feature_id,
        area_gained_m2=_area(metric, new.geometry),
        area_lost_m2=_area(metric, old.geometry),
    )


Pairs = list[tuple[Element, Element]]


def _match(old: list[Element], new: list[Element]) -> tuple[Pairs, list[Element], list[Element]]:
    """Pair the elements of one layer by key, the unkeyed ones by identical geometry; return pairs, removed, added."""
    pairs: Pairs = []
    new_by_key = {element.key: element for element in reversed(new) if element.key}
    removed: list[Element] = []
    unkeyed_old: list[Element] = []
    for element in old:
        if not element.key:
            unkeyed_old.append(element)
        elif element.key in new_by_key:
            pairs.append((element, new_by_key.pop(element.key)))
        else:
            removed.append(element)
    matched_new = {id(pair[1]) for pair in pairs}
    added = [e for e in new if e.key and id(e) not in matched_new and e.key in new_by_key]
    unkeyed_new = [e for e in new if not e.key]
    by_wkb: dict[bytes, list[Element]] = {}
    for element in unkeyed_new:
        by_wkb.setdefault(bytes(element.geometry.wkb), []).append(element)
    for element in unkeyed_old:
        same = by_wkb.get(bytes(element.geometry.wkb))
        if same:
            pairs.append((element, same.pop(0)))
        else:
            removed.append(element)
    added.extend(element for remaining in by_wkb.values() for element in remaining)
    return pairs, removed, added


def diff_elements(old: Iterable[Element], new: Iterable[Element], *, metric_srid: int) -> list[Change]:
    """Return the changes from `old` to `new`, ordered by layer, kind and key."""
    metric = _Metric(metric_srid)
    old_by_layer: dict[str, list[Element]] = {}
    new_by_layer: dict[str, list[Element]] = {}
    for element in old:
        old_by_layer.setdefault(element.layer, []).append(element)
    for element in new:
        new_by_layer.setdefault(element.layer, []).append(element)
    changes: list[Change] = []
    for layer in sorted(set(old_by_layer) | set(new_by_layer)):
        pairs, removed, added = _match(old_by_layer.get(layer, []), new_by_layer.get(layer, []))
        for element in added:
            changes.append(
                Change(
                    kind=ADDED,
                    key=element.key,
                    layer_name=element.layer_name,
                    geometry=element.geometry,
                    new_feature_id=element.feature_id,
                    area_gained_m2=_area(metric, element.geometry),
                )
            )
        for element in removed:
            changes.append(
                Change(
                    kind=REMOVED,
                    key=element.key,
                    layer_name=element.layer_name,
                    geometry=element.geometry,
                    old_feature_id=element.feature_id,
                    area_lost_m2=_area(metric, element.geometry),
                )
            )
        for before, after in pairs:
            attributes = attribute_changes(before.properties, after.properties)
            change = _geometry_change(metric, before, after)
            if change is None and attributes:
                change = Change(
                    kind=ATTRIBUTES,
                    key=after.key,
                    layer_name=after.layer_name,
                    geometry=after.geometry,
                    old_feature_id=before.feature_id,
                    new_feature_id=after.feature_id,
                )
            if change is not None:
                change.details = attributes
                changes.append(change)
    kinds = [ADDED, REMOVED, GEOMETRY, ATTRIBUTES]
    changes.sort(key=lambda c: (c.layer_name, kinds.index(c.kind), c.key))
    return changes


_WORDS = re.compile(r"\S+\s*")


def word_diff(old: str, new: str) -> list[dict]:
    """Return the word diff of two texts as [{"op": "equal"|"insert"|"delete", "text": ...}]."""
    old_words, new_words = _WORDS.findall(old or ""), _WORDS.findall(new or "")
    parts: list[dict] = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append({"op": "equal", "text": "".join(old_words[i1:i2])})
            continue
        if i2 > i1:
            parts.append({"op": "delete", "text": "".join(old_words[i1:i2])})
        if j2 > j1:
            parts.append({"op": "insert", "text": "".join(new_words[j1:j2])})
    return parts


def _normalised(text: str) -> str:
    return " ".join((text or "").split())


def diff_sections(old: Sequence[Section], new: Sequence[Section], *, layer_name: str = "") -> list[Change]:
    """Return TEXT changes for sections matched by number: changed, added and removed text, as word diffs."""
    old_by_number = {s.number: s for s in old if s.number}
    new_by_number = {s.number: s for s in new if s.number}
    numbers = list(new_by_number) + [n for n in old_by_number if n not in new_by_number]
    changes = []
    for number in numbers:
        before, after = old_by_number.get(number), new_by_number.get(number)
        old_text = before.text if before else ""
        new_text = after.text if after else ""
        if before and after and _normalised(old_text) == _normalised(new_text):
            continue
        section = after or before
        title = section.title if section is not None else ""
        changes.append(
            Change(
                kind=TEXT,
                key=number,
                layer_name=layer_name,
                details={
                    "title": title,
                    "status": "changed" if before and after else ("added" if after else "removed"),
                    "diff": word_diff(old_text, new_text),
                },
            )
        )
    return changes
