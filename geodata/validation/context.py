"""What every check reads: the document, its raw XML features, metric geometries and places."""

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

import shapely

from ..importers.gml import GML, local, namespace
from ..importers.xplan import XPlanDocument
from .places import Places
from .report import Problem, ValidationReport

MEMBER_WRAPPERS = ("featureMember", "featureMembers", "member")


@dataclass
class RawFeature:
    """One top-level object of the file as read from the XML (before any clean-up)."""

    gml_id: str
    cls: str
    element: ET.Element


def raw_features(root: ET.Element | None) -> list[RawFeature]:
    """Return the objects of an XPlanAuszug (members of featureMember(s) / member)."""
    if root is None:
        return []
    found = []
    for wrapper in root:
        if local(wrapper.tag) in MEMBER_WRAPPERS:
            for obj in wrapper:
                found.append(RawFeature(gml_id=obj.get(f"{{{GML}}}id", ""), cls=local(obj.tag), element=obj))
    return found


@dataclass
class Context:
    """The document being validated and the shared lookups of the checks."""

    document: XPlanDocument
    report: ValidationReport
    features: list[RawFeature]
    places: Places
    xplan_namespace: str = ""
    default_srs: str = ""  # the srsName of the file's gml:boundedBy envelope
    metric: dict[str, Any] = field(default_factory=dict)  # gml:id -> geometry in metres
    classes: dict[str, str] = field(default_factory=dict)  # gml:id -> class of every object
    plan_area: Any = None  # the plan's Geltungsbereich in metres

    @classmethod
    def build(cls, document, report: ValidationReport) -> "Context":
        root = getattr(document, "root", None)
        places = Places(document.crs)
        context = cls(
            document=document,
            report=report,
            features=raw_features(root),
            places=places,
            xplan_namespace=namespace(root.tag) if root is not None else "",
        )
        envelope = root.find(f"{{{GML}}}boundedBy/{{{GML}}}Envelope") if root is not None else None
        context.default_srs = envelope.get("srsName", "") if envelope is not None else ""
        context.classes = {f.gml_id: f.cls for f in context.features if f.gml_id}
        for items in document.features.values():
            for item in items:
                context.metric[item.gml_id] = places.metric(item.geometry)
        context.plan_area = _valid(places.metric(document.area))
        context.metric.setdefault(document.plan_id, context.plan_area)
        return context

    def problem(self, severity: str, code: str, message: str, *, gml_id="", cls="", geometry=None, area=None):
        """Add a problem placed at `geometry` (metres), else at the object `gml_id`, else at the plan."""
        if geometry is None or geometry.is_empty:
            geometry = self.metric.get(gml_id)
        if geometry is None or geometry.is_empty:
            geometry = self.plan_area
        point, bbox = self.places.place(geometry)
        self.report.add(
            Problem(
                severity=severity,
                code=code,
                message=str(message),
                gml_id=gml_id,
                cls=cls or self.classes.get(gml_id, ""),
                point=point,
                bbox=bbox,
                area_m2=round(area, 2) if area is not None else None,
            )
        )


def _valid(geometry):
    if geometry is None or geometry.is_empty or shapely.is_valid(geometry):
        return geometry
    return shapely.make_valid(geometry)
