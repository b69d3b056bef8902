"""Report renderers of the Abwägungstabelle, all fed by one column list (columns.py)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from . import csv, gis, pdf, xlsx
from .columns import columns_for
from .data import report_rows


@dataclass(frozen=True)
class Format:
    key: str
    label: str
    content_type: str
    extension: str
    render: Callable


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
    )
}


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


def export_report(
    *,
    consultation,
    format: str,
    personal: bool = False,
    statement_ids=None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[bytes, int]:
    """Render the Abwägungstabelle of `consultation` in `format`; return the bytes and the row count.

    `statement_ids` narrows it to those statements; `progress(done, total)` hears about rendered rows.
    """
    # The Abwägungstabelle is a document for the council: always in the site language (German).
    with translation.override(settings.LANGUAGE_CODE):
        rows = report_rows(consultation, statement_ids=statement_ids)
        if progress is not None:
            progress(0, len(rows))
            rows = ProgressRows(rows, progress)
        data = FORMATS[format].render(rows=rows, columns=columns_for(personal=personal), consultation=consultation)
    return data, len(rows)


def export_filename(consultation, format: str, personal: bool) -> str:
    """Return a download file name like 'abwaegung-baugebiet-3-runde1.xlsx'."""
    suffix = "-personendaten" if personal else ""
    extension = FORMATS[format].extension
    return f"abwaegung-{consultation.plan.slug}-{consultation.kind}-{consultation.round}{suffix}.{extension}"
