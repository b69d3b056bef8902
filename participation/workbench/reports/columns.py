"""The Abwägungstabelle's columns, listed once; every renderer (CSV, XLSX, PDF, GeoJSON, GeoPackage) reads them.

A report row is a plain dict built by `report_rows()` in one query; a column's getter
turns it into a cell value (text, number or date).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from participation.models import Statement

from ..labels import channel_label
from ..models import Decision


@dataclass(frozen=True)
class Column:
    key: str  # field name in GIS files (ASCII, ≤ 30 characters)
    header: Any  # translated heading in CSV, XLSX and PDF
    getter: Callable[[dict], Any]
    width: float = 15  # XLSX character width; PDF relative width
    personal: bool = False  # only in the variant with personal data
    pdf: bool = True  # shown in the PDF table (wide tables do not fit a page)
    pdf_width: float = 0  # relative PDF width (default: `width`)


_TOPICS = dict(Statement.Topic.choices)
_DECISIONS = dict(Decision.choices)


@lru_cache(maxsize=256)
def _label(kind: str, value: str, language: str) -> str:
    if kind == "channel":
        return channel_label(value)
    if kind == "late":
        return str(_("ja")) if value else str(_("nein"))
    return str({"topic": _TOPICS, "decision": _DECISIONS}[kind].get(value, value if kind == "topic" else ""))


def label(kind: str, value: str) -> str:
    """Return the translated label of a topic, decision or channel value (cached per language)."""
    return _label(kind, value or "", get_language() or "de")


def _yes(value) -> str:
    return str(_("ja")) if value else ""


def _attachments(row) -> str:
    """Return '2: gutachten.pdf; foto.jpg' (count and names), '' without attachments."""
    names = [a.original_name for a in row["attachments"]]
    return f"{len(names)}: {'; '.join(names)}" if names else ""


def _identity(value: str) -> str:
    """Return 'BundID' for a submitter identified with BundID (no e-mail confirmation needed), else ''."""
    return "BundID" if value == "bundid" else ""


def _location(row):
    point = row["point"]
    return f"{point.y:.6f}, {point.x:.6f}" if point is not None else ""


COLUMNS: list[Column] = [
    Column("nr", _("Nr."), lambda r: r["number"], 6, pdf_width=9),
    Column("einreicher", _("Einreicher/in"), lambda r: r["pseudonym"], 18),
    Column("name", _("Name"), lambda r: r["user_name"], 20, personal=True, pdf_width=24),
    Column("email", _("E-Mail"), lambda r: r["user_email"], 24, personal=True, pdf_width=30),
    Column("anschrift", _("Anschrift"), lambda r: r["postal_address"], 28, personal=True),
    Column("eingang", _("Eingangsdatum"), lambda r: r["received"], 12, pdf_width=16),
    Column("verspaetet", _("Verspätet"), lambda r: label("late", "1" if r["late"] else ""), 9, pdf_width=12),
    Column("weg", _("Eingangsweg"), lambda r: label("channel", r["channel"]), 12, pdf_width=14),
    Column("identifiziert", _("Identifiziert mit"), lambda r: _identity(r.get("identified_with", "")), 12, pdf=False),
    Column("organisation", _("Behörde / Organisation"), lambda r: r["organisation"], 22, pdf=False),
    Column("aktenzeichen", _("Aktenzeichen"), lambda r: r["file_reference"], 14, pdf_width=12),
    Column("keine_bedenken", _("Keine Bedenken"), lambda r: _yes(r["no_objections"]), 9, pdf_width=10),
    Column("frist", _("Frist der Behörde"), lambda r: r["deadline"], 12, pdf=False),
    Column("thema", _("Thema"), lambda r: label("topic", r["topic"]), 14),
    Column("planinhalt", _("Bezug auf Planinhalt"), lambda r: r["feature_label"], 18),
    Column("abschnitt", _("Abschnitt"), lambda r: r["section"], 18, pdf_width=14),
    Column("text", _("Stellungnahme"), lambda r: r["comment"], 60),
    Column("ort", _("Ort (Breite, Länge)"), _location, 20, pdf=False),
    Column("gruppe", _("Gruppe"), lambda r: r["group_label"], 16, pdf=False),
    Column("anhaenge", _("Anhänge"), _attachments, 24, pdf_width=12),
    Column("abwaegung", _("Abwägungsvorschlag der Verwaltung"), lambda r: r["response"], 60),
    Column("entscheidung", _("Entscheidung"), lambda r: label("decision", r["decision"]), 16),
]


def columns_for(*, personal: bool) -> list[Column]:
    """Return the columns of the anonymised (default) or the personal-data variant."""
    return [c for c in COLUMNS if personal or not c.personal]
