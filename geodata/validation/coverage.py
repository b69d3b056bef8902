"""Flächenschluss per Bereich (gaps, overlaps) and objects outside the Geltungsbereich."""

from typing import Any

import shapely
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ..importers.gml import GeometryReader, crs_from_srs_name, local
from .context import Context
from .report import ERROR

AREA_TOLERANCE_M2 = 0.1  # smaller gaps, overlaps and parts outside are rounding, not content
LENGTH_TOLERANCE_M = 0.01
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def _m2(value: float) -> str:
    return number_format(round(value, 1), decimal_pos=1, force_grouping=True)


def _polygons(geometry) -> list:
    """Return the polygons of a geometry (parts of collections included)."""
    if geometry is None or geometry.is_empty:
        return []
    if geometry.geom_type == "Polygon":
        return [geometry]
    return [p for part in getattr(geometry, "geoms", []) for p in _polygons(part)]


def _valid(geometry):
    return geometry if shapely.is_valid(geometry) else shapely.make_valid(geometry)


def is_flaechenschluss(feature, model_says: bool) -> bool:
    """Return True if the object takes part in the Flächenschluss (flaechenschluss=true, or its class says so)."""
    flag = str(feature.properties.get("flaechenschluss", "")).strip().lower()
    if flag == "false":
        return False
    ebene = str(feature.properties.get("ebene", "") or "0").strip()
    return (flag == "true" or model_says) and ebene == "0"


def bereich_areas(context: Context) -> dict[str, Any]:
    """Return the Geltungsbereich (metres) of each Bereich: its own `geltungsbereich`, else the plan's."""
    reader = GeometryReader(context.default_srs)
    areas: dict[str, Any] = {}
    for feature in context.features:
        if not feature.cls.endswith("_Bereich"):
            continue
        area = context.plan_area
        for prop in feature.element:
            if local(prop.tag) == "geltungsbereich" and len(prop):
                try:
                    geometry = reader.read(prop[0], feature.gml_id)
                    if crs_from_srs_name(next(iter(reader.srs_names), ""))[1]:
                        geometry = shapely.transform(geometry, lambda xy: xy[:, ::-1])
                    area = _valid(context.places.metric(geometry))
                except Exception:  # noqa: BLE001  (unreadable geometry: the plan's area is used)
                    area = context.plan_area
        areas[feature.gml_id] = area
    return areas


def bereich_members(context: Context) -> dict[str, str]:
    """Return gml:id -> Bereich gml:id, from gehoertZuBereich or the Bereich's planinhalt."""
    member_of: dict[str, str] = {}
    for feature in context.features:
        if feature.cls.endswith("_Bereich"):
            for prop in feature.element:
                href = prop.get(XLINK_HREF, "")
                if local(prop.tag) in ("planinhalt", "nachrichtlich") and href.startswith("#"):
                    member_of.setdefault(href[1:], feature.gml_id)
    for items in context.document.features.values():
        for item in items:
            refs = item.properties.get("gehoertZuBereich")
            refs = refs if isinstance(refs, list) else [refs]
            for ref in refs:
                if isinstance(ref, str) and ref.startswith("#"):
                    member_of[item.gml_id] = ref[1:]
                    break
    return member_of


def check_flaechenschluss(context: Context, flaechenschluss_class) -> None:
    """Report each gap and overlap (above 0.1 m²) of the Flächenschlussobjekte of each Bereich."""
    areas = bereich_areas(context)
    member_of = bereich_members(context)
    groups: dict[str, list] = {}
    for items in context.document.features.values():
        for item in items:
            if not is_flaechenschluss(item, flaechenschluss_class(item.cls)):
                continue
            geometry = context.metric.get(item.gml_id)
            polygons = _polygons(_valid(geometry)) if geometry is not None else []
            if polygons:
                bereich = member_of.get(item.gml_id, "")
                groups.setdefault(bereich if bereich in areas else "", []).append((item, shapely.union_all(polygons)))
    for bereich, members in groups.items():
        area = areas.get(bereich, context.plan_area)
        _overlaps(context, members)
        if area is not None and not area.is_empty:
            _gaps(context, bereich, area, members)


def _overlaps(context: Context, members: list) -> None:
    geometries = [geometry for _item, geometry in members]
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i >= j:
            continue
        (a, ga), (b, gb) = members[i], members[j]
        for part in _polygons(shapely.intersection(ga, gb)):
            if part.area > AREA_TOLERANCE_M2:
                context.problem(
                    ERROR,
                    "flaechenschluss_overlap",
                    _("Flächenschluss: %(a)s und %(b)s überlappen sich auf %(area)s m².")
                    % {"a": a.gml_id, "b": b.gml_id, "area": _m2(part.area)},
                    gml_id=a.gml_id,
                    cls=a.cls,
                    geometry=part,
                    area=part.area,
                )


def _gaps(context: Context, bereich: str, area, members: list) -> None:
    covered = shapely.union_all([geometry for _item, geometry in members])
    for part in _polygons(shapely.difference(area, covered)):
        if part.area <= AREA_TOLERANCE_M2:
            continue
        context.problem(
            ERROR,
            "flaechenschluss_gap",
            (
                _("Flächenschluss: Lücke von %(area)s m² im Bereich %(bereich)s, die kein Flächenschlussobjekt deckt.")
                if bereich
                else _("Flächenschluss: Lücke von %(area)s m² im Geltungsbereich, die kein Flächenschlussobjekt deckt.")
            )
            % {"area": _m2(part.area), "bereich": bereich},
            gml_id=bereich,
            cls=context.classes.get(bereich, ""),
            geometry=part,
            area=part.area,
        )


def check_outside(context: Context) -> None:
    """Report objects that reach beyond the plan's Geltungsbereich (0.1 m² / 1 cm tolerance)."""
    area = context.plan_area
    if area is None or area.is_empty:
        return
    buffered = area.buffer(LENGTH_TOLERANCE_M)
    for items in context.document.features.values():
        for item in items:
            geometry = context.metric.get(item.gml_id)
            if geometry is None or geometry.is_empty:
                continue
            polygons = _polygons(_valid(geometry))
            outside = None
            if polygons:
                parts = [p for p in _polygons(shapely.difference(shapely.union_all(polygons), area))]
                parts = [p for p in parts if p.area > AREA_TOLERANCE_M2]
                if parts:
                    outside = shapely.union_all(parts)
                    size = _("%(area)s m²") % {"area": _m2(outside.area)}
            else:
                rest = shapely.difference(geometry, buffered)
                if not rest.is_empty and (rest.length > LENGTH_TOLERANCE_M or rest.geom_type.endswith("Point")):
                    outside = rest
                    size = _("%(length)s m") % {"length": _m2(rest.length)} if rest.length else _("ein Punkt")
            if outside is not None:
                context.problem(
                    ERROR,
                    "outside_area",
                    _("Das Objekt liegt teilweise außerhalb des Geltungsbereichs (%(size)s).") % {"size": size},
                    gml_id=item.gml_id,
                    cls=item.cls,
                    geometry=outside,
                    area=outside.area if polygons else None,
                )
