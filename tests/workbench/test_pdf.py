"""The Abwägungstabelle PDF is a tagged PDF (PDF/UA-1): structure tree, language, table headers, alt text, map."""

import io
import re

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from participation.workbench import services
from participation.workbench.models import Decision, Segment, Weighing
from participation.workbench.reports import export_report
from plans.rules import SYSTEM


@pytest.fixture
def pdf(world):
    services.weighings_ensure(consultation=world["consultation"], by=SYSTEM)
    Weighing.objects.filter(number=1).update(decision=Decision.CONSIDERED, response="Die Zufahrt entfällt.")
    weighing = Weighing.objects.get(number=2)
    Segment.objects.create(
        weighing=weighing,
        number=1,
        excerpt="Die Riedbornstraße ist schon heute überlastet",
        topic="traffic",
        decision=Decision.PARTLY,
        response="Eine Tempo-30-Zone wird geprüft.",
    )
    Segment.objects.create(
        weighing=weighing, number=2, excerpt="Schulweg", decision=Decision.CONSIDERED, response="Ein Gehweg kommt."
    )
    data, rows = export_report(consultation=world["consultation"], format="pdf")
    assert rows == 10  # rows written: 8 statements and the 2 segments of no. 2
    return PdfReader(io.BytesIO(data))


def _elements(reader: PdfReader) -> list[DictionaryObject]:
    """Return every structure element of the document, depth first."""
    found = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, ArrayObject):
            for kid in node:
                walk(kid)
            return
        if not isinstance(node, DictionaryObject):
            return  # a marked-content id
        if "/S" in node:
            found.append(node)
        if "/K" in node:
            walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def _page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def test_pdf_is_tagged_german_with_title(pdf, world):
    root = pdf.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "de"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert pdf.metadata.title == f"Abwägungstabelle: {world['consultation'].plan.display_name}"
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()  # the PDF/UA identification in XMP


def test_pdf_structure_has_table_headers_and_figure_alt(pdf):
    elements = _elements(pdf)
    kinds = {str(e["/S"]) for e in elements}
    assert {"/Document", "/H1", "/H2", "/Table", "/TR", "/TH", "/TD", "/Figure", "/Caption"} <= kinds
    figures = [e for e in elements if e["/S"] == "/Figure"]
    assert len(figures) == 1
    alt = str(figures[0]["/Alt"])
    assert alt.startswith("Karte des Geltungsbereichs mit 7 nummerierten Markierungen")
    assert "Spalte Nr. der Tabelle" in alt
    # The statement table: header cells carry ids, data cells point at their column and row headers.
    header_ids = {str(e["/ID"]) for e in elements if e["/S"] == "/TH"}
    cells = [e for e in elements if e["/S"] == "/TD"]
    assert cells and all(e["/A"]["/O"] == "/Table" for e in cells)
    with_headers = [e for e in cells if len(e["/A"].get("/Headers", [])) >= 2]
    assert len(with_headers) > 8 * 5  # every data cell of the statement table: its column and its row (Nr.)
    assert all({str(h) for h in e["/A"]["/Headers"]} <= header_ids for e in with_headers)


def test_pdf_cover_page_and_no_empty_pages(pdf, world):
    texts = _page_texts(pdf)
    cover = texts[0]
    consultation = world["consultation"]
    for expected in (
        "Usingen",
        "Abwägungstabelle",
        "Am Riedborn",
        "Veröffentlichung im Internet",
        f"{consultation.start_date:%d.%m.%Y} bis {consultation.end_date:%d.%m.%Y}",
        "8 insgesamt, davon 1 verspätet; 1 mit Entscheidung",
        "erstellt am",
    ):
        assert expected in cover, expected
    pages = len(texts)
    for number, text in enumerate(texts, start=1):
        body = text.replace(f"Seite {number} von {pages}", "").replace("Usingen ·", "")
        body = body.replace(consultation.plan.display_name, "")
        assert body.strip(), f"page {number} shows nothing but its footer"


def test_pdf_columns_do_not_run_together(pdf):
    text = "\n".join(_page_texts(pdf))
    assert "EingangsdatumVerspätet" not in text.replace(" ", "")
    headers = "Nr. Einreicher/in Eingang Bezug Stellungnahme Abwägungsvorschlag der Verwaltung Entscheidung"
    table_pages = [t for t in _page_texts(pdf) if "Abwägungsvorschlag der Verwaltung" in t]
    assert table_pages and all(headers in t for t in table_pages)  # the header row repeats on every page


def test_pdf_segments_follow_their_statement(pdf):
    text = "\n".join(_page_texts(pdf))
    squeezed = " ".join(text.split())
    assert "2.1 Verkehr Die Riedbornstraße ist schon heute überlastet Eine Tempo-30-Zone wird geprüft." in squeezed
    assert "2.2 Schulweg Ein Gehweg kommt. berücksichtigt" in squeezed
    assert squeezed.index("2.1 Verkehr") < squeezed.index("2.2 Schulweg") < squeezed.index("Bürger/in 3")


def test_map_marker_numbers_match_the_table(pdf, world):
    texts = _page_texts(pdf)
    map_page = next(t for t in texts if t.startswith("Karte der Stellungnahmen"))
    markers = {int(line) for line in map_page.splitlines() if re.fullmatch(r"\d+", line.strip())}
    located = {
        w.number
        for w in Weighing.objects.filter(statement__consultation=world["consultation"]).select_related("statement")
        if w.statement.location or w.statement.drawn_area or w.statement.drawn_line
    }
    table = "\n".join(t for t in texts if "Abwägungsvorschlag der Verwaltung" in t)
    table_numbers = {int(n) for n in re.findall(r"^(\d+) (?:Bürger/in|Naturschutz|\w)", table, re.MULTILINE)}
    nowhere = world["statements"][6].weighing.number  # the paper statement without a place
    assert markers == located and len(markers) == 7 and nowhere not in markers
    assert markers | {nowhere} == table_numbers
