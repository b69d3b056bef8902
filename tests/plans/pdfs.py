"""Plan text PDFs for the section tests, drawn with reportlab: lines per page, optionally with an outline."""

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

JUSTIFICATION_PAGES = [
    [
        "Begründung zum Bebauungsplan Nr. 64 „Am Riedborn“",
        "Inhalt",
        "1 Anlass der Planung ........ 2",
        "2 Planinhalt 3",
    ],
    [
        "1 Anlass der Planung",
        "Die Stadt beschloss am 12.03.2024 die Aufstellung.",
        "12.03.2024 Aufstellungsbeschluss",
        "1. Januar 2024",
        "2 Stellplätze je Wohnung sind nachzuweisen.",
        "<script>alert('x')</script> & mehr",
    ],
    [
        "2 Planinhalt",
        "2.1 Art der baulichen Nutzung",
        "Festgesetzt wird ein allgemeines Wohngebiet.",
        "- 3 -",
        "2.2 Maß der baulichen Nutzung",
        "Die Grundflächenzahl beträgt 0,4.",
        "5 Zufällige Zeile",
    ],
]

PROVISIONS_PAGES = [
    [
        "Textliche Festsetzungen",
        "§ 1 Art der baulichen Nutzung",
        "(1) Zulässig sind Wohngebäude (§ 4 BauNVO).",
        "§ 9 Abs. 1 Nr. 1 BauGB",
        "§ 2 Maß der baulichen Nutzung",
        "(1) Die Grundflächenzahl beträgt 0,4.",
    ],
]


def make_pdf(pages, outline=None) -> bytes:
    """Return a PDF with one page per list of lines; `outline`: (title, level, page index) bookmarks."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for index, lines in enumerate(pages):
        y = 800
        for line in lines:
            pdf.drawString(60, y, line)
            y -= 16
        for number, (title, level, page) in enumerate(outline or []):
            if page == index:
                pdf.bookmarkPage(f"b{number}")
                pdf.addOutlineEntry(title, f"b{number}", level=level)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


JUSTIFICATION_OUTLINE = [
    ("1 Anlass der Planung", 0, 1),
    ("2 Planinhalt", 0, 2),
    ("2.1 Art der baulichen Nutzung", 1, 2),
    ("2.2 Maß der baulichen Nutzung", 1, 2),
]
