"""A 1200×630 PNG of a plan's Geltungsbereich for link previews (Open Graph, Twitter cards), drawn with Pillow."""

import io

from django.core.cache import cache
from PIL import Image, ImageDraw, ImageFont

from plans.geometry import to_metric

WIDTH, HEIGHT, MARGIN = 1200, 630, 60
BACKGROUND, GRID, FILL, OUTLINE, TEXT = "#f4f1ea", "#e2ddd2", "#c8dcf0", "#1d4f91", "#1b1b1b"


def _font(size: int):
    for path in ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "DejaVuSans-Bold.ttf"):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def render_plan_preview(plan) -> bytes:
    """Return the PNG bytes, cached per plan version (updated_at)."""
    key = f"announcements:preview:{plan.pk}:{plan.updated_at.timestamp()}"
    data = cache.get(key)
    if data is None:
        data = _draw(plan)
        cache.set(key, data, 24 * 60 * 60)
    return data


def _draw(plan) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for x in range(0, WIDTH, 60):
        draw.line([(x, 0), (x, HEIGHT)], fill=GRID)
    for y in range(0, HEIGHT, 60):
        draw.line([(0, y), (WIDTH, y)], fill=GRID)
    area = to_metric(plan.area, plan.municipality.crs_epsg)
    xmin, ymin, xmax, ymax = area.extent
    map_top = 130
    box_w, box_h = WIDTH - 2 * MARGIN, HEIGHT - map_top - MARGIN
    scale = min(box_w / max(xmax - xmin, 1), box_h / max(ymax - ymin, 1))
    offset_x = MARGIN + (box_w - (xmax - xmin) * scale) / 2
    offset_y = map_top + (box_h - (ymax - ymin) * scale) / 2

    def project(coords):
        return [(offset_x + (x - xmin) * scale, offset_y + (ymax - y) * scale) for x, y in coords]

    for polygon in area:  # type: ignore[attr-defined]  # GEOS collections are iterable; the stubs say not
        draw.polygon(project(polygon.exterior_ring.coords), fill=FILL, outline=OUTLINE, width=5)
        for ring in list(polygon)[1:]:
            draw.polygon(project(ring.coords), fill=BACKGROUND, outline=OUTLINE, width=3)
    draw.rectangle([0, 0, WIDTH, 110], fill="white")
    title = str(plan)
    draw.text((MARGIN, 22), title if len(title) <= 60 else title[:59] + "…", fill=TEXT, font=_font(40))
    draw.text((MARGIN, 72), f"{plan.get_kind_display()} · {plan.municipality.name}", fill=OUTLINE, font=_font(26))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
