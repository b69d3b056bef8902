"""Geometry checks: rings as written in the file (closure, points, orientation) and validity."""

import re

import shapely
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from shapely.geometry import LinearRing, LineString, Point

from ..errors import ImportRejected
from ..importers.gml import GeometryReader, crs_from_srs_name, local
from .context import Context
from .report import ERROR, WARNING

POLYGON_ELEMENTS = ("Polygon", "PolygonPatch")
EXTERIOR = ("exterior", "outerBoundaryIs")
INTERIOR = ("interior", "innerBoundaryIs")
# shapely's validity reasons -> (code, German description)
REASONS = {
    "Self-intersection": ("self_intersection", gettext_lazy("Selbstüberschneidung")),
    "Ring Self-intersection": ("self_intersection", gettext_lazy("Ring berührt oder schneidet sich selbst")),
    "Too few points in geometry component": ("too_few_points", gettext_lazy("zu wenige Punkte")),
    "Interior is disconnected": ("invalid_ring", gettext_lazy("Innenring teilt die Fläche")),
    "Hole lies outside shell": ("invalid_ring", gettext_lazy("Innenring liegt außerhalb des Außenrings")),
    "Nested holes": ("invalid_ring", gettext_lazy("Innenringe liegen ineinander")),
    "Nested shells": ("invalid_ring", gettext_lazy("Teilflächen liegen ineinander")),
    "Duplicate Rings": ("invalid_ring", gettext_lazy("doppelte Ringe")),
    "Invalid Coordinate": ("invalid_coordinates", gettext_lazy("ungültige Koordinate")),
}
REASON_PATTERN = re.compile(r"^(?P<reason>[^\[]+)(?:\[(?P<x>\S+) (?P<y>\S+)\])?")


def check_rings(context: Context) -> None:
    """Check every polygon ring as written: closed, no repeated points, ≥ 3 points, orientation."""
    default_srs = context.default_srs
    reader = GeometryReader(default_srs)
    for feature in context.features:
        for polygon in (el for el in feature.element.iter() if local(el.tag) in POLYGON_ELEMENTS):
            srs = _srs_of(feature.element, polygon) or default_srs
            try:
                swap = crs_from_srs_name(srs)[1]
            except ImportRejected:
                swap = False
            for boundary in polygon:
                name = local(boundary.tag)
                if name not in EXTERIOR + INTERIOR or not len(boundary):
                    continue
                coords = _ring_coords(reader, boundary[0], feature.gml_id or feature.cls)
                if coords is None:
                    continue
                if swap:
                    coords = [(y, x) for x, y in coords]
                _check_ring(context, feature, coords, exterior=name in EXTERIOR)


def _srs_of(feature_element, polygon) -> str:
    if polygon.get("srsName"):
        return polygon.get("srsName")
    for el in feature_element.iter():
        if el.get("srsName"):
            return el.get("srsName")
    return ""


def _ring_coords(reader: GeometryReader, ring, owner: str):
    reader.owner, reader.dimension = owner, int(ring.get("srsDimension") or 2)
    try:
        return reader._curve_coords(ring) if local(ring.tag) == "Ring" else reader._coords(ring)
    except ImportRejected:
        return None  # the import refuses such a file with its own message


def _check_ring(context: Context, feature, coords, *, exterior: bool) -> None:
    gml_id, cls = feature.gml_id, feature.cls
    line = context.places.metric(LineString(coords)) if len(coords) > 1 else None
    if coords[0] != coords[-1]:
        context.problem(
            WARNING,
            "ring_not_closed",
            _(
                "Ein Ring ist nicht geschlossen (erster und letzter Punkt verschieden); "
                "er wurde beim Import geschlossen."
            ),
            gml_id=gml_id,
            cls=cls,
            geometry=line,
        )
        coords = [*coords, coords[0]]
    for index in range(1, len(coords)):
        if coords[index] == coords[index - 1]:
            context.problem(
                WARNING,
                "duplicate_point",
                _("Ein Ring enthält den Punkt %(x).3f %(y).3f zweimal hintereinander.")
                % {"x": coords[index][0], "y": coords[index][1]},
                gml_id=gml_id,
                cls=cls,
                geometry=context.places.metric(Point(coords[index])),
            )
    if len(set(coords)) < 3:
        context.problem(
            ERROR,
            "too_few_points",
            _("Ein Ring hat weniger als drei verschiedene Punkte."),
            gml_id=gml_id,
            cls=cls,
            geometry=line,
        )
        return
    ccw = LinearRing(coords).is_ccw
    if exterior and not ccw:
        context.problem(
            ERROR,
            "ring_orientation",
            _("Der Außenring ist im Uhrzeigersinn angegeben; XPlanung verlangt gegen den Uhrzeigersinn."),
            gml_id=gml_id,
            cls=cls,
            geometry=line,
        )
    elif not exterior and ccw:
        context.problem(
            ERROR,
            "ring_orientation",
            _("Ein Innenring ist gegen den Uhrzeigersinn angegeben; XPlanung verlangt im Uhrzeigersinn."),
            gml_id=gml_id,
            cls=cls,
            geometry=line,
        )


def check_validity(context: Context) -> None:
    """Check every object's geometry with GEOS (self-intersection, rings, holes) and name the spot."""
    document = context.document
    items = [(document.plan_id, document.plan_class, document.area)]
    items += [(f.gml_id, f.cls, f.geometry) for fs in document.features.values() for f in fs]
    for gml_id, cls, geometry in items:
        if geometry is None or shapely.is_valid(geometry):
            continue
        reason = shapely.is_valid_reason(geometry)
        match = REASON_PATTERN.match(reason)
        key = match.group("reason").strip() if match else reason
        code, text = REASONS.get(key, ("invalid_geometry", key))
        spot = None
        if match and match.group("x"):
            try:
                spot = context.places.metric(Point(float(match.group("x")), float(match.group("y"))))
            except ValueError:
                spot = None
        context.problem(
            ERROR,
            code,
            _("Die Geometrie ist ungültig: %(reason)s.") % {"reason": text},
            gml_id=gml_id,
            cls=cls,
            geometry=spot,
        )
