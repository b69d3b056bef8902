"""Read XPlanGML 5.x/6.x: plan metadata, Geltungsbereich and content classes.

The XML is parsed with a hardened expat parser (any DOCTYPE or entity declaration
is refused) after the byte-level pre-scan in files.py. GML geometries are converted
to shapely here, which lets us linearise arcs (gml:Arc, gml:ArcString, gml:Circle)
and close rings that are not closed, and report both.
"""

import math
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

import shapely
from django.utils.translation import gettext as _
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry import LinearRing, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon

from .errors import ImportRejected

GML = "http://www.opengis.net/gml/3.2"
XLINK = "http://www.w3.org/1999/xlink"
XPLAN_NAMESPACE = re.compile(r"^http://www\.xplanung\.de/xplangml/(\d+)/(\d+)$")
ARC_STEP = math.radians(2)  # at most 2° per linear segment of an arc
PLAN_CLASSES = ("BP_Plan", "FP_Plan")
SKIPPED_PREFIXES = ("XP_",)  # presentation objects, text sections, raster references
SKIPPED_SUFFIXES = ("_Plan", "_Bereich")


@dataclass
class XPlanFeature:
    gml_id: str
    cls: str
    geometry: object  # shapely geometry in `crs`
    properties: dict


@dataclass
class XPlanDocument:
    version: str
    plan_class: str
    plan_id: str
    name: str
    number: str
    plan_art: str
    legal_status: str
    ags: str
    municipality_name: str
    area: object  # shapely geometry in `crs`
    crs: CRS
    crs_label: str
    features: dict[str, list[XPlanFeature]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    repaired_ids: set[str] = field(default_factory=set)


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


def _is_geometry(el: ET.Element) -> bool:
    return namespace(el.tag) in (GML, "http://www.opengis.net/gml") and local(el.tag)[0].isupper()


def _geometry_child(prop: ET.Element):
    children = list(prop)
    if len(children) == 1 and _is_geometry(children[0]):
        return children[0]
    return None


def _value(el: ET.Element):
    """Return a property's value as text (nested data types as dicts of text)."""
    href = el.get(f"{{{XLINK}}}href")
    if href is not None:
        return href
    children = list(el)
    if not children:
        return (el.text or "").strip()
    if len(children) == 1 and list(children[0]):
        children = list(children[0])  # e.g. gemeinde/XP_Gemeinde/...
    result: dict = {}
    for child in children:
        result.setdefault(local(child.tag), []).append(_value(child))
    return {k: v[0] if len(v) == 1 else v for k, v in result.items()}


def read_xplan(path: Path) -> XPlanDocument:
    """Parse an XPlanGML file into plan metadata and features per content class."""
    root = parse_xml(path)
    match = XPLAN_NAMESPACE.match(namespace(root.tag))
    if local(root.tag) != "XPlanAuszug" or not match:
        raise ImportRejected(
            _(
                "Die Datei ist kein XPlanGML-Dokument (erwartet: xplan:XPlanAuszug im Namensraum "
                "http://www.xplanung.de/xplangml/…)."
            ),
            code="not_xplan",
        )
    version = f"{match.group(1)}.{match.group(2)}"
    if match.group(1) not in ("5", "6"):
        raise ImportRejected(
            _("XPlanGML-Version %(version)s wird nicht unterstützt (unterstützt: 5.x und 6.x).") % {"version": version},
            code="unsupported_version",
        )
    envelope = root.find(f"{{{GML}}}boundedBy/{{{GML}}}Envelope")
    reader = GeometryReader(envelope.get("srsName", "") if envelope is not None else "")
    plans, features = [], defaultdict(list)
    repaired_ids = set()
    for member_wrapper in root:
        if local(member_wrapper.tag) not in ("featureMember", "featureMembers", "member"):
            continue
        members = list(member_wrapper)
        for obj in members:
            cls = local(obj.tag)
            gml_id = obj.get(f"{{{GML}}}id", "")
            properties, geometry = {}, None
            for prop in obj:
                name = local(prop.tag)
                if namespace(prop.tag) == GML:
                    continue
                geom_el = _geometry_child(prop)
                if geom_el is not None:
                    if geometry is None or name in ("position", "raeumlicherGeltungsbereich"):
                        geometry = reader.read(geom_el, gml_id or cls)
                        if reader.repaired:
                            repaired_ids.add(gml_id)
                    continue
                value = _value(prop)
                if name in properties:
                    existing = properties[name]
                    properties[name] = (existing if isinstance(existing, list) else [existing]) + [value]
                else:
                    properties[name] = value
            if cls in PLAN_CLASSES:
                plans.append((cls, gml_id, properties, geometry))
            elif cls.endswith("_Plan"):
                raise ImportRejected(
                    _("Die Planart %(cls)s wird nicht unterstützt (unterstützt: BP_Plan, FP_Plan).") % {"cls": cls},
                    code="unsupported_plan",
                )
            elif cls.startswith(SKIPPED_PREFIXES) or cls.endswith(SKIPPED_SUFFIXES) or geometry is None:
                continue
            else:
                features[cls].append(XPlanFeature(gml_id=gml_id, cls=cls, geometry=geometry, properties=properties))
    if not plans:
        raise ImportRejected(_("Die XPlanGML-Datei enthält keinen Plan (BP_Plan oder FP_Plan)."), code="no_plan")
    if len(plans) > 1:
        raise ImportRejected(
            _("Die XPlanGML-Datei enthält %(count)d Pläne; bitte je Datei nur einen Plan hochladen.")
            % {"count": len(plans)},
            code="several_plans",
        )
    plan_class, plan_id, props, area = plans[0]
    if area is None:
        raise ImportRejected(
            _("Der Plan hat keinen räumlichen Geltungsbereich (raeumlicherGeltungsbereich)."), code="no_area"
        )
    if len(reader.srs_names) > 1:
        raise ImportRejected(
            _("Die Datei verwendet mehrere Koordinatensysteme (%(names)s); erwartet wird eines.")
            % {"names": ", ".join(sorted(reader.srs_names))},
            code="mixed_crs",
        )
    crs, swap = crs_from_srs_name(next(iter(reader.srs_names), ""))
    if swap:
        area = shapely.transform(area, lambda xy: xy[:, ::-1])
        for items in features.values():
            for item in items:
                item.geometry = shapely.transform(item.geometry, lambda xy: xy[:, ::-1])
    gemeinde = props.get("gemeinde")
    gemeinde = gemeinde[0] if isinstance(gemeinde, list) else gemeinde
    gemeinde = gemeinde if isinstance(gemeinde, dict) else {}
    ags = str(gemeinde.get("ags") or "").strip()
    rs = str(gemeinde.get("rs") or "").strip()
    if not ags and len(rs) == 12:
        ags = rs[:5] + rs[9:]
    epsg = crs.to_epsg()
    return XPlanDocument(
        version=version,
        plan_class=plan_class,
        plan_id=plan_id,
        name=_first(props.get("name")),
        number=_first(props.get("nummer")),
        plan_art=_first(props.get("planArt")),
        legal_status=_first(props.get("rechtsstand")),
        ags=ags,
        municipality_name=str(gemeinde.get("gemeindeName") or ""),
        area=area,
        crs=crs,
        crs_label=f"EPSG:{epsg}" if epsg else crs.name,
        features=dict(features),
        notes=reader.notes,
        repaired_ids=repaired_ids,
    )


def _first(value) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()


# Code lists BP_PlanArt / FP_PlanArt and BP_Rechtsstand / FP_Rechtsstand -> Plan.kind / Plan.stage.
# See docs/import.md for the table with the code names.
BP_PLAN_ART = {
    "1000": "bplan",
    "10000": "bplan",
    "10001": "bplan",
    "10002": "bplan",
    "3000": "vbplan",
    "3100": "vbplan",
    "4000": "statute",
    "40000": "statute",
    "40001": "statute",
    "40002": "statute",
    "5000": "statute",
    "7000": "statute",
    "9999": "bplan",
}
FP_PLAN_ART = {"1000": "fnp", "2000": "fnp", "3000": "fnp", "4000": "fnp", "5000": "fnp_change", "9999": "fnp"}
RECHTSSTAND = {
    "1000": "initiated",
    "2000": "publication",
    "2100": "early",
    "2200": "early",
    "2300": "publication",
    "2400": "publication",
    "3000": "adopted",
    "4000": "in_force",
    "4500": "in_force",
    "5000": "discontinued",
    "50000": "discontinued",
    "50100": "discontinued",
}
FP_RECHTSSTAND = {**RECHTSSTAND, "3000": "adopted", "4000": "in_force"}

# Content class -> (layer name, Layer.Kind value)
CLASS_LAYERS = {
    "BP_BaugebietsTeilFlaeche": ("Baugebiete", "building_areas"),
    "BP_UeberbaubareGrundstuecksFlaeche": ("Überbaubare Grundstücksflächen", "building_areas"),
    "BP_BauGrenze": ("Baugrenzen", "building_areas"),
    "BP_BauLinie": ("Baulinien", "building_areas"),
    "FP_BebauungsFlaeche": ("Bauflächen", "building_areas"),
    "BP_GruenFlaeche": ("Grünflächen", "green_spaces"),
    "FP_Gruen": ("Grünflächen", "green_spaces"),
    "BP_WaldFlaeche": ("Waldflächen", "green_spaces"),
    "FP_WaldFlaeche": ("Waldflächen", "green_spaces"),
    "BP_StrassenVerkehrsFlaeche": ("Straßenverkehrsflächen", "traffic_areas"),
    "BP_VerkehrsflaecheBesondererZweckbestimmung": ("Verkehrsflächen besonderer Zweckbestimmung", "traffic_areas"),
    "BP_StrassenbegrenzungsLinie": ("Straßenbegrenzungslinien", "traffic_areas"),
    "FP_Strassenverkehr": ("Verkehrsflächen", "traffic_areas"),
}


def plan_kind(document: XPlanDocument) -> str:
    if document.plan_class == "FP_Plan":
        kind = FP_PLAN_ART.get(document.plan_art, "fnp")
        return "fnp_change" if "änderung" in document.name.lower() else kind
    return BP_PLAN_ART.get(document.plan_art, "bplan")


def plan_stage(document: XPlanDocument) -> str | None:
    table = FP_RECHTSSTAND if document.plan_class == "FP_Plan" else RECHTSSTAND
    return table.get(document.legal_status)


def layer_for_class(cls: str) -> tuple[str, str]:
    return CLASS_LAYERS.get(cls, (cls, "other"))
