"""Receipts (Eingangsbestätigungen) of statements: one reference number format, one PDF layout.

Citizens' online statements and authorities' statements (participation.authorities.receipt) share
the reference number ("2026-00042": year of submission and id) and the A4 layout built here.
"""

import io
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_fonts = {"regular": "Helvetica", "bold": "Helvetica-Bold"}


def reference_number(statement) -> str:
    """Return the statement's reference number (Eingangsnummer), e.g. '2026-00042'."""
    return f"{timezone.localtime(statement.submit_date):%Y}-{statement.pk:05d}"


def received_display(statement) -> str:
    """Return the time of receipt in Berlin time, e.g. '30.11.2026, 14:05 Uhr'."""
    return _("%(datetime)s Uhr") % {
        "datetime": formats.date_format(timezone.localtime(statement.submit_date), "d.m.Y, H:i")
    }


def receipt_filename(statement) -> str:
    return f"eingangsbestaetigung-{reference_number(statement)}.pdf"


def _register_fonts():
    """Use DejaVu Sans (umlauts, ß, all of Unicode) when Debian's fonts-dejavu-core is installed, else Helvetica."""
    if _fonts["regular"] != "Helvetica" or not (DEJAVU / "DejaVuSans.ttf").exists():
        return
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(DEJAVU / "DejaVuSans-Bold.ttf")))
    _fonts.update(regular="DejaVuSans", bold="DejaVuSans-Bold")


def _para(text, style) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def receipt_head_rows(statement, consultation_label: str) -> list[tuple[str, str]]:
    """Return the first lines of every receipt: reference number, time of receipt, plan and consultation."""
    plan = statement.consultation.plan
    return [
        (_("Eingangsnummer"), reference_number(statement)),
        (_("Eingegangen am"), received_display(statement)),
        (_("Plan"), f"{plan} ({plan.municipality.name})"),
        (_("Beteiligung"), consultation_label),
    ]


def citizen_receipt_rows(statement) -> list[tuple[str, str]]:
    """Return the (label, value) lines of a citizen's receipt (page, PDF and e-mail)."""
    rows = receipt_head_rows(statement, statement.consultation.get_kind_display())
    rows += [
        (_("Name"), statement.user_name or "–"),
        (_("Thema"), statement.get_topic_display()),
    ]
    if statement.feature_id:
        rows.append((_("Bezug auf Planinhalt"), str(statement.feature)))
    if statement.location is not None:
        rows.append((_("Ort (Breite, Länge)"), f"{statement.location.y:.6f}, {statement.location.x:.6f}"))
    return rows


def receipt_pdf(statement, *, rows: list[tuple[str, str]], intro: str) -> bytes:
    """Return a receipt of `statement` as a PDF (A4): `intro`, the `rows`, the full text and the attachments' names."""
    _register_fonts()
    base = getSampleStyleSheet()
    regular, bold = _fonts["regular"], _fonts["bold"]
    styles = {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=bold, fontSize=18, leading=22),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=bold, fontSize=12),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontName=regular, fontSize=10, leading=13),
        "label": ParagraphStyle("label", fontName=bold, fontSize=9, leading=12),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=9, leading=12),
    }
    plan = statement.consultation.plan
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"{_('Eingangsbestätigung')} {reference_number(statement)}",
        author=plan.municipality.name,
    )
    story: list = [
        _para(plan.municipality.name, styles["body"]),
        _para(_("Eingangsbestätigung"), styles["title"]),
        _para(intro, styles["body"]),
        Spacer(1, 5 * mm),
    ]
    table = Table(
        [[_para(label, styles["label"]), _para(value, styles["cell"])] for label, value in rows],
        colWidths=[55 * mm, 115 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, "#BBBBBB"),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    story += [table, Spacer(1, 5 * mm), _para(_("Text der Stellungnahme"), styles["h2"])]
    story += [_para(paragraph, styles["body"]) for paragraph in statement.comment.split("\n\n")]
    attachments = list(statement.attachments.all())
    if attachments:
        story.append(_para(_("Anhänge"), styles["h2"]))
        for attachment in attachments:
            size = formats.number_format(attachment.size / 1024, 0, use_l10n=True)
            story.append(
                _para(
                    f"{attachment.original_name} ({size} KB, SHA-256 {attachment.sha256[:16]}…)",
                    styles["body"],
                )
            )
    story += [Spacer(1, 8 * mm), _para(_("Diese Bestätigung wurde automatisch erstellt."), styles["body"])]
    doc.build(story)
    return out.getvalue()


def citizen_receipt_pdf(statement) -> bytes:
    """Return the receipt of a citizen's confirmed statement as a PDF."""
    intro = _("Ihre Stellungnahme im Beteiligungsverfahren ist bei uns eingegangen.")
    return receipt_pdf(statement, rows=citizen_receipt_rows(statement), intro=intro)
