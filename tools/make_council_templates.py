"""Write the default Word templates of the council documents (Abwägungstabelle, Beschlussvorlage) with python-docx.

Run from the repository root after changing the layout:

    .venv/bin/python tools/make_council_templates.py

The placeholders are docxtpl/Jinja tags; docs/council-documents.md lists them. A municipality may
download these files as a starting point, change the layout in Word and upload its own.
"""

import sys
from pathlib import Path

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

TARGET = Path(__file__).resolve().parent.parent / "participation" / "workbench" / "templates" / "workbench" / "council"

# Nr. | Stellungnahme | Abwägungsvorschlag | Entscheidung on A4 landscape with 1.5 cm margins (26.7 cm).
TABLE_WIDTHS = (Cm(1.6), Cm(11.0), Cm(10.5), Cm(3.6))
TABLE_HEADERS = ("Nr.", "Stellungnahme", "Abwägungsvorschlag der Verwaltung", "Entscheidung")


def _base_document(title: str) -> WordDocument:
    document = Document()
    document.core_properties.title = title
    document.core_properties.language = "de-DE"
    document.core_properties.author = ""
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)
    # The document's language (spell checking, screen readers): German for every style based on Normal.
    run_properties = normal.element.get_or_add_rPr()
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "de-DE")
    run_properties.append(language)
    for name in ("Title", "Heading 1", "Heading 2"):
        document.styles[name].font.name = "Arial"
    return document


def _margins(section, landscape: bool) -> None:
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(1.5 if landscape else 2.5)
    section.top_margin = section.bottom_margin = Cm(1.5 if landscape else 2.0)


def _page_number(paragraph) -> None:
    """Append a PAGE field to `paragraph`."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _footer(section, text: str) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.text = text + " · Seite "
    _page_number(paragraph)


def _repeat_as_header(row) -> None:
    """Mark `row` as the table's header row (repeated on every page; a table header for screen readers)."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _cell_text(cell, text: str, *, bold: bool = False, italic: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic


def _add_paragraph(cell, *runs) -> None:
    paragraph = cell.add_paragraph()
    for text, bold, italic in runs:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic


def _statement_table(document) -> None:
    """Add the Abwägungstabelle: header row, one row per table line (statement or segment)."""
    table = document.add_table(rows=4, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, TABLE_WIDTHS, strict=True):
            cell.width = width
    header, opening, line, closing = table.rows
    _repeat_as_header(header)
    for cell, text in zip(header.cells, TABLE_HEADERS, strict=True):
        _cell_text(cell, text, bold=True)
    _cell_text(opening.cells[0], "{%tr for z in zeilen %}")
    _cell_text(line.cells[0], "{{ z.nr }}")
    statement = line.cells[1]
    _cell_text(statement, "{%p if z.ist_teil %}")
    _add_paragraph(statement, ("Teil {{ z.nr }}", False, True))
    _add_paragraph(statement, ("{%p else %}", False, False))
    _add_paragraph(
        statement,
        (
            "{{ z.einreicher }}{% if z.name %} – {{ z.name }}{% endif %}{% if z.anschrift %}, {{ z.anschrift }}"
            "{% endif %}{% if z.email %}, {{ z.email }}{% endif %}",
            True,
            False,
        ),
        (
            " · Eingang {{ z.eingang }}{% if z.thema %} · {{ z.thema }}{% endif %}"
            "{% if z.abschnitt %} · {{ z.abschnitt }}{% endif %}",
            False,
            False,
        ),
    )
    _add_paragraph(statement, ("{%p endif %}", False, False))
    _add_paragraph(statement, ("{{ z.stellungnahme }}", False, False))
    _cell_text(line.cells[2], "{{ z.abwaegung }}")
    _cell_text(line.cells[3], "{{ z.entscheidung }}")
    _cell_text(closing.cells[0], "{%tr endfor %}")


def table_template() -> WordDocument:
    """Return the default Abwägungstabelle: a landscape table with a repeated header row."""
    document = _base_document("Abwägungstabelle")
    section = document.sections[0]
    _margins(section, landscape=True)
    _footer(section, "{{ kommune }} · {{ plan_art }} {{ plan_nummer }} „{{ plan }}“ · Abwägungstabelle")
    document.add_heading("Abwägungstabelle", level=1)
    document.add_paragraph("{{ plan_art }} {{ plan_nummer }} „{{ plan }}“ – {{ kommune }}")
    document.add_paragraph(
        "Verfahrensschritt: {{ verfahrensschritt }}, Runde {{ runde }} (vom {{ beginn }} bis {{ ende }})"
    )
    document.add_paragraph(
        "{{ anzahl_stellungnahmen }} Stellungnahmen{% if anzahl_teile %} mit {{ anzahl_teile }} einzeln abgewogenen "
        "Teilen{% endif %}. Stand: {{ datum }}"
    )
    _statement_table(document)
    return document


def _counts_table(document) -> None:
    table = document.add_table(rows=5, cols=2)
    table.style = "Table Grid"
    header, opening, line, closing, total = table.rows
    _repeat_as_header(header)
    _cell_text(header.cells[0], "Entscheidung", bold=True)
    _cell_text(header.cells[1], "Stellungnahmen", bold=True)
    _cell_text(opening.cells[0], "{%tr for e in entscheidungen %}")
    _cell_text(line.cells[0], "{{ e.bezeichnung }}")
    _cell_text(line.cells[1], "{{ e.anzahl }}")
    _cell_text(closing.cells[0], "{%tr endfor %}")
    _cell_text(total.cells[0], "noch ohne Entscheidung")
    _cell_text(total.cells[1], "{{ anzahl_ohne_entscheidung }}")
    summary = table.add_row()
    _cell_text(summary.cells[0], "Summe", bold=True)
    _cell_text(summary.cells[1], "{{ anzahl_stellungnahmen }}", bold=True)


def paper_template() -> WordDocument:
    """Return the default Beschlussvorlage: portrait pages, then the Abwägungstabelle as landscape annex."""
    document = _base_document("Beschlussvorlage")
    section = document.sections[0]
    _margins(section, landscape=False)
    _footer(section, "{{ kommune }} · Beschlussvorlage {{ plan_art }} {{ plan_nummer }} „{{ plan }}“")
    document.add_heading("Beschlussvorlage", level=1)
    document.add_paragraph("{{ kommune }} · Vorlage an: {{ gremium }} · Datum: {{ datum }}")
    document.add_heading("Betreff", level=2)
    document.add_paragraph(
        "{{ plan_art }} {{ plan_nummer }} „{{ plan }}“: Abwägung der Stellungnahmen aus dem Verfahrensschritt "
        "„{{ verfahrensschritt }}“ (Runde {{ runde }})"
    )
    document.add_heading("Beschlussvorschlag", level=2)
    document.add_paragraph("{{ beschlussvorschlag }}")
    document.add_heading("Sachverhalt", level=2)
    document.add_paragraph(
        "Vom {{ beginn }} bis {{ ende }} sind {{ anzahl_stellungnahmen }} Stellungnahmen eingegangen"
        "{% if anzahl_teile %}; längere Stellungnahmen wurden in Teile gegliedert und diese einzeln abgewogen "
        "(Teile insgesamt: {{ anzahl_teile }}){% endif %}. Die Verwaltung schlägt folgende Entscheidungen vor:"
    )
    _counts_table(document)
    document.add_heading("Anlagen", level=2)
    document.add_paragraph("Anlage 1: Abwägungstabelle")
    annex = document.add_section(WD_SECTION.NEW_PAGE)
    _margins(annex, landscape=True)
    document.add_heading("Anlage 1: Abwägungstabelle", level=1)
    _statement_table(document)
    return document


def main(target: Path = TARGET) -> None:
    """Write both templates into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    table_template().save(str(target / "abwaegungstabelle.docx"))
    paper_template().save(str(target / "beschlussvorlage.docx"))
    sys.stdout.write(f"Wrote the council templates to {target}\n")


if __name__ == "__main__":
    main()
