"""Parse GML 3.2 safely and convert its geometries to shapely (arcs linearised, open rings closed).

The XML is parsed with a hardened expat parser (any DOCTYPE or entity declaration
is refused) after the byte-level pre-scan in files.py.
"""

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.parsers import expat

from django.utils.translation import gettext as _
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry import LinearRing, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon

from ..errors import ImportRejected

GML = "http://www.opengis.net/gml/3.2"
ARC_STEP = math.radians(2)  # at most 2° per linear segment of an arc


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _refuse_dtd(*args):
    raise ImportRejected(
        _(
            "Die XML-Datei enthält eine DOCTYPE- oder ENTITY-Deklaration. Solche Dateien werden aus "
            "Sicherheitsgründen (externe Entitäten, Entity-Expansion) abgelehnt."
        ),
        code="xml_entities",
    )


def parse_xml(path: Path) -> ET.Element:
    """Parse `path` with expat, refusing DTDs, entity declarations and external references."""
    parser = expat.ParserCreate(namespace_separator="}")
    builder = ET.TreeBuilder()

    def qualified(name):
        return "{" + name if "}" in name else name

    parser.buffer_text = True
    parser.StartElementHandler = lambda name, attrs: builder.start(
        qualified(name), {qualified(k): v for k, v in attrs.items()}
    )
    parser.EndElementHandler = lambda name: builder.end(qualified(name))
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.UnparsedEntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1024 * 1024):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
        return builder.close()
    except (expat.ExpatError, AssertionError) as exc:
        raise ImportRejected(
            _("Die XPlanGML-Datei ist kein gültiges XML (beschädigt oder unvollständig): %(error)s") % {"error": exc},
            code="unreadable",
        ) from exc


def crs_from_srs_name(srs_name: str) -> tuple[CRS, bool]:
    """Return the CRS of a GML srsName and whether its axes are to be swapped (lat/lon URNs)."""
    match = re.search(r"EPSG(?::|::|/0/|/)(\d+)$", srs_name or "", re.IGNORECASE)
    if not match:
        raise ImportRejected(
            _("Das Koordinatensystem „%(srs)s“ wird nicht erkannt. Erwartet wird ein EPSG-Code, z. B. EPSG:25832.")
            % {"srs": srs_name},
            code="crs_missing" if not srs_name else "unknown_crs",
        )
    try:
        crs = CRS.from_epsg(int(match.group(1)))
    except CRSError as exc:
        raise ImportRejected(
            _("Der EPSG-Code %(code)s ist unbekannt.") % {"code": match.group(1)}, code="unknown_crs"
        ) from exc
    urn_form = not srs_name.upper().startswith("EPSG:")
    north_first = bool(crs.axis_info) and crs.axis_info[0].direction.lower() == "north"
    return crs, urn_form and north_first and crs.is_geographic


class GeometryReader:
    """Convert GML 3.2 geometry elements into shapely geometries."""

    def __init__(self, default_srs: str):
        self.default_srs = default_srs
        self.srs_names: set[str] = set()
        self.notes: list[str] = []
        self.repaired = False

    def read(self, element: ET.Element, owner: str):
        self.owner = owner
        self.repaired = False
        srs = element.get("srsName") or self.default_srs
        if srs:
            self.srs_names.add(srs)
        self.dimension = int(element.get("srsDimension") or 2)
        return self._geometry(element)

    def _geometry(self, el):
        kind = local(el.tag)
        if kind == "Point":
            return Point(self._coords(el)[0])
        if kind in ("LineString", "LineStringSegment", "LinearRing"):
            return LineString(self._coords(el))
        if kind in ("Curve", "CompositeCurve", "OrientableCurve", "Ring"):
            return LineString(self._curve_coords(el))
        if kind == "Polygon" or kind == "PolygonPatch":
            return self._polygon(el)
        if kind == "Surface":
            patches = [self._polygon(p) for p in el.iter() if local(p.tag) == "PolygonPatch"]
            return patches[0] if len(patches) == 1 else MultiPolygon(patches)
        if kind in ("MultiSurface", "CompositeSurface", "MultiPolygon"):
            parts = []
            for member in self._members(el):
                geom = self._geometry(member)
                parts.extend(geom.geoms if isinstance(geom, MultiPolygon) else [geom])
            return MultiPolygon(parts)
        if kind in ("MultiCurve", "MultiLineString"):
            return MultiLineString([self._geometry(m) for m in self._members(el)])
        if kind == "MultiPoint":
            return MultiPoint([self._geometry(m) for m in self._members(el)])
        raise ImportRejected(
            _("Die Geometrieart gml:%(kind)s (Objekt %(owner)s) wird nicht unterstützt.")
            % {"kind": kind, "owner": self.owner},
            code="unsupported_geometry",
        )

    def _members(self, el):
        for child in el:
            if local(child.tag).endswith("Members"):
                yield from list(child)
            elif local(child.tag).endswith("Member"):
                yield from list(child)[:1]

    def _polygon(self, el):
        exterior, interiors = None, []
        for child in el:
            name = local(child.tag)
            if name in ("exterior", "outerBoundaryIs", "interior", "innerBoundaryIs"):
                ring = self._ring(child[0])
                if name in ("exterior", "outerBoundaryIs"):
                    exterior = ring
                else:
                    interiors.append(ring)
        if exterior is None:
            raise ImportRejected(
                _("Eine Fläche ohne Außenring (Objekt %(owner)s) kann nicht gelesen werden.") % {"owner": self.owner},
                code="invalid_geometry",
            )
        return Polygon(exterior, interiors)

    def _ring(self, el):
        coords = self._curve_coords(el) if local(el.tag) == "Ring" else self._coords(el)
        if len(coords) >= 3 and coords[0] != coords[-1]:
            coords = [*coords, coords[0]]
            self.repaired = True
            self.notes.append(
                _("Objekt %(owner)s: Ein Ring war nicht geschlossen und wurde geschlossen.") % {"owner": self.owner}
            )
        if len(coords) < 4:
            raise ImportRejected(
                _("Objekt %(owner)s: Ein Ring hat zu wenige Punkte (%(count)d).")
                % {"owner": self.owner, "count": len(coords)},
                code="invalid_geometry",
            )
        return LinearRing(coords)

    def _curve_coords(self, el) -> list[tuple[float, float]]:
        """Concatenate the segments of a curve-like element, linearising arcs."""
        coords: list[tuple[float, float]] = []
        for part in self._segments(el):
            if coords and part and coords[-1] == part[0]:
                part = part[1:]
            coords.extend(part)
        return coords

    def _segments(self, el):
        kind = local(el.tag)
        if kind in ("LineString", "LineStringSegment", "LinearRing"):
            yield self._coords(el)
        elif kind in ("Arc", "ArcString"):
            points = self._coords(el)
            if len(points) < 3 or len(points) % 2 == 0:
                raise ImportRejected(
                    _("Objekt %(owner)s: Ein Kreisbogen braucht eine ungerade Zahl von mindestens drei Punkten.")
                    % {"owner": self.owner},
                    code="invalid_geometry",
                )
            line = [points[0]]
            for i in range(0, len(points) - 2, 2):
                line.extend(arc_points(points[i], points[i + 1], points[i + 2])[1:])
            yield line
        elif kind == "Circle":
            points = self._coords(el)
            yield arc_points(points[0], points[1], points[2], full_circle=True)
        elif kind in (
            "Curve",
            "CompositeCurve",
            "OrientableCurve",
            "Ring",
            "segments",
            "baseCurve",
            "curveMember",
            "curveMembers",
        ):
            for child in el:
                yield from self._segments(child)
        else:
            raise ImportRejected(
                _("Die Geometrieart gml:%(kind)s (Objekt %(owner)s) wird nicht unterstützt.")
                % {"kind": kind, "owner": self.owner},
                code="unsupported_geometry",
            )

    def _coords(self, el) -> list[tuple[float, float]]:
        dimension = int(el.get("srsDimension") or self.dimension)
        values: list[str] = []
        pos_list = [c for c in el if local(c.tag) in ("posList", "pos", "coordinates", "pointProperty")]
        for child in pos_list:
            name = local(child.tag)
            if name == "posList":
                dimension = int(child.get("srsDimension") or dimension)
                values.extend((child.text or "").split())
            elif name == "pos":
                values.extend((child.text or "").split()[:2])
            elif name == "coordinates":
                for tuple_text in (child.text or "").split():
                    values.extend(tuple_text.split(",")[:2])
            elif name == "pointProperty":
                point = child[0]
                values.extend((point.find(f"{{{GML}}}pos").text or "").split()[:2])
        step = dimension if any(local(c.tag) == "posList" for c in pos_list) else 2
        try:
            numbers = [float(v) for v in values]
        except ValueError as exc:
            raise ImportRejected(
                _("Objekt %(owner)s hat ungültige Koordinaten (%(error)s).") % {"owner": self.owner, "error": exc},
                code="invalid_coordinates",
            ) from exc
        if not numbers or len(numbers) % step:
            raise ImportRejected(
                _("Objekt %(owner)s hat eine unvollständige Koordinatenliste.") % {"owner": self.owner},
                code="invalid_coordinates",
            )
        if not all(math.isfinite(n) for n in numbers):
            raise ImportRejected(
                _("Objekt %(owner)s hat ungültige Koordinaten.") % {"owner": self.owner}, code="invalid_coordinates"
            )
        return [(numbers[i], numbers[i + 1]) for i in range(0, len(numbers), step)]


def arc_points(p0, p1, p2, *, full_circle: bool = False) -> list[tuple[float, float]]:
    """Return points along the circular arc from `p0` through `p1` to `p2` (2° steps)."""
    # Work relative to p0: UTM coordinates squared would lose precision.
    bx, by = p1[0] - p0[0], p1[1] - p0[1]
    cx, cy = p2[0] - p0[0], p2[1] - p0[1]
    d = 2 * (bx * cy - by * cx)
    scale = max(abs(bx), abs(by), abs(cx), abs(cy), 1e-9)
    if abs(d) < 1e-12 * scale * scale:
        return [p0, p1, p2] if not full_circle else [p0, p1, p2, p0]
    ux = (cy * (bx * bx + by * by) - by * (cx * cx + cy * cy)) / d
    uy = (bx * (cx * cx + cy * cy) - cx * (bx * bx + by * by)) / d
    radius = math.hypot(ux, uy)
    a0 = math.atan2(-uy, -ux)
    a1 = math.atan2(by - uy, bx - ux)
    a2 = math.atan2(cy - uy, cx - ux)
    ccw = (bx * (cy - by) - by * (cx - bx)) > 0  # turn direction p0 -> p1 -> p2
    if full_circle:
        sweep = 2 * math.pi if ccw else -2 * math.pi
    elif ccw:
        sweep = (a2 - a0) % (2 * math.pi)
    else:
        sweep = -((a0 - a2) % (2 * math.pi))
    del a1
    steps = max(4, math.ceil(abs(sweep) / ARC_STEP))
    points = [
        (p0[0] + ux + radius * math.cos(a0 + sweep * i / steps), p0[1] + uy + radius * math.sin(a0 + sweep * i / steps))
        for i in range(steps + 1)
    ]
    points[0] = p0
    points[-1] = p0 if full_circle else p2
    return points
