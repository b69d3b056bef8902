"""The council documents as ODT (odfpy): the same content and order as the default Word templates.

A municipality's own template is a Word file and shapes the DOCX only; the ODT keeps this layout.
odfpy builds the document; the rows of the long table are written as XML text into its
content.xml when saving (odfpy objects for 10,000 rows took over a minute).
"""

import io
import re
import zipfile
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from odf import teletype
from odf.dc import Title
from odf.opendocument import OpenDocumentText
from odf.style import (
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    ParagraphProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TableProperties,
    TextProperties,
)
from odf.table import Table, TableCell, TableColumn, TableHeaderRows, TableRow
from odf.text import H, P, Span

from . import council

TABLE_WIDTHS = ("1.6cm", "11cm", "10.5cm", "3.6cm")


class _Document:
    """An ODT with the styles both documents use: portrait and landscape pages, headings, a bordered table."""

    def __init__(self, title: str):
        self.doc = OpenDocumentText()
        self.doc.meta.addElement(Title(text=title))
        styles, automatic = self.doc.styles, self.doc.automaticstyles
        default = Style(name="Standard", family="paragraph")
        default.addElement(TextProperties(fontname="Arial", fontfamily="Arial", fontsize="10pt", language="de"))
        default.addElement(TextProperties(country="DE"))
        styles.addElement(default)
        self.heading_styles = {}
        for level, size in ((1, "16pt"), (2, "12pt")):
            style = Style(name=f"Heading_20_{level}", displayname=f"Heading {level}", family="paragraph")
            style.addElement(TextProperties(fontsize=size, fontweight="bold", fontfamily="Arial"))
            style.addElement(ParagraphProperties(margintop="0.3cm", marginbottom="0.15cm", keepwithnext="always"))
            styles.addElement(style)
            self.heading_styles[level] = style
        self.bold = Style(name="Bold", family="text")
        self.bold.addElement(TextProperties(fontweight="bold"))
        self.italic = Style(name="Italic", family="text")
        self.italic.addElement(TextProperties(fontstyle="italic"))
        self.cell = Style(name="Cell", family="table-cell")
        self.cell.addElement(TableCellProperties(border="0.5pt solid #000000", padding="0.1cm"))
        self.header_cell = Style(name="HeaderCell", family="table-cell")
        self.header_cell.addElement(
            TableCellProperties(border="0.5pt solid #000000", padding="0.1cm", backgroundcolor="#DDDDDD")
        )
        for style in (self.bold, self.italic, self.cell, self.header_cell):
            automatic.addElement(style)
        self.pages = {}
        for name, width, height, orientation in (
            ("Portrait", "21cm", "29.7cm", "portrait"),
            ("Landscape", "29.7cm", "21cm", "landscape"),
        ):
            layout = PageLayout(name=f"{name}Layout")
            margin = "1.5cm" if orientation == "landscape" else "2cm"
            layout.addElement(
                PageLayoutProperties(pagewidth=width, pageheight=height, printorientation=orientation, margin=margin)
            )
            automatic.addElement(layout)
            self.doc.masterstyles.addElement(MasterPage(name=name, pagelayoutname=layout))
            start = Style(
                name=f"Start{name}", family="paragraph", parentstylename=self.heading_styles[1], masterpagename=name
            )
            automatic.addElement(start)
            self.pages[name] = start
        self.tables = 0
        self.streamed: dict[str, list[str]] = {}  # marker text -> the rows' XML, produced when saving

    def heading(self, text: str, level: int, page: str = "") -> None:
        style = self.pages[page] if page else self.heading_styles[level]
        element = H(outlinelevel=level, stylename=style)
        teletype.addTextToElement(element, text)
        self.doc.text.addElement(element)

    def paragraph(self, text: str, parent=None) -> None:
        element = P()
        teletype.addTextToElement(element, text)
        (parent or self.doc.text).addElement(element)

    def table(self, name: str, widths, headers) -> Table:
        """Add a table with a header row that repeats on every page; return it."""
        self.tables += 1
        total = sum(float(w.removesuffix("cm")) for w in widths)
        table_style = Style(name=f"{name}Table", family="table")
        table_style.addElement(TableProperties(width=f"{total}cm", align="left"))
        self.doc.automaticstyles.addElement(table_style)
        table = Table(name=name, stylename=table_style)
        for index, width in enumerate(widths):
            column_style = Style(name=f"{name}Column{index}", family="table-column")
            column_style.addElement(TableColumnProperties(columnwidth=width))
            self.doc.automaticstyles.addElement(column_style)
            table.addElement(TableColumn(stylename=column_style))
        header_rows = TableHeaderRows()
        row = TableRow()
        for text in headers:
            cell = TableCell(stylename=self.header_cell, valuetype="string")
            paragraph = P()
            paragraph.addElement(Span(stylename=self.bold, text=text))
            cell.addElement(paragraph)
            row.addElement(cell)
        header_rows.addElement(row)
        table.addElement(header_rows)
        self.doc.text.addElement(table)
        return table

    def row(self, table: Table, cells) -> None:
        """Add a row; each cell is a list of paragraphs, each a list of (text, style or None) runs."""
        row = TableRow()
        for paragraphs in cells:
            cell = TableCell(stylename=self.cell, valuetype="string")
            for runs in paragraphs:
                paragraph = P()
                for text, style in runs:
                    if style is None:
                        teletype.addTextToElement(paragraph, text)
                    else:
                        span = Span(stylename=style)
                        teletype.addTextToElement(span, text)
                        paragraph.addElement(span)
                cell.addElement(paragraph)
            row.addElement(cell)
        table.addElement(row)

    def streamed_rows(self, table: Table, rows: list[str]) -> None:
        """Add rows given as XML text, written into content.xml when saving."""
        marker = f"\ue000rows{len(self.streamed)}\ue000"
        # A stand-in row that uses the cell and text styles (odfpy keeps only automatic styles in use).
        self.row(table, [[[(marker, self.bold), ("", self.italic)]]])
        self.streamed[marker] = rows

    def save(self, out) -> None:
        if not self.streamed:
            self.doc.write(out)
            return
        packed = io.BytesIO()
        self.doc.write(packed)
        with zipfile.ZipFile(packed) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            content = source.read("content.xml").decode()
            for marker, rows in self.streamed.items():
                at = content.index(marker)
                start = content.rindex("<table:table-row", 0, at)
                end = content.index("</table:table-row>", at) + len("</table:table-row>")
                content = content[:start] + "".join(rows) + content[end:]
            for item in source.infolist():  # the same order, "mimetype" first and stored
                target.writestr(item, content.encode() if item.filename == "content.xml" else source.read(item))


_SPACES = re.compile("  +")


def _text_xml(text: str) -> str:
    """Return `text` as ODF paragraph content: escaped, with spaces, tabs and line breaks kept."""
    xml = _SPACES.sub(lambda m: f' <text:s text:c="{len(m.group(0)) - 1}"/>', escape(text))
    if xml.startswith(" "):
        xml = "<text:s/>" + xml[1:]
    return xml.replace("\t", "<text:tab/>").replace("\n", "<text:line-break/>")


def _paragraph_xml(runs) -> str:
    return (
        "<text:p>"
        + "".join(f'<text:span text:style-name="{style}">{_text_xml(text)}</text:span>' if style else _text_xml(text)
                  for text, style in runs)
        + "</text:p>"
    )  # fmt: skip


def _row_xml(cells) -> str:
    return (
        "<table:table-row>"
        + "".join(
            '<table:table-cell table:style-name="Cell" office:value-type="string">'
            + "".join(_paragraph_xml(runs) for runs in paragraphs)
            + "</table:table-cell>"
            for paragraphs in cells
        )
        + "</table:table-row>"
    )


def _headers() -> tuple[str, ...]:
    return (_("Nr."), _("Stellungnahme"), _("Abwägungsvorschlag der Verwaltung"), _("Entscheidung"))


def _plan_line(values: dict) -> str:
    return " ".join(part for part in (values["plan_art"], values["plan_nummer"], f"„{values['plan']}“") if part)


def _submitter(line: dict) -> str:
    text = line["einreicher"]
    if line["name"]:
        text += f" – {line['name']}"
    for key in ("anschrift", "email"):
        if line[key]:
            text += f", {line[key]}"
    return text


def _details(line: dict) -> str:
    received = _("Eingang %(date)s") % {"date": line["eingang"]}
    return "".join(f" · {part}" for part in (received, line["thema"], line["abschnitt"]) if part)


def _statement_table(document: _Document, values: dict, progress) -> None:
    table = document.table(f"Abwaegungstabelle{document.tables + 1}", TABLE_WIDTHS, _headers())
    lines = values["zeilen"]
    if progress is not None:
        from . import ProgressRows  # the package imports this module

        progress(0, len(lines))
        lines = ProgressRows(lines, progress)
    document.streamed_rows(table, [_row_xml(_line_cells(line)) for line in lines])
    if progress is not None:
        progress(len(lines), len(lines))


def _line_cells(line: dict) -> list:
    heading: list[tuple[str, str | None]]
    if line["ist_teil"]:
        heading = [(_("Teil %(number)s") % {"number": line["nr"]}, "Italic")]
    else:
        heading = [(_submitter(line), "Bold"), (_details(line), None)]
    return [
        [[(line["nr"], None)]],
        [heading, [(line["stellungnahme"], None)]],
        [[(line["abwaegung"], None)]],
        [[(line["entscheidung"], None)]],
    ]


def _facts(document: _Document, values: dict) -> None:
    document.paragraph(f"{_plan_line(values)} – {values['kommune']}")
    document.paragraph(
        _("Verfahrensschritt: %(step)s, Runde %(round)s (vom %(start)s bis %(end)s)")
        % {
            "step": values["verfahrensschritt"],
            "round": values["runde"],
            "start": values["beginn"],
            "end": values["ende"],
        }
    )
    count = _("%(count)s Stellungnahmen") % {"count": values["anzahl_stellungnahmen"]}
    if values["anzahl_teile"]:
        count += " " + _("mit %(parts)s einzeln abgewogenen Teilen") % {"parts": values["anzahl_teile"]}
    document.paragraph(count + ". " + _("Stand: %(date)s") % {"date": values["datum"]})


def write_table(*, out, rows, columns, consultation, progress=None) -> None:
    """Write the Abwägungstabelle of `consultation` as ODT into `out`."""
    values = council.context(consultation, rows, personal=any(c.personal for c in columns))
    document = _Document(_("Abwägungstabelle"))
    document.heading(_("Abwägungstabelle"), 1, page="Landscape")
    _facts(document, values)
    _statement_table(document, values, progress)
    document.save(out)


def _counts(document: _Document, values: dict) -> None:
    table = document.table("Entscheidungen", ("8cm", "4cm"), (_("Entscheidung"), _("Stellungnahmen")))
    for item in values["entscheidungen"]:
        document.row(table, [[[(item["bezeichnung"], None)]], [[(str(item["anzahl"]), None)]]])
    document.row(table, [[[(_("noch ohne Entscheidung"), None)]], [[(str(values["anzahl_ohne_entscheidung"]), None)]]])
    total = str(values["anzahl_stellungnahmen"])
    document.row(table, [[[(_("Summe"), document.bold)]], [[(total, document.bold)]]])


def write_paper(*, out, rows, columns, consultation, progress=None) -> None:
    """Write the Beschlussvorlage of `consultation` (the table as landscape annex) as ODT into `out`."""
    values = council.context(consultation, rows, personal=any(c.personal for c in columns))
    annex = _("Anlage 1: Abwägungstabelle")
    document = _Document(_("Beschlussvorlage"))
    document.heading(_("Beschlussvorlage"), 1, page="Portrait")
    document.paragraph(
        _("%(municipality)s · Vorlage an: %(body)s · Datum: %(date)s")
        % {"municipality": values["kommune"], "body": values["gremium"], "date": values["datum"]}
    )
    document.heading(_("Betreff"), 2)
    document.paragraph(
        _("%(plan)s: Abwägung der Stellungnahmen aus dem Verfahrensschritt „%(step)s“ (Runde %(round)s)")
        % {"plan": _plan_line(values), "step": values["verfahrensschritt"], "round": values["runde"]}
    )
    document.heading(_("Beschlussvorschlag"), 2)
    document.paragraph(values["beschlussvorschlag"])
    document.heading(_("Sachverhalt"), 2)
    received = _("Vom %(start)s bis %(end)s sind %(count)s Stellungnahmen eingegangen") % {
        "start": values["beginn"],
        "end": values["ende"],
        "count": values["anzahl_stellungnahmen"],
    }
    if values["anzahl_teile"]:
        received += "; " + _(
            "längere Stellungnahmen wurden in Teile gegliedert und diese einzeln abgewogen (Teile insgesamt: %(parts)s)"
        ) % {"parts": values["anzahl_teile"]}
    document.paragraph(received + ". " + _("Die Verwaltung schlägt folgende Entscheidungen vor:"))
    _counts(document, values)
    document.heading(_("Anlagen"), 2)
    document.paragraph(annex)
    document.heading(annex, 1, page="Landscape")
    _facts(document, values)
    _statement_table(document, values, progress)
    document.save(out)
