"""Read XPlanGML 4.x/5.x/6.x: plans, Bereiche, content classes and presentation objects.

Parsing and geometry conversion (arcs linearised, open rings closed, both reported)
live in `gml.py`; classes, names and code lists come from the generated model table
(`geodata.xplan_model`, helpers in `xplan_objects.py`). A file may hold several plans;
each becomes its own XPlanDocument with the content of its Bereiche.
"""

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from django.utils.translation import gettext as _
from pyproj import CRS

from .. import xplan_model
from ..crs import crs_label
from ..errors import ImportRejected
from . import xplan_objects
from .gml import GML, GeometryReader, crs_from_srs_name, local, namespace, parse_xml
from .xplan_legal import (  # noqa: F401  (callers use xplan.plan_kind, xplan.ags_is_valid, … as before)
    AGS_PATTERN,
    BP_PLAN_ART,
    FP_PLAN_ART,
    FP_RECHTSSTAND,
    RECHTSSTAND,
    STAGE_DATES,
    ags_is_valid,
    plan_kind,
    plan_stage,
    stage_dates,
)

XLINK = "http://www.w3.org/1999/xlink"
XPLAN_NAMESPACE = re.compile(r"^http://www\.xplanung\.de/xplangml/(\d+)/(\d+)$")
PLAN_CLASSES = ("BP_Plan", "FP_Plan", "SO_Plan", "LP_Plan")
SKIPPED_PREFIXES = ("XP_",)  # text sections, raster references, data types (presentation objects: see below)
SKIPPED_SUFFIXES = ("_Plan", "_Bereich")


@dataclass
class XPlanFeature:
    gml_id: str
    cls: str
    geometry: object  # shapely geometry in `crs`
    properties: dict
    bereich: str = ""  # gml:id of the Bereich the feature belongs to ("" if none)


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
    dates: dict[str, list[str]] = field(default_factory=dict)  # e.g. {"inkrafttretensDatum": ["2002-02-01"]}
    # The parsed XML, kept for the validation report (geodata.validation: raw rings, references, schema).
    root: ET.Element | None = field(default=None, repr=False, compare=False)
    bereiche: dict[str, str] = field(default_factory=dict)  # gml:id -> label, in file order
    plans_in_file: int = 1


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


def _version(root: ET.Element) -> str:
    """Return the XPlanGML version of the document, or refuse the file."""
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
    if not xplan_model.is_supported(version):
        raise ImportRejected(
            _("XPlanGML-Version %(version)s wird nicht unterstützt (unterstützt: 4.x, 5.x und 6.x).")
            % {"version": version},
            code="unsupported_version",
        )
    return version


def _read_members(root: ET.Element, reader: GeometryReader, version: str):
    """Yield (class, gml:id, properties, geometry) of every member object of the document."""
    for member_wrapper in root:
        if local(member_wrapper.tag) not in ("featureMember", "featureMembers", "member"):
            continue
        for obj in list(member_wrapper):
            cls = local(obj.tag)
            gml_id = obj.get(f"{{{GML}}}id", "")
            properties: dict = {}
            geometry = None
            for prop in obj:
                name = local(prop.tag)
                if namespace(prop.tag) == GML:
                    continue
                geom_el = _geometry_child(prop)
                if geom_el is not None:
                    if geometry is None or name in ("position", "raeumlicherGeltungsbereich"):
                        geometry = reader.read(geom_el, gml_id or cls)
                        if reader.repaired:
                            yield "__repaired__", gml_id, {}, None
                    continue
                value = _value(prop)
                if name in properties:
                    existing = properties[name]
                    properties[name] = (existing if isinstance(existing, list) else [existing]) + [value]
                else:
                    properties[name] = value
            yield cls, gml_id, properties, geometry


def read_xplan(path: Path, plan_id: str | None = None) -> XPlanDocument:
    """Parse an XPlanGML file into plan metadata and features per content class.

    A file with several plans is refused unless `plan_id` (the plan's gml:id) chooses one;
    `read_xplan_all` returns every plan.
    """
    documents = read_xplan_all(path)
    return documents[0] if plan_id is None and len(documents) == 1 else choose_plan(documents, plan_id)


def choose_plan(documents: list[XPlanDocument], plan_id: str | None) -> XPlanDocument:
    """Return the plan with gml:id `plan_id`; refuse an unknown id, or no id when there are several plans."""
    listed = ", ".join(f"„{d.name}“ ({d.plan_id})" for d in documents)
    if plan_id is None:
        if len(documents) == 1:
            return documents[0]
        raise ImportRejected(
            _("Die XPlanGML-Datei enthält %(count)d Pläne (%(plans)s); bitte einen davon wählen.")
            % {"count": len(documents), "plans": listed},
            code="several_plans",
        )
    for document in documents:
        if document.plan_id == plan_id:
            return document
    raise ImportRejected(
        _("Die Datei enthält keinen Plan mit der Kennung %(id)s (enthalten: %(plans)s).")
        % {"id": plan_id, "plans": listed},
        code="unknown_plan_id",
    )


def layer_groups(document: XPlanDocument) -> dict[tuple[str, str], list[XPlanFeature]]:
    """Return the document's features per layer: (class, Bereich label) with several Bereiche, else (class, "")."""
    several = len(document.bereiche) > 1
    groups: dict[tuple[str, str], list[XPlanFeature]] = {}
    for cls, items in document.features.items():
        for item in items:
            bereich = document.bereiche.get(item.bereich, "") if several else ""
            groups.setdefault((cls, bereich), []).append(item)
    return groups


def read_xplan_all(path: Path) -> list[XPlanDocument]:
    """Parse an XPlanGML file into one XPlanDocument per plan (BP, FP, SO or LP), in file order."""
    root = parse_xml(path)
    version = _version(root)
    envelope = root.find(f"{{{GML}}}boundedBy/{{{GML}}}Envelope")
    reader = GeometryReader(envelope.get("srsName", "") if envelope is not None else "")
    plans, bereiche, contents = [], {}, []
    repaired_ids: set[str] = set()
    for cls, gml_id, properties, geometry in _read_members(root, reader, version):
        if cls == "__repaired__":
            repaired_ids.add(gml_id)
        elif cls in PLAN_CLASSES:
            plans.append((cls, gml_id, properties, geometry))
        elif cls.endswith("_Plan"):
            raise ImportRejected(
                _("Die Planart %(cls)s wird nicht unterstützt (unterstützt: %(classes)s).")
                % {"cls": cls, "classes": ", ".join(PLAN_CLASSES)},
                code="unsupported_plan",
            )
        elif xplan_objects.is_bereich(version, cls):
            bereiche[gml_id] = properties
        elif geometry is not None and xplan_objects.is_presentation(version, cls):
            contents.append((cls, gml_id, properties, geometry))
        elif cls.startswith(SKIPPED_PREFIXES) or cls.endswith(SKIPPED_SUFFIXES) or geometry is None:
            continue
        else:
            contents.append((cls, gml_id, properties, geometry))
    if not plans:
        raise ImportRejected(
            _("Die XPlanGML-Datei enthält keinen Plan (%(classes)s).") % {"classes": ", ".join(PLAN_CLASSES)},
            code="no_plan",
        )
    if len(reader.srs_names) > 1:
        raise ImportRejected(
            _("Die Datei verwendet mehrere Koordinatensysteme (%(names)s); erwartet wird eines.")
            % {"names": ", ".join(sorted(reader.srs_names))},
            code="mixed_crs",
        )
    crs, swap = crs_from_srs_name(next(iter(reader.srs_names), ""))
    flip = (lambda g: shapely.transform(g, lambda xy: xy[:, ::-1])) if swap else (lambda g: g)

    # Bereich -> plan (gehoertZuPlan, or the plan's bereich references); object -> Bereich
    # (gehoertZuBereich, or the Bereich's planinhalt / praesentationsobjekt references).
    plan_of_bereich: dict[str, str] = {}
    for _plan_cls, plan_gml_id, props, _area in plans:
        for bereich_id in xplan_objects.href_ids(props.get("bereich")):
            plan_of_bereich.setdefault(bereich_id, plan_gml_id)
    bereich_of: dict[str, str] = {}
    for bereich_id, props in bereiche.items():
        owner = xplan_objects.href_id(props.get("gehoertZuPlan"))
        if owner:
            plan_of_bereich[bereich_id] = owner
        for key in ("planinhalt", "praesentationsobjekt", "nachrichtlich", "inhaltBPlan", "inhaltFPlan"):
            for object_id in xplan_objects.href_ids(props.get(key)):
                bereich_of.setdefault(object_id, bereich_id)
    objects = {gml_id: (cls, props) for cls, gml_id, props, _geometry in contents}
    plan_ids = [plan[1] for plan in plans]
    per_plan: dict[str, dict[str, list[XPlanFeature]]] = {plan_id: defaultdict(list) for plan_id in plan_ids}
    unassigned = 0
    for cls, gml_id, props, geometry in contents:
        own = props.get("gehoertZuBereich") or props.get(f"gehoertZu{cls[:2]}_Bereich")  # 4.x: gehoertZuBP_Bereich
        bereich = xplan_objects.href_id(own) or bereich_of.get(gml_id, "")
        owner = plan_of_bereich.get(bereich) or (plan_ids[0] if len(plan_ids) == 1 else "")
        if owner not in per_plan:
            unassigned += 1
            continue
        geometry = flip(geometry)
        if xplan_objects.is_presentation(version, cls):
            props = dict(props, beschriftung=xplan_objects.label_text(version, props, objects))
            geometry = xplan_objects.label_point(geometry)
        per_plan[owner][cls].append(
            XPlanFeature(gml_id=gml_id, cls=cls, geometry=geometry, properties=props, bereich=bereich)
        )
    notes = list(reader.notes)
    if unassigned:
        notes.append(
            _("%(count)d Objekte gehören zu keinem Bereich eines Plans der Datei und wurden nicht übernommen.")
            % {"count": unassigned}
        )
    documents = []
    for plan_class, plan_gml_id, props, area in plans:
        if area is None:
            raise ImportRejected(
                _("Der Plan hat keinen räumlichen Geltungsbereich (raeumlicherGeltungsbereich)."), code="no_area"
            )
        own_bereiche = xplan_objects.bereich_labels(
            {
                bereich_id: props
                for bereich_id, props in bereiche.items()
                if plan_of_bereich.get(bereich_id, plan_ids[0] if len(plan_ids) == 1 else "") == plan_gml_id
            }
        )
        documents.append(
            _document(
                version=version,
                plan=(plan_class, plan_gml_id, props, flip(area)),
                crs=crs,
                features=dict(per_plan[plan_gml_id]),
                notes=notes,
                repaired_ids=repaired_ids,
                bereiche=own_bereiche,
                plans_in_file=len(plans),
                root=root,
            )
        )
    return documents


def _document(*, version, plan, crs, features, notes, repaired_ids, bereiche, plans_in_file, root) -> XPlanDocument:
    """Return the XPlanDocument of one plan of the file."""
    plan_class, plan_id, props, area = plan
    gemeinde = props.get("gemeinde")
    gemeinde = gemeinde[0] if isinstance(gemeinde, list) else gemeinde
    gemeinde = gemeinde if isinstance(gemeinde, dict) else {}
    ags = str(gemeinde.get("ags") or "").strip()
    rs = str(gemeinde.get("rs") or "").strip()
    if not ags and len(rs) == 12:
        ags = rs[:5] + rs[9:]
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
        crs_label=crs_label(crs),
        features=features,
        notes=list(notes),
        repaired_ids=set(repaired_ids),
        dates=_dates(props),
        root=root,
        bereiche=bereiche,
        plans_in_file=plans_in_file,
    )


def _dates(props: dict) -> dict[str, list[str]]:
    """Return the plan's procedure dates (every value of each date attribute) as text."""
    result = {}
    for attribute, _stage in STAGE_DATES:
        value = props.get(attribute)
        if value:
            values = value if isinstance(value, list) else [value]
            result[attribute] = [str(v) for v in values if isinstance(v, str) and v]
    return result


def _first(value) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()


def layer_for_class(cls: str, version: str = "6.0", bereich: str = "", legal=()) -> tuple[str, str]:
    """Return the layer name (German class name, " – <Bereich>" if given) and Layer.Kind of class `cls`."""
    return xplan_objects.layer_for_class(version, cls, bereich=bereich, legal=legal)
