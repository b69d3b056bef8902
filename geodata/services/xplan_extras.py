"""Text sections and raster plan drawings of an XPlanGML import (read before, saved inside the import)."""

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _
from pyproj import CRS

from plans.models import Plan
from plans.section_services_xplan import xplan_text_document_save

from ..importers import files
from ..importers.report import ImportReport
from ..importers.xplan_raster import RasterDrawing, read_drawings
from ..importers.xplan_texts import TextSection, read_text_sections_file
from .raster import raster_layer_name, raster_layer_save, raster_layers_prune


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


def xplan_attachments_save(
    *, plan: Plan, attachments: XPlanAttachments, by, source_name: str, source_crs: str, report: ImportReport
) -> None:
    """Save the text sections as the plan's document of textliche Festsetzungen and the drawings as raster layers."""
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
        kept.append(layer.pk)
        report.notes.append(
            _("Planzeichnung %(name)s als Rasterbild übernommen (%(width)d × %(height)d Bildpunkte).")
            % {"name": drawing.name, "width": drawing.width, "height": drawing.height}
        )
    raster_layers_prune(plan=plan, by=by, keep=kept)
    report.notes.extend(attachments.notes)
