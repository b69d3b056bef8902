"""Report renderers of the Abwägungstabelle, all fed by one column list (columns.py)."""

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import bundle, csv, docx, gis, odt, pdf, xlsx
from .columns import columns_for
from .data import report_rows


@dataclass(frozen=True)
class Format:
    key: str
    label: str | Promise  # a lazy translation for labels that are words
    content_type: str
    extension: str
    render: Callable | None = None  # (rows, columns, consultation) -> bytes
    write: Callable | None = None  # (out, rows, columns, consultation, progress): streams into the file `out`
    personal_only: bool = False  # may carry personal data whatever the columns say (attachments)
    file_prefix: str = "abwaegung"  # the download's name starts with it


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
PAPER = "beschlussvorlage"

FORMATS = {
    f.key: f
    for f in (
        Format("csv", "CSV", "text/csv; charset=utf-8", "csv", csv.render),
        Format(
            "xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", xlsx.render
        ),
        Format("pdf", "PDF", "application/pdf", "pdf", pdf.render),
        Format("geojson", "GeoJSON", "application/geo+json", "geojson", gis.render_geojson),
        Format("gpkg", "GeoPackage", "application/geopackage+sqlite3", "gpkg", gis.render_gpkg),
        Format("docx", "DOCX", DOCX, "docx", write=docx.write_table),
        Format("odt", "ODT", ODT, "odt", write=odt.write_table),
        Format("bv-docx", _("Beschlussvorlage (DOCX)"), DOCX, "docx", write=docx.write_paper, file_prefix=PAPER),
        Format("bv-odt", _("Beschlussvorlage (ODT)"), ODT, "odt", write=odt.write_paper, file_prefix=PAPER),
        # Attachments may name and show anyone: the bundle is always an export with personal data.
        Format("zip", bundle.LABEL, "application/zip", "zip", write=bundle.write, personal_only=True),
    )
}


def is_personal(format: str, personal: bool) -> bool:
    """Return whether an export in `format` counts as one with personal data (permission, log, columns)."""
    return personal or FORMATS[format].personal_only


class ProgressRows(list):
    """The report rows; every pass of a renderer over them reports how far it got (the caller throttles)."""

    def __init__(self, rows, report: Callable[[int, int], None], every: int = 200):
        super().__init__(rows)
        self._report, self._every = report, every

    def __iter__(self):
        for index, row in enumerate(super().__iter__(), start=1):
            if index % self._every == 0:
                self._report(index, len(self))
            yield row


def export_report_to(
    out: BinaryIO,
    *,
    consultation,
    format: str,
    personal: bool = False,
    statement_ids=None,
    by_section: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the Abwägungstabelle of `consultation` in `format` into the binary file `out`; return the row count.

    `statement_ids` narrows it to those statements, `by_section` orders them by plan text section;
    `progress(done, total)` hears about rendered rows.
    """
    kind = FORMATS[format]
    personal = is_personal(format, personal)
    # The Abwägungstabelle is a document for the council: always in the site language (German).
    with translation.override(settings.LANGUAGE_CODE):
        rows = report_rows(consultation, statement_ids=statement_ids, by_section=by_section)
        columns = columns_for(personal=personal)
        if kind.write is not None:
            kind.write(out=out, rows=rows, columns=columns, consultation=consultation, progress=progress)
            return len(rows)
        if progress is not None:
            progress(0, len(rows))
            rows = ProgressRows(rows, progress)
        assert kind.render is not None
        out.write(kind.render(rows=rows, columns=columns, consultation=consultation))
    return len(rows)


def export_report(
    *,
    consultation,
    format: str,
    personal: bool = False,
    statement_ids=None,
    by_section: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[bytes, int]:
    """Render the Abwägungstabelle of `consultation` in `format`; return the bytes and the row count."""
    out = io.BytesIO()
    rows = export_report_to(
        out,
        consultation=consultation,
        format=format,
        personal=personal,
        statement_ids=statement_ids,
        by_section=by_section,
        progress=progress,
    )
    return out.getvalue(), rows


def export_filename(consultation, format: str, personal: bool) -> str:
    """Return a download file name like 'abwaegung-baugebiet-3-runde1.xlsx'."""
    suffix = "-personendaten" if is_personal(format, personal) else ""
    extension, prefix = FORMATS[format].extension, FORMATS[format].file_prefix
    return f"{prefix}-{consultation.plan.slug}-{consultation.kind}-{consultation.round}{suffix}.{extension}"
