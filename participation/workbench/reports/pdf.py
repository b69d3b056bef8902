"""The Abwägungstabelle as PDF (reportlab platypus): title page, statistics with charts, a map, the table."""

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from pyproj import Transformer
from reportlab import rl_config
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Circle, Drawing, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, PageBreak, Paragraph, Spacer, Table, TableStyle

from participation.receipts import _fonts, _register_fonts  # one font setup (DejaVu Sans) for all PDFs

from ..stats import consultation_statistics


def _styles():
    base = getSampleStyleSheet()
    regular, bold = _fonts["regular"], _fonts["bold"]
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=bold, fontSize=20, leading=24),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=bold),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontName=regular, fontSize=10, leading=13),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=7.5, leading=9),
        "head": ParagraphStyle("head", fontName=bold, fontSize=7.5, leading=9, textColor=colors.white),
    }


def _para(text, style):
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _bar_chart(items, width, height, horizontal=True):
    drawing = Drawing(width, height)
    chart = HorizontalBarChart() if horizontal else VerticalBarChart()
    chart.x, chart.y = (150, 10) if horizontal else (30, 30)
    chart.width, chart.height = (width - 170, height - 20) if horizontal else (width - 40, height - 40)
    chart.data = [[v for _, v in items] or [0]]
    chart.categoryAxis.categoryNames = [label for label, _ in items] or [""]
    chart.categoryAxis.labels.fontName = _fonts["regular"]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = _fonts["regular"]
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#1F4E79")
    if horizontal:
        chart.categoryAxis.reverseDirection = True
    else:
        every = max(1, len(items) // 8)
        chart.categoryAxis.categoryNames = [label if i % every == 0 else "" for i, (label, _) in enumerate(items)]
        chart.categoryAxis.labels.angle = 30
        chart.categoryAxis.labels.dy = -8
    drawing.add(chart)
    return drawing


def map_drawing(consultation, rows, width=170 * mm, height=120 * mm) -> Drawing:
    """Draw the plan outline and the statement locations, projected into the municipality's CRS (no tiles)."""
    crs = consultation.plan.municipality.crs_epsg or 25832
    to_metric = Transformer.from_crs(4326, crs, always_xy=True)
    rings = []
    area = consultation.plan.area
    for polygon in area:
        xs, ys = to_metric.transform(*zip(*polygon.exterior_ring.coords, strict=True))  # type: ignore[call-overload]
        rings.append(list(zip(xs, ys, strict=True)))
    points = [r["point"] for r in rows if r["point"] is not None]
    px, py = to_metric.transform([p.x for p in points], [p.y for p in points]) if points else ([], [])
    all_x = [x for ring in rings for x, _ in ring] + list(px)
    all_y = [y for ring in rings for _, y in ring] + list(py)
    drawing = Drawing(width, height)
    drawing.add(Rect(0, 0, width, height, fillColor=colors.HexColor("#F4F6F8"), strokeColor=colors.grey))
    if not all_x:
        return drawing
    minx, maxx, miny, maxy = min(all_x), max(all_x), min(all_y), max(all_y)
    span = max(maxx - minx, maxy - miny, 1.0) * 1.1
    scale = min(width, height) / span
    ox = width / 2 - (minx + maxx) / 2 * scale
    oy = height / 2 - (miny + maxy) / 2 * scale
    for ring in rings:
        flat = [v for x, y in ring for v in (ox + x * scale, oy + y * scale)]
        drawing.add(
            Polygon(flat, fillColor=colors.HexColor("#DCE6F0"), strokeColor=colors.HexColor("#1F4E79"), strokeWidth=1.2)
        )
    for x, y in zip(px, py, strict=True):
        drawing.add(Circle(ox + x * scale, oy + y * scale, 1.8, fillColor=colors.HexColor("#C0392B"), strokeColor=None))
    metres = _nice_scale(span / 4)
    bar = metres * scale
    drawing.add(Rect(10, 10, bar, 3, fillColor=colors.black, strokeColor=None))
    drawing.add(String(10, 16, f"{metres:g} m", fontName=_fonts["regular"], fontSize=7))
    drawing.add(String(width - 10, 10, f"EPSG:{crs}", fontName=_fonts["regular"], fontSize=7, textAnchor="end"))
    return drawing


def _nice_scale(value: float) -> float:
    for candidate in (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if candidate >= value:
            return candidate
    return 20000


def render(*, rows, columns, consultation) -> bytes:
    """Return the report as PDF bytes."""
    _register_fonts()
    styles = _styles()
    plan = consultation.plan
    stats = consultation_statistics(consultation)
    page = landscape(A4)
    out = io.BytesIO()
    story = [
        Spacer(1, 30 * mm),
        _para(_("Abwägungstabelle"), styles["title"]),
        _para(plan.display_name, styles["h2"]),
        _para(plan.municipality.name, styles["body"]),
        _para(str(consultation.get_kind_display()), styles["body"]),
        _para(
            _("Zeitraum: %(start)s bis %(end)s")
            % {"start": f"{consultation.start_date:%d.%m.%Y}", "end": f"{consultation.end_date:%d.%m.%Y}"},
            styles["body"],
        ),
        _para(_("Erstellt am %(date)s") % {"date": f"{timezone.localtime():%d.%m.%Y %H:%M}"}, styles["body"]),
        PageBreak(),
        _para(_("Statistik"), styles["h2"]),
    ]
    summary = [
        [_("Stellungnahmen insgesamt"), stats.total],
        [_("davon verspätet"), stats.late],
        [_("mit Ortsangabe"), stats.with_location],
        [_("in Gruppen gleichartiger Stellungnahmen"), stats.grouped],
    ] + [[label, count] for label, count in stats.per_decision]
    table = Table([[_para(a, styles["body"]), str(b)] for a, b in summary], colWidths=[90 * mm, 25 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("ALIGN", (1, 0), (1, -1), "RIGHT")]))
    day_items = [(f"{d:%d.%m.}", n) for d, n in stats.per_day]
    charts = Table(
        [
            [_para(_("Stellungnahmen pro Tag"), styles["body"]), _para(_("Stellungnahmen nach Thema"), styles["body"])],
            [
                _bar_chart(day_items, 125 * mm, 60 * mm, horizontal=False),
                _bar_chart(stats.per_topic, 125 * mm, 60 * mm),
            ],
            [_para(_("Stellungnahmen nach Entscheidung"), styles["body"]), ""],
            [_bar_chart(stats.per_decision, 125 * mm, 45 * mm), ""],
        ]
    )
    story += [table, Spacer(1, 6 * mm), charts, PageBreak(), _para(_("Karte der Stellungnahmen"), styles["h2"])]
    story += [map_drawing(consultation, rows)]

    story.append(Spacer(1, 1))
    # zlib-compressed binary streams; the pure-Python ASCII85 step would add seconds for 10,000 rows.
    rl_config.useA85 = 0
    canvas = Canvas(out, pagesize=page, pageCompression=1)
    canvas.setTitle(_("Abwägungstabelle: %(plan)s") % {"plan": plan})
    canvas.setAuthor(plan.municipality.name)

    def footer():
        canvas.saveState()
        canvas.setFont(_fonts["regular"], 7)
        canvas.drawString(12 * mm, 7 * mm, f"{plan.municipality.name} · {plan}")
        canvas.drawRightString(page[0] - 12 * mm, 7 * mm, _("Seite %(page)s") % {"page": canvas.getPageNumber()})
        canvas.restoreState()

    # Title, statistics and map: platypus flowables placed frame by frame on the same canvas.
    while story:
        frame = Frame(12 * mm, 14 * mm, page[0] - 24 * mm, page[1] - 26 * mm, showBoundary=0)
        frame.addFromList(story, canvas)
        footer()
        canvas.showPage()
    _draw_table(canvas, rows, [c for c in columns if c.pdf], page, footer, styles)
    canvas.save()
    return out.getvalue()


def _table_font(text: str) -> str:
    """Return Helvetica for text it can show (fast: no TrueType subsetting), else the Unicode font."""
    if text.isascii():
        return "Helvetica"
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return _fonts["regular"]
    return "Helvetica"


def _draw_table(canvas, rows, columns, page, footer, styles):
    """Draw the table onto the canvas, wrapped with simpleSplit (platypus tables take minutes for 10,000 rows)."""
    bold = "Helvetica-Bold"
    size, leading, pad = 7, 8.4, 2
    left, right, top, bottom = 12 * mm, page[0] - 12 * mm, page[1] - 12 * mm, 14 * mm
    weights = [c.pdf_width or c.width for c in columns]
    widths = [(right - left) * w / sum(weights) for w in weights]
    xs = [left]
    for w in widths:
        xs.append(xs[-1] + w)
    headers = [simpleSplit(str(c.header), bold, size, w - 2 * pad) for c, w in zip(columns, widths, strict=True)]
    header_height = max(len(h) for h in headers) * leading + 2 * pad
    getters = [c.getter for c in columns]
    _canvas_heading(canvas, _("Stellungnahmen und Abwägung"), top, styles)
    state = {"table_top": 0.0}

    def draw_header(y):
        canvas.setFillColor(HEADER_BLUE)
        canvas.rect(left, y - header_height, right - left, header_height, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        for x, lines in zip(xs, headers, strict=False):
            _lines(canvas, lines, x + pad, y - pad - size, bold, size, leading)
        canvas.setFillColor(colors.black)
        state["table_top"] = y - header_height
        return y - header_height

    def close_page(y):
        # Vertical rules once per page (not per row): far fewer drawing operations.
        for x in xs:
            canvas.line(x, state["table_top"], x, y)
        footer()
        canvas.showPage()
        canvas.setLineWidth(0.25)
        canvas.setStrokeColor(colors.grey)

    canvas.setLineWidth(0.25)
    canvas.setStrokeColor(colors.grey)
    y = draw_header(top - 10 * mm)
    full_page_lines = int((top - header_height - bottom - 2 * pad) // leading)
    for row in rows:
        cells = []
        for get, width in zip(getters, widths, strict=True):
            value = get(row)
            if hasattr(value, "strftime"):
                value = value.strftime("%d.%m.%Y")
            text = "" if value is None else str(value)
            font = _table_font(text)
            cells.append((font, simpleSplit(text, font, size, width - 2 * pad) if text else []))
        line_count = max(1, *(len(lines) for _, lines in cells))
        offset = 0
        while offset < line_count:
            fits = int((y - bottom - 2 * pad) // leading)
            if fits < 1 or (offset == 0 and line_count <= full_page_lines and fits < line_count):
                close_page(y)
                y = draw_header(top)
                continue
            chunk = min(fits, line_count - offset)
            height = chunk * leading + 2 * pad
            for x, (font, lines) in zip(xs, cells, strict=False):
                _lines(canvas, lines[offset : offset + chunk], x + pad, y - pad - size, font, size, leading)
            canvas.line(left, y - height, right, y - height)
            y -= height
            offset += chunk
    close_page(y)


HEADER_BLUE = colors.HexColor("#1F4E79")


def _lines(canvas, lines, x, y, font, size, leading):
    if not lines:
        return
    text = canvas.beginText(x, y)
    text.setFont(font, size, leading)
    for line in lines:
        text.textLine(line)
    canvas.drawText(text)


def _canvas_heading(canvas, title, top, styles):
    canvas.setFont(_fonts["bold"], 13)
    canvas.drawString(12 * mm, top - 6 * mm, str(title))
