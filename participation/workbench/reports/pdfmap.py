"""The overview map of the PDF: plan outline and numbered statement markers as an SVG image (no tiles)."""

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pyproj import Transformer

WIDTH, HEIGHT = 1000, 560  # SVG user units; the image is scaled to the page width
ALT_NUMBERS = 60  # the alt text lists at most this many marker numbers


@dataclass
class StatementMap:
    svg: str
    alt: str
    numbers: list[int] = field(default_factory=list)  # marker numbers, as in the table's Nr. column
    unlocated: int = 0
    scale_metres: float = 0
    crs: int = 25832


def nice_scale(value: float) -> float:
    """Return a round scale bar length in metres not shorter than `value`."""
    for candidate in (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if candidate >= value:
            return candidate
    return 20000


def statement_map(consultation, rows) -> StatementMap:
    """Project the plan area and the located statements into the municipality's CRS and draw numbered markers."""
    crs = consultation.plan.municipality.crs_epsg or 25832
    to_metric = Transformer.from_crs(4326, crs, always_xy=True)
    rings = []
    for polygon in consultation.plan.area or []:
        xs, ys = to_metric.transform(*zip(*polygon.exterior_ring.coords, strict=True))  # type: ignore[call-overload]
        rings.append(list(zip(xs, ys, strict=True)))
    located = [r for r in rows if r["point"] is not None]
    px, py = (
        to_metric.transform([r["point"].x for r in located], [r["point"].y for r in located]) if located else ([], [])
    )
    all_x = [x for ring in rings for x, _y in ring] + list(px)
    all_y = [y for ring in rings for _x, y in ring] + list(py)
    parts = [f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#F4F6F8" stroke="#777"/>']
    result = StatementMap(svg="", alt="", unlocated=len(rows) - len(located), crs=crs)
    if all_x:
        minx, maxx, miny, maxy = min(all_x), max(all_x), min(all_y), max(all_y)
        span_x, span_y = max(maxx - minx, 1.0) * 1.1, max(maxy - miny, 1.0) * 1.1
        scale = min((WIDTH - 40) / span_x, (HEIGHT - 60) / span_y)
        ox = WIDTH / 2 - (minx + maxx) / 2 * scale
        oy = HEIGHT / 2 + (miny + maxy) / 2 * scale  # SVG y grows downwards

        def at(x, y):
            return ox + x * scale, oy - y * scale

        for ring in rings:
            points = " ".join(f"{a:.1f},{b:.1f}" for a, b in (at(x, y) for x, y in ring))
            parts.append(f'<polygon points="{points}" fill="#DCE6F0" stroke="#1F4E79" stroke-width="2"/>')
        placed, leaders, markers = _Placement(), [], []
        for row, x, y in zip(located, px, py, strict=True):
            number = row["number"]
            radius = 6 + 2.5 * len(str(number))
            sx, sy = at(x, y)
            cx, cy = placed.free_spot(sx, sy, radius)
            if (cx, cy) != (sx, sy):  # moved aside from a marker at the same place: a leader to the real spot
                leaders.append(
                    f'<line x1="{sx:.1f}" y1="{sy:.1f}" x2="{cx:.1f}" y2="{cy:.1f}" stroke="#A61E12" stroke-width="1"/>'
                    f'<circle cx="{sx:.1f}" cy="{sy:.1f}" r="2" fill="#A61E12"/>'
                )
            markers.append(
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{radius:.1f}" fill="#A61E12" stroke="#fff" stroke-width="1"/>'
                f'<text x="{cx:.1f}" y="{cy + 3.5:.1f}" font-size="10" font-family="Liberation Sans, DejaVu Sans" '
                f'font-weight="bold" fill="#fff" text-anchor="middle">{number}</text>'
            )
            result.numbers.append(number)
        parts += leaders + markers  # leaders below every marker
        result.scale_metres = nice_scale(max(span_x, span_y) / 8)
        bar = result.scale_metres * scale
        parts.append(f'<rect x="20" y="{HEIGHT - 24}" width="{bar:.1f}" height="5" fill="#000"/>')
        parts.append(
            f'<text x="20" y="{HEIGHT - 30}" font-size="12" font-family="Liberation Sans, DejaVu Sans">'
            f"{result.scale_metres:g} m</text>"
        )
    parts.append(
        f'<text x="{WIDTH - 14}" y="{HEIGHT - 14}" font-size="12" text-anchor="end" '
        f'font-family="Liberation Sans, DejaVu Sans">EPSG:{crs}</text>'
    )
    result.svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}">{"".join(parts)}</svg>'
    )
    result.alt = _alt(result)
    return result


def _alt(result: StatementMap) -> str:
    listed = ", ".join(str(n) for n in result.numbers[:ALT_NUMBERS])
    if len(result.numbers) > ALT_NUMBERS:
        listed += " …"
    text = ngettext(
        "Karte des Geltungsbereichs mit %(count)s nummerierten Markierung für die Stellungnahme mit Ortsangabe",
        "Karte des Geltungsbereichs mit %(count)s nummerierten Markierungen für die Stellungnahmen mit Ortsangabe",
        len(result.numbers),
    ) % {"count": len(result.numbers)}
    if listed:
        text += " " + _("(Nr. %(numbers)s)") % {"numbers": listed}
    text += ". " + _("Die Nummern entsprechen der Spalte Nr. der Tabelle; die Tabelle enthält alle Angaben.")
    return text


class _Placement:
    """Find marker positions that do not cover earlier markers: a spiral around the spot, looked up in a grid."""

    CELL = 40.0  # at least two marker radii

    def __init__(self):
        self.grid: dict[tuple[int, int], list[tuple[float, float, float]]] = {}

    def _free(self, x: float, y: float, r: float) -> bool:
        gx, gy = int(x // self.CELL), int(y // self.CELL)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for ox, oy, orad in self.grid.get((gx + dx, gy + dy), ()):
                    if (ox - x) ** 2 + (oy - y) ** 2 < (orad + r) ** 2:
                        return False
        return True

    def free_spot(self, x: float, y: float, r: float) -> tuple[float, float]:
        """Return the nearest free position on a spiral around (x, y) (the spot itself when free) and take it."""
        spot = (x, y)
        if not self._free(x, y, r):
            for step in range(1, 120):
                angle = step * 0.9
                distance = r * (1.2 + 0.35 * step)
                candidate = (x + distance * math.cos(angle), y + distance * math.sin(angle))
                if self._free(*candidate, r):
                    spot = candidate
                    break
        self.grid.setdefault((int(spot[0] // self.CELL), int(spot[1] // self.CELL)), []).append((*spot, r))
        return spot
