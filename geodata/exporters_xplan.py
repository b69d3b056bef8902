"""XPlanGML 6.0 export of a plan (or one version of it): plan, one Bereich, elements and text sections.

What is written (docs/import.md, "XPlanGML-Export"): BP_Plan or FP_Plan with name, nummer,
gemeinde (ags, gemeindeName), planArt, rechtsstand and raeumlicherGeltungsbereich; one
BP_/FP_Bereich; every feature of the plan's XPlan layers (those read from XPlanGML) as its class
with its gml:id and its attributes as read (in file order; the geometry as `position`); the text
sections (BP_/FP_TextAbschnitt) of the plan's "Textliche Festsetzungen (aus XPlanGML)". Coordinates
are written in the source CRS of the layers (else EPSG:25832). A feature that cannot be written
(a geometry collection, an empty geometry, an attribute with an unknown data type) fails the
whole export with an ExportError naming it; references to objects that are not exported
(e.g. presentation objects) are left out and counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pyproj
import shapely
from django.contrib.gis.db.models.functions import AsWKB
from django.utils.translation import gettext as _
from lxml import etree

from plans.models import DocumentSection, Plan
from plans.section_services_xplan import xplan_text_document

from .crs import parse_crs
from .errors import ExportError
from .exporters import require_export
from .exporters_gml import GML, GeometryWriter
from .models import Feature, Layer, PlanVersion

XPLAN = "http://www.xplanung.de/xplangml/6/0"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = (
    "http://www.xplanung.de/xplangml/6/0 "
    "https://repository.gdi-de.org/schemas/de.xleitstelle.xplanung/6.0/XPlanung-Operationen.xsd"
)
NSMAP = {"xplan": XPLAN, "gml": GML, "xlink": XLINK, "xsi": XSI}
DEFAULT_EPSG = 25832
FP_KINDS = (Plan.Kind.FNP, Plan.Kind.FNP_CHANGE)
PLAN_ART: dict[str, str] = {
    Plan.Kind.BPLAN: "1000",
    Plan.Kind.VBPLAN: "3000",
    Plan.Kind.STATUTE: "4000",
    Plan.Kind.PUBLIC_PROJECT: "9999",
    Plan.Kind.FNP: "1000",
    Plan.Kind.FNP_CHANGE: "5000",
}
RECHTSSTAND: dict[str, str] = {
    Plan.Stage.INITIATED: "1000",
    Plan.Stage.EARLY_PARTICIPATION: "2200",
    Plan.Stage.PUBLICATION: "2400",
    Plan.Stage.REPUBLICATION: "2400",
    Plan.Stage.WEIGHING: "2400",
    Plan.Stage.ADOPTED: "3000",
    Plan.Stage.APPROVED: "3000",
    Plan.Stage.IN_FORCE: "4000",
    Plan.Stage.DISCONTINUED: "50000",
}
# Properties of XP_Objekt and BP_/FP_Objekt that the schema puts before the geometry (`position`).
BASE_PROPERTIES = (
    "uuid", "text", "rechtsstand", "gesetzlicheGrundlage", "gliederung1", "gliederung2", "ebene",
    "hatGenerAttribut", "hoehenangabe", "externeReferenz", "gehoertZuBereich", "wirdDargestelltDurch",
    "refBegruendungInhalt", "startBedingung", "endeBedingung", "aufschrift", "rechtscharakter",
    "spezifischePraegung", "vonGenehmigungAusgenommen", "wirdAusgeglichenDurchFlaeche",
    "wirdAusgeglichenDurchABE", "wirdAusgeglichenDurchSPEMassnahme", "wirdAusgeglichenDurchSPEFlaeche",
    "wirdAusgeglichenDurchMassnahme", "laermkontingent", "laermkontingentGebiet", "zusatzkontingent",
    "zusatzkontingentFlaeche", "richtungssektorGrenze", "refTextInhalt",
)  # fmt: skip
GEOMETRY_FOLLOWERS = ("flaechenschluss", "flussrichtung", "nordwinkel")
# Attributes whose value is a data type (read as a dict): the type's element name.
DATA_TYPES = {
    "gemeinde": "XP_Gemeinde",
    "planaufstellendeGemeinde": "XP_Gemeinde",
    "plangeber": "XP_Plangeber",
    "gesetzlicheGrundlage": "XP_GesetzlicheGrundlage",
    "hoehenangabe": "XP_Hoehenangabe",
    "externeReferenz": "XP_SpezExterneReferenz",
    "refText": "XP_ExterneReferenz",
    "hatGenerAttribut": "XP_StringAttribut",
    "verfahrensMerkmale": "XP_VerfahrensMerkmal",
    "dachgestaltung": "BP_Dachgestaltung",
    "komplexeSondernutzung": "BP_KomplexeSondernutzung",
    "zweckbestimmung": "BP_KomplexeZweckbestGruen",
}
SKIPPED = {"gml_id", "position", "raeumlicherGeltungsbereich"}
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
REFERENCE = re.compile(r"^#[A-Za-z_][A-Za-z0-9_.-]*$")


@dataclass
class XPlanExportResult:
    """What the export wrote: features (`written`) per class (`parts`), text sections, left-out references."""

    path: Path
    crs: str = ""
    written: int = 0
    parts: dict[str, int] = field(default_factory=dict)
    text_sections: int = 0
    dropped_references: int = 0


def _q(name: str, ns: str = XPLAN) -> str:
    return f"{{{ns}}}{name}"


def xplan_export(
    *, plan: Plan, path: Path, by, version: PlanVersion | None = None, crs: str | int | None = None
) -> XPlanExportResult:
    """Write `plan` (its current layers, or those of `version`) as XPlanGML 6.0 to `path`; return what was written.

    Raises ExportError (nothing left at `path`) if the plan has no XPlan layers or a feature cannot be written.
    """
    require_export(by, plan)
    path = Path(path)
    try:
        return _write(plan, path, version, crs)
    except ExportError:
        path.unlink(missing_ok=True)
        raise


def xplan_layers(plan: Plan, version: PlanVersion | None = None) -> list[Layer]:
    """Return the layers an XPlanGML export of `plan` (or `version`) writes: those read from XPlanGML."""
    layers = version.layers.all() if version is not None else plan.layers.filter(current=True)
    return list(layers.exclude(xplan_class="").order_by("order", "pk"))


def _target_crs(layers: list[Layer], value) -> pyproj.CRS:
    if value not in (None, ""):
        return parse_crs(value, error=ExportError)
    for layer in layers:
        try:
            crs = parse_crs(layer.source_crs, error=ExportError)
        except ExportError:
            continue
        if crs.is_projected:
            return crs
    return pyproj.CRS.from_epsg(DEFAULT_EPSG)


def _write(plan: Plan, path: Path, version: PlanVersion | None, crs_value) -> XPlanExportResult:
    layers = xplan_layers(plan, version)
    if not layers:
        raise ExportError(
            _("Der Plan hat keine aus XPlanGML gelesenen Ebenen; es gibt nichts als XPlanGML zu exportieren."),
            code="no_xplan_layers",
        )
    crs = _target_crs(layers, crs_value)
    rows = list(
        Feature.objects.filter(layer__in=layers)
        .order_by("layer__order", "layer_id", "pk")
        .annotate(wkb=AsWKB("geometry"))
        .values_list("pk", "layer_id", "source_id", "wkb", "properties")
    )
    classes = {layer.pk: layer.xplan_class for layer in layers}
    area = shapely.from_wkb(bytes(plan.area.wkb))
    geoms = shapely.from_wkb([bytes(row[3]) for row in rows]) if rows else []
    bounds = tuple(float(v) for v in shapely.total_bounds(area))
    writer = GeometryWriter(crs, bounds)
    area = writer.project(area)
    if area.geom_type == "MultiPolygon" and len(area.geoms) == 1:
        area = area.geoms[0]  # a Geltungsbereich of one part is written as gml:Polygon
    geoms = writer.project(geoms) if rows else []

    prefix = "FP" if plan.kind in FP_KINDS else "BP"
    plan_id, bereich_id = f"GML_plan_{plan.pk}", f"GML_bereich_{plan.pk}"
    features = []
    taken = {plan_id}
    for (pk, layer_id, source_id, _wkb, props), geom in zip(rows, geoms, strict=True):
        props = props if isinstance(props, dict) else orjson.loads(props or "{}")
        gml_id = source_id if source_id and NAME.match(source_id) and source_id not in taken else f"GML_feature_{pk}"
        taken.add(gml_id)
        features.append((gml_id, classes[layer_id], props, geom))
    bereiche = {str(p["gehoertZuBereich"]) for _i, _c, p, _g in features if isinstance(p.get("gehoertZuBereich"), str)}
    if len(bereiche) == 1:
        (reference,) = bereiche
        if REFERENCE.match(reference) and reference[1:] not in taken:
            bereich_id = reference[1:]  # keep the source's Bereich id
    document = xplan_text_document(plan)
    sections = (
        list(document.sections.filter(source=DocumentSection.Source.XPLAN).exclude(key="").order_by("order", "pk"))
        if document is not None
        else []
    )
    sections = [s for s in sections if NAME.match(s.key) and s.key not in taken and s.key != bereich_id]
    known = {f"#{i}" for i in [plan_id, bereich_id, *(f[0] for f in features), *(s.key for s in sections)]}
    result = XPlanExportResult(path=path, crs=writer.srs)

    root = etree.Element(_q("XPlanAuszug"), {_q("id", GML): f"GML_auszug_{plan.pk}"}, nsmap=NSMAP)
    root.set(_q("schemaLocation", XSI), SCHEMA_LOCATION)
    envelope = etree.SubElement(etree.SubElement(root, _q("boundedBy", GML)), _q("Envelope", GML), srsName=writer.srs)
    minx, miny, maxx, maxy = shapely.total_bounds([area, *geoms])
    etree.SubElement(envelope, _q("lowerCorner", GML)).text = writer.pos([(minx, miny)])
    etree.SubElement(envelope, _q("upperCorner", GML)).text = writer.pos([(maxx, maxy)])

    def member(cls: str, gml_id: str) -> etree._Element:
        return etree.SubElement(etree.SubElement(root, _q("featureMember", GML)), _q(cls), {_q("id", GML): gml_id})

    def text(parent, name: str, value) -> None:
        etree.SubElement(parent, _q(name)).text = str(value)

    def href(parent, name: str, target: str) -> None:
        etree.SubElement(parent, _q(name), {_q("href", XLINK): f"#{target}"})

    el = member(f"{prefix}_Plan", plan_id)
    text(el, "name", plan.title)
    if plan.number:
        text(el, "nummer", plan.number)
    etree.SubElement(el, _q("raeumlicherGeltungsbereich")).append(writer.geometry(area, f"{plan_id}_gb", plan_id))
    for section in sections:
        href(el, "texte", section.key)
    gemeinde = etree.SubElement(etree.SubElement(el, _q("gemeinde")), _q("XP_Gemeinde"))
    text(gemeinde, "ags", plan.municipality.ags)
    text(gemeinde, "gemeindeName", plan.municipality.name)
    text(el, "planArt", PLAN_ART.get(plan.kind, "9999"))
    if plan.stage in RECHTSSTAND:
        text(
            el,
            "rechtsstand",
            "5000" if prefix == "FP" and plan.stage == Plan.Stage.DISCONTINUED else RECHTSSTAND[plan.stage],
        )
    href(el, "bereich", bereich_id)

    el = member(f"{prefix}_Bereich", bereich_id)
    text(el, "nummer", "0")
    for gml_id, *_rest in features:
        href(el, "planinhalt", gml_id)
    href(el, "gehoertZuPlan", plan_id)

    for section in sections:
        el = member("XP_TextAbschnitt", section.key)  # XPlanung 6.0 has no BP_/FP_TextAbschnitt
        if section.number:
            text(el, "schluessel", section.number)
        if section.legal_basis:
            basis = etree.SubElement(etree.SubElement(el, _q("gesetzlicheGrundlage")), _q("XP_GesetzlicheGrundlage"))
            text(basis, "name", section.legal_basis)
        if section.text:
            text(el, "text", section.text)
        text(el, "rechtscharakter", "9998")  # Unbekannt: the character is not kept on import
        result.text_sections += 1

    for gml_id, cls, props, geom in features:
        el = member(cls, gml_id)
        items = [
            (k, v)
            for k, v in props.items()
            if k not in SKIPPED and v is not None and v != "" and k != "gehoertZuBereich"
        ]
        base = [item for item in items if item[0] in BASE_PROPERTIES]
        rest = [item for item in items if item[0] not in BASE_PROPERTIES]
        followers = [item for item in rest if item[0] in GEOMETRY_FOLLOWERS]
        rest = [item for item in rest if item[0] not in GEOMETRY_FOLLOWERS]
        href(el, "gehoertZuBereich", bereich_id)
        for key, value in base:
            result.dropped_references += _property(el, key, value, gml_id, known)
        etree.SubElement(el, _q("position")).append(writer.geometry(geom, f"{gml_id}_g", gml_id))
        for key, value in followers + rest:
            result.dropped_references += _property(el, key, value, gml_id, known)
        result.parts[cls] = result.parts.get(cls, 0) + 1
        result.written += 1

    tree = etree.ElementTree(root)
    tree.write(str(path), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    _check_written(path, result)
    return result


def _property(parent, key: str, value, owner: str, known: set[str]) -> int:
    """Append attribute `key` of feature `owner`; return how many references to objects not exported were left out."""
    if not NAME.match(key):
        raise ExportError(
            _("Objekt %(owner)s: Das Attribut „%(key)s“ ist kein gültiger XPlanGML-Elementname.")
            % {"owner": owner, "key": key},
            code="invalid_attribute",
        )
    if isinstance(value, list):
        return sum(_property(parent, key, item, owner, known) for item in value if item is not None and item != "")
    if isinstance(value, dict):
        data_type = DATA_TYPES.get(key)
        if data_type is None:
            raise ExportError(
                _(
                    "Objekt %(owner)s: Der Datentyp des Attributs „%(key)s“ ist nicht bekannt; es kann nicht als "
                    "XPlanGML geschrieben werden."
                )
                % {"owner": owner, "key": key},
                code="unknown_data_type",
            )
        wrapper = etree.SubElement(etree.SubElement(parent, _q(key)), _q(data_type))
        return sum(_property(wrapper, k, v, owner, known) for k, v in value.items() if v is not None and v != "")
    if isinstance(value, str) and REFERENCE.match(value):
        if value not in known:
            return 1
        etree.SubElement(parent, _q(key), {_q("href", XLINK): value})
        return 0
    if isinstance(value, bool):
        value = "true" if value else "false"
    etree.SubElement(parent, _q(key)).text = str(value)
    return 0


def _check_written(path: Path, result: XPlanExportResult) -> None:
    """Read the written file back and raise ExportError unless it holds every feature and text section."""
    counts: dict[str, int] = {}
    for _event, el in etree.iterparse(str(path), events=("end",), tag=f"{{{GML}}}featureMember"):
        for child in el:
            name = etree.QName(child).localname
            counts[name] = counts.get(name, 0) + 1
        el.clear()
    written = sum(counts.get(cls, 0) for cls in result.parts)
    sections = sum(v for k, v in counts.items() if k.endswith("_TextAbschnitt"))
    if written != result.written or sections != result.text_sections:
        raise ExportError(
            _("Die XPlanGML-Datei ist unvollständig: %(written)d von %(expected)d Objekten geschrieben.")
            % {"written": written, "expected": result.written},
            code="incomplete_export",
        )
