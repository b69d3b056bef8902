"""Server-rendered SVG bar charts (no script, no inline style: fits the strict CSP)."""

from django.utils.html import escape
from django.utils.safestring import mark_safe


def bar_chart_svg(items: list[tuple[str, int]], *, title: str, width: int = 640, bar_height: int = 22) -> str:
    """Return a horizontal bar chart as accessible inline SVG markup (role=img with title and a text per bar)."""
    label_width = 210
    top = 8
    height = top + bar_height * len(items) + 8
    maximum = max([v for _, v in items] + [1])
    scale = (width - label_width - 60) / maximum
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(items):
        y = top + i * bar_height
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height * 0.68:.1f}" text-anchor="end" class="chart__label">'
            f"{escape(label)}</text>"
            f'<rect x="{label_width}" y="{y + 3}" width="{value * scale:.1f}" height="{bar_height - 6}" '
            'class="chart__bar"/>'
            f'<text x="{label_width + value * scale + 4:.1f}" y="{y + bar_height * 0.68:.1f}" '
            f'class="chart__value">{value}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def day_chart_svg(items, *, title: str, width: int = 640, height: int = 180) -> str:
    """Return statements per day as a vertical bar chart in SVG, with date labels at the ends."""
    left, bottom, top = 36, 28, 10
    n = max(len(items), 1)
    maximum = max([v for _, v in items] + [1])
    step = (width - left - 10) / n
    plot = height - bottom - top
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" class="chart__value">{maximum}</text>',
        f'<text x="{left - 4}" y="{height - bottom}" text-anchor="end" class="chart__value">0</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" class="chart__axis"/>',
    ]
    for i, (day, value) in enumerate(items):
        h = value / maximum * plot
        parts.append(
            f'<rect x="{left + i * step + 1:.1f}" y="{height - bottom - h:.1f}" width="{max(step - 2, 1):.1f}" '
            f'height="{h:.1f}" class="chart__bar"><title>{day:%d.%m.%Y}: {value}</title></rect>'
        )
    if items:
        parts.append(f'<text x="{left}" y="{height - 8}" class="chart__value">{items[0][0]:%d.%m.%Y}</text>')
        parts.append(
            f'<text x="{width - 10}" y="{height - 8}" text-anchor="end" '
            f'class="chart__value">{items[-1][0]:%d.%m.%Y}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
