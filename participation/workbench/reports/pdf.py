"""The Abwägungstabelle as an accessible, tagged PDF (PDF/UA-1): HTML rendered by WeasyPrint.

Cover page, statistics, a numbered overview map and the table with real header cells that repeat on
every page; segments of a statement follow it as sub-rows. WeasyPrint tags headings, tables, lists and
figures (with their alt text) and marks page headers and footers as artifacts.
"""

import base64
from dataclasses import dataclass

import pydyf
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from weasyprint import HTML

from ..models import Segment
from ..stats import consultation_statistics
from .columns import Column, label
from .pdfmap import statement_map

PDF_VARIANT = "pdf/ua-1"
# WeasyPrint walks all rows of a table row group on every page it lays out: groups of this many rows.
ROW_GROUP = 50


def _page_references(pdf) -> tuple[bytes, ...]:
    """Return the pages' references, built once per page count (pydyf rebuilds them on every access)."""
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_page_references")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf.__dict__["_page_references"] = cached
    return cached[1]


# WeasyPrint's tagging reads pdf.page_references once per marked content item: quadratic in the pages.
pydyf.PDF.page_references = property(_page_references)

# The PDF table joins related columns into one cell (label: value lines) so the texts get wide columns.
# Keys not named here but shown in the PDF get a column of their own, before the texts.
GROUPS: list[tuple[str, tuple[str, ...], str]] = [
    ("nr", ("nr",), "nr"),
    ("einreicher", ("einreicher", "name", "email", "anschrift"), "submitter"),
    ("eingang", ("eingang", "verspaetet", "weg"), "received"),
    ("bezug", ("thema", "planinhalt", "abschnitt", "aktenzeichen", "keine_bedenken", "anhaenge"), "reference"),
    ("text", ("text",), "text"),
    ("abwaegung", ("abwaegung",), "text"),
    ("entscheidung", ("entscheidung",), "decision"),
]
HEADERS = {"eingang": _("Eingang"), "bezug": _("Bezug")}


@dataclass
class PdfColumn:
    key: str
    header: str
    columns: list[Column]
    css: str


def pdf_columns(columns: list[Column]) -> list[PdfColumn]:
    """Return the PDF table's columns: related report columns joined, in the order of GROUPS."""
    shown = {c.key: c for c in columns if c.pdf}
    result: list[PdfColumn] = []
    used: set[str] = set()
    for key, keys, css in GROUPS:
        members = [shown[k] for k in keys if k in shown]
        if not members:
            continue
        used.update(c.key for c in members)
        result.append(PdfColumn(key, str(HEADERS.get(key, members[0].header)), members, css))
    extra = [PdfColumn(c.key, str(c.header), [c], "reference") for c in columns if c.pdf and c.key not in used]
    return result[:4] + extra + result[4:]


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    return str(value)


def _cell(column: PdfColumn, row: dict) -> list[tuple[str, str]]:
    """Return the (label, value) lines of one cell; the first column of a group is shown without a label."""
    lines = []
    for index, member in enumerate(column.columns):
        if member.key == "verspaetet" and not row["late"]:
            continue
        value = _text(member.getter(row))
        if value:
            lines.append(("" if index == 0 else str(member.header), value))
    return lines


def _segments(consultation, rows) -> dict[int, list[Segment]]:
    """Return the segments of the rows' statements, per statement id, in their order."""
    ids = {row["id"] for row in rows}
    by_statement: dict[int, list[Segment]] = {}
    segments = (
        Segment.objects.filter(weighing__statement__consultation=consultation)
        .select_related("section", "feature__layer", "weighing")
        .order_by("weighing__number", "number")
    )
    for segment in segments:
        if segment.weighing.statement_id in ids:
            by_statement.setdefault(segment.weighing.statement_id, []).append(segment)
    return by_statement


def _segment_cells(segment: Segment) -> dict[str, list[tuple[str, str]]]:
    reference = [("", label("topic", segment.topic))] if segment.topic else []
    section, feature = segment.section, segment.feature
    if section is not None:
        reference.append((str(_("Abschnitt")), f"{section.number} {section.title}".strip()))
    if feature is not None:
        layer = feature.layer.name if feature.layer_id else ""
        reference.append((str(_("Planinhalt")), f"{layer}: {feature.source_id or feature.pk}"))
    decision = label("decision", segment.decision)
    return {
        "bezug": reference,
        "text": [("", segment.excerpt)],
        "abwaegung": [("", segment.response)] if segment.response else [],
        "entscheidung": [("", decision)] if decision else [],
    }


def table_rows(consultation, rows, columns: list[PdfColumn]):
    """Yield the table's rows: a statement's cells, then one sub-row per segment."""
    segments = _segments(consultation, rows)
    for row in rows:
        yield {"segment": False, "number": row["number"], "cells": [_cell(c, row) for c in columns[1:]]}
        for segment in segments.get(row["id"], []):
            cells = _segment_cells(segment)
            yield {
                "segment": True,
                "number": f"{row['number']}.{segment.number}",
                "cells": [cells.get(c.key, []) for c in columns[1:]],
            }


def row_groups(rows, size: int = ROW_GROUP):
    """Yield the rows in lists of `size`: one <tbody> each, so laying out a page does not walk every row."""
    group = []
    for row in rows:
        group.append(row)
        if len(group) == size:
            yield group
            group = []
    if group:
        yield group


def render(*, rows, columns, consultation) -> bytes:
    """Return the report as a tagged PDF (PDF/UA-1)."""
    # reports.data follows each statement's row with its segments' rows; here the segments come as sub-rows.
    rows = [row for row in rows if row.get("segment") is None]
    plan = consultation.plan
    stats = consultation_statistics(consultation)
    shown = pdf_columns(columns)
    overview = statement_map(consultation, rows)
    context = {
        "consultation": consultation,
        "plan": plan,
        "municipality": plan.municipality,
        "stats": stats,
        "decided": stats.total - dict(stats.per_decision).get(str(_("noch offen")), 0),
        "created": timezone.localtime(),
        "columns": shown,
        "row_groups": row_groups(table_rows(consultation, rows, shown)),
        "map": overview,
        "map_src": "data:image/svg+xml;base64," + base64.b64encode(overview.svg.encode()).decode(),
        "title": _("Abwägungstabelle: %(plan)s") % {"plan": plan.display_name},
    }
    html = render_to_string("workbench/reports/abwaegung_pdf.html", context)
    return HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)
