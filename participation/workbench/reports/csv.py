"""CSV for German Excel: UTF-8 with BOM, semicolon, CRLF, dates as DD.MM.YYYY."""

import csv
import datetime as dt
import io

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value) -> str:
    """Return a cell as text; defuse spreadsheet formulas in user text (CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def render(*, rows, columns, consultation) -> bytes:
    """Return the table as CSV bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([str(c.header) for c in columns])
    getters = [c.getter for c in columns]
    for row in rows:
        writer.writerow([cell_text(get(row)) for get in getters])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
