"""The Abwägungstabelle as XLSX (openpyxl write-only mode: styled header, wrap, freeze panes, autofilter)."""

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .csv import FORMULA_START

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
WRAP = Alignment(wrap_text=True, vertical="top")
ILLEGAL = {i: None for i in range(32) if i not in (9, 10, 13)}  # control characters XLSX cannot store


def _value(value):
    if isinstance(value, str):
        value = value.translate(ILLEGAL)
        if value.startswith(FORMULA_START):
            value = "'" + value
    return value


def render(*, rows, columns, consultation) -> bytes:
    """Return the table as XLSX bytes."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Abwägung")
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.header))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
        header.append(cell)
    sheet.append(header)
    wrapped = {i for i, c in enumerate(columns) if c.width >= 30}
    getters = [c.getter for c in columns]
    for row in rows:
        cells = []
        for i, get in enumerate(getters):
            value = _value(get(row))
            if i in wrapped:
                cell = WriteOnlyCell(sheet, value=value)
                cell.alignment = WRAP
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    info = workbook.create_sheet("Info")
    plan = consultation.plan
    for line in (
        ("Plan", str(plan)),
        ("Kommune", plan.municipality.name),
        ("Beteiligung", str(consultation.get_kind_display())),
        ("Zeitraum", f"{consultation.start_date:%d.%m.%Y} – {consultation.end_date:%d.%m.%Y}"),
        ("Stellungnahmen", len(rows)),
    ):
        info.append(list(line))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
