"""Read raster plan drawings from an XPlan archive: an image with a world file, warped to EPSG:3857 as PNG.

An image (PNG, JPEG, TIFF) in the archive is a plan drawing if a world file lies beside it
(`.pgw`/`.jgw`/`.tfw`/`.wld`, or `<suffix>w`) or, for a TIFF, if it carries its own georeference.
It is in the plan's CRS. GDAL's command-line tools warp it (`gdalwarp`, run without a shell
and with a timeout) to Web Mercator and write a PNG with transparency outside the image; the
bounds are returned in EPSG:4326 for Leaflet's image overlay. Sidecars (`*.aux.xml`) are ignored.
"""

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from pyproj import CRS, Transformer

from ..errors import ImportRejected
from .files import MB, error_text, is_sidecar

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
WORLD_SUFFIXES = {
    ".png": (".pgw", ".pngw"),
    ".jpg": (".jgw", ".jpgw"),
    ".jpeg": (".jgw", ".jpegw"),
    ".tif": (".tfw", ".tifw"),
    ".tiff": (".tfw", ".tiffw"),
}
TIMEOUT = 120  # seconds per GDAL call
MAX_IMAGES = 5


def max_pixels() -> int:
    return settings.XPLAN_RASTER_MAX_PIXELS


def max_bytes() -> int:
    return settings.XPLAN_RASTER_MAX_MB * MB


@dataclass
class RasterDrawing:
    name: str  # the image's file name in the archive
    png: bytes  # warped to EPSG:3857, transparent outside the image
    bounds: tuple[float, float, float, float]  # west, south, east, north in EPSG:4326
    width: int
    height: int


def world_file(image: Path) -> Path | None:
    """Return the world file beside `image` (any case), or None."""
    wanted = {*WORLD_SUFFIXES.get(image.suffix.lower(), ()), ".wld"}
    for candidate in image.parent.iterdir():
        if candidate.stem == image.stem and candidate.suffix.lower() in wanted:
            return candidate
    return None


def find_images(files: list[Path]) -> list[tuple[Path, Path | None]]:
    """Return the images among `files` with their world files (None for a TIFF that may carry its own)."""
    found = []
    for path in sorted(files):
        if path.suffix.lower() not in IMAGE_SUFFIXES or is_sidecar(path) or path.name.startswith("."):
            continue
        found.append((path, world_file(path)))
    return found


def _run(args: list[str]) -> str:
    """Run a GDAL tool (paths are absolute, so never read as options); return its output or refuse the import."""
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, check=False)  # noqa: S603
    except subprocess.TimeoutExpired as exc:
        raise ImportRejected(
            _("Das Rasterbild konnte nicht in der vorgesehenen Zeit verarbeitet werden."), code="raster_timeout"
        ) from exc
    if result.returncode != 0:
        message = (result.stderr or "").strip().splitlines()
        raise ImportRejected(
            _("Das Rasterbild konnte nicht gelesen werden (%(error)s).")
            % {"error": error_text(Exception(message[-1])) if message else "GDAL"},
            code="raster_unreadable",
        )
    return result.stdout


def _info(path: Path) -> dict:
    return json.loads(_run(["gdalinfo", "-json", str(path)]))


def _check_size(image: Path, info: dict) -> None:
    width, height = info.get("size", [0, 0])
    if image.stat().st_size > max_bytes():
        raise ImportRejected(
            _("Das Rasterbild %(name)s ist zu groß (%(size).1f MB, erlaubt sind höchstens %(limit)d MB).")
            % {"name": image.name, "size": image.stat().st_size / MB, "limit": max_bytes() // MB},
            code="raster_too_large",
        )
    if width * height > max_pixels():
        raise ImportRejected(
            _(
                "Das Rasterbild %(name)s hat zu viele Bildpunkte (%(width)d × %(height)d, erlaubt sind höchstens "
                "%(limit)d Millionen)."
            )
            % {"name": image.name, "width": width, "height": height, "limit": max_pixels() // 1_000_000},
            code="raster_too_many_pixels",
        )


def warp_drawing(image: Path, crs: CRS, workdir: Path) -> RasterDrawing:
    """Warp `image` (georeferenced by its world file or itself, in `crs`) to EPSG:3857 and return it as PNG."""
    info = _info(image)
    _check_size(image, info)
    source = image
    bands = info.get("bands", [])
    if any(band.get("colorInterpretation") == "Palette" for band in bands):
        source = workdir / "expanded.vrt"
        _run(["gdal_translate", "-q", "-of", "VRT", "-expand", "rgba", str(image), str(source)])
    warped, png = workdir / "warped.tif", workdir / "warped.png"
    _run(
        [
            "gdalwarp", "-q", "-overwrite", "-s_srs", crs.to_wkt(), "-t_srs", "EPSG:3857", "-r", "bilinear",
            "-dstalpha", "-of", "GTiff", "-co", "COMPRESS=DEFLATE", str(source), str(warped),
        ]
    )  # fmt: skip
    _run(["gdal_translate", "-q", "-of", "PNG", "-co", "ZLEVEL=6", str(warped), str(png)])
    warped_info = _info(warped)
    corners = warped_info["cornerCoordinates"]
    to_4326 = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
    west, south = to_4326.transform(*corners["lowerLeft"])
    east, north = to_4326.transform(*corners["upperRight"])
    width, height = warped_info["size"]
    return RasterDrawing(
        name=image.name, png=png.read_bytes(), bounds=(west, south, east, north), width=width, height=height
    )


def _georeferenced(image: Path) -> bool:
    try:
        return "geoTransform" in _info(image)
    except ImportRejected:
        return False


def read_drawings(files: list[Path], crs: CRS) -> tuple[list[RasterDrawing], list[str]]:
    """Return the georeferenced drawings among `files` and notes on images left out (no world file, unreadable).

    An image above the size limits refuses the import (ImportRejected).
    """
    drawings, notes = [], []
    for image, world in find_images(files)[:MAX_IMAGES]:
        if world is None and image.suffix.lower() in (".tif", ".tiff") and _georeferenced(image):
            world = image  # a GeoTIFF
        if world is None:
            notes.append(
                _("Das Bild %(name)s hat keine World-Datei (z. B. .pgw) und wurde nicht als Planzeichnung übernommen.")
                % {"name": image.name}
            )
            continue
        with tempfile.TemporaryDirectory(prefix="pb-raster-") as workdir:
            try:
                drawings.append(warp_drawing(image, crs, Path(workdir)))
            except ImportRejected as exc:
                if exc.code != "raster_unreadable":
                    raise  # too large, too slow: the import is refused
                notes.append(
                    _("Das Bild %(name)s wurde nicht als Planzeichnung übernommen: %(error)s")
                    % {"name": image.name, "error": exc.message}
                )
    return drawings, notes
