"""Text sections and raster plan drawings of an XPlanGML import (read before, saved inside the import)."""

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _
from pyproj import CRS

from plans.models import Plan
from plans.section_services_xplan import xplan_text_document_save

from ..importers import files, xplan
from ..importers.report import ImportReport
from ..importers.xplan_raster import RasterDrawing, read_drawings
from ..importers.xplan_texts import TextSection, read_text_sections_file
from ..models import Layer
from .raster import raster_layer_name, raster_layer_save


@dataclass
class XPlanAttachments:
    """What an XPlanGML file holds besides its plan elements."""

    texts: list[TextSection] = field(default_factory=list)
    drawings: list[RasterDrawing] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def xplan_attachments_read(*, path: Path, original_name: str, crs: CRS) -> XPlanAttachments:
    """Read the text sections and the georeferenced drawings (warped) of an XPlanGML file or ZIP."""
    with tempfile.TemporaryDirectory(prefix="pb-xplan-extra-") as workdir:
        dataset = files.prepare_source(Path(path), Path(workdir), original_name=original_name)
        texts = read_text_sections_file(dataset)
        unpacked = Path(workdir) / "unpacked"
        members = [p for p in unpacked.rglob("*") if p.is_file()] if unpacked.is_dir() else []
        drawings, notes = read_drawings(members, crs)
    return XPlanAttachments(texts=texts, drawings=drawings, notes=notes)


def xplan_attachments_for(
    attachments: XPlanAttachments, *, document: xplan.XPlanDocument, first: bool
) -> XPlanAttachments:
    """Return what of a file's attachments belongs to one of its plans.

    A file with one plan gives it everything. With several plans, a plan gets the text sections
    its elements refer to (refTextInhalt); the drawings go to the file's first plan.
    """
    if document.plans_in_file <= 1:
        return attachments
    referred = {
        ref.lstrip("#")
        for items in document.features.values()
        for item in items
        for ref in _hrefs(item.properties.get("refTextInhalt"))
    }
    return XPlanAttachments(
        texts=[text for text in attachments.texts if text.gml_id in referred],
        drawings=attachments.drawings if first else [],
        notes=attachments.notes if first else [],
    )


def _hrefs(value) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(v.get("href", "") if isinstance(v, dict) else v or "") for v in values if v]


def xplan_attachments_save(
    *, plan: Plan, attachments: XPlanAttachments, by, source_name: str, source_crs: str, report: ImportReport
) -> list[Layer]:
    """Save the text sections as the plan's document of textliche Festsetzungen and the drawings as raster layers.

    Returns the new raster layers (for the plan's new version); those of earlier versions stay as they are.
    """
    document = xplan_text_document_save(
        plan=plan, by=by, sections=[t.as_section() for t in attachments.texts], source_name=source_name
    )
    if document is not None:
        report.notes.append(
            _("%(count)d textliche Festsetzungen übernommen (Dokument „%(title)s“).")
            % {"count": len(attachments.texts), "title": document.title}
        )
    several = len(attachments.drawings) > 1
    kept = []
    for drawing in attachments.drawings:
        layer = raster_layer_save(
            plan=plan,
            by=by,
            name=raster_layer_name(drawing.name, several=several),
            png=drawing.png,
            bounds=drawing.bounds,
            source_name=source_name,
            source_crs=source_crs,
        )
        kept.append(layer)
        report.notes.append(
            _("Planzeichnung %(name)s als Rasterbild übernommen (%(width)d × %(height)d Bildpunkte).")
            % {"name": drawing.name, "width": drawing.width, "height": drawing.height}
        )
    report.notes.extend(attachments.notes)
    return kept
