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


def export_report(*, consultation, format: str, personal: bool = False) -> tuple[bytes, int]:
    """Render the Abwägungstabelle of `consultation` in `format`; return the bytes and the row count."""
    # The Abwägungstabelle is a document for the council: always in the site language (German).
    with translation.override(settings.LANGUAGE_CODE):
        rows = report_rows(consultation)
        data = FORMATS[format].render(rows=rows, columns=columns_for(personal=personal), consultation=consultation)
    return data, len(rows)


def export_filename(consultation, format: str, personal: bool) -> str:
    """Return a download file name like 'abwaegung-baugebiet-3-runde1.xlsx'."""
    suffix = "-personendaten" if personal else ""
    extension = FORMATS[format].extension
    return f"abwaegung-{consultation.plan.slug}-{consultation.kind}-{consultation.round}{suffix}.{extension}"
