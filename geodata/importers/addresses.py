"""Read an address file (CSV or any GIS file with points) into checked rows in EPSG:4326.

CSV: a header with street;housenumber;postcode;place and either x;y (projected, `srid` default
25832, the CRS of Hessen's "Hauskoordinaten") or lon;lat (default 4326). German and OpenStreetMap
column names are understood too (strasse, hausnummer, plz, ort, addr:street, …); a `zusatz`
column is appended to the house number. Separator `;` or `,`; with `;`, a decimal comma is
accepted. GIS files are read with pyogrio; polygons (OSM buildings) count by a point inside them.

Rows without a street or usable coordinates, outside the municipality (with 1 km margin, when it
has a boundary) or repeated are skipped and counted by reason; a file that cannot be read, lacks
columns or yields no address is refused as a whole.
"""

import csv
import io
import math
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pyproj import CRS, Transformer

from ..crs import parse_crs
from ..errors import ImportRejected
from . import files, reader

COLUMNS = {
    "street": ("street", "strasse", "straße", "str", "strassenname", "stn", "addr:street"),
    "housenumber": ("housenumber", "hausnummer", "hnr", "hausnr", "addr:housenumber"),
    "suffix": ("zusatz", "hausnummerzusatz", "adz", "housenumber_suffix"),
    "postcode": ("postcode", "plz", "postleitzahl", "addr:postcode"),
    "place": ("place", "ort", "onm", "gemeinde", "city", "addr:city"),
    "x": ("x", "rechtswert", "east", "easting", "ostwert"),
    "y": ("y", "hochwert", "north", "northing", "nordwert"),
    "lon": ("lon", "lng", "longitude", "laenge"),
    "lat": ("lat", "latitude", "breite"),
}
# The official "Hauskoordinaten Deutschland" (HK-DE) file: `;`, no header, these 18 fields, x/y in
# EPSG:25832 with a decimal comma, lines starting with '#' are comments.
HK_DE_FIELDS = ("nba oi qua lan rbz krs gmd ott sss hnr adz x y stn plz onm zon pot").split()
SKIP_REASONS = {
    "no_street": gettext_lazy("ohne Straße"),
    "bad_coordinates": gettext_lazy("Koordinaten fehlen oder sind keine Zahlen"),
    "outside": gettext_lazy("Lage außerhalb der Kommune"),
    "duplicate": gettext_lazy("doppelt"),
}
CSV_SUFFIXES = (".csv", ".txt")
BOUNDARY_MARGIN_DEGREES = 0.01  # about 1 km: points on the far side of a border street still count


@dataclass
class AddressRows:
    """The rows to write (EPSG:4326) and how many were read and skipped, by reason."""

    rows: list[dict] = field(default_factory=list)
    read: int = 0
    skipped: Counter = field(default_factory=Counter)
    crs: str = ""


def read_addresses(path: Path, *, srid: int | None = None, boundary=None, original_name: str = "") -> AddressRows:
    """Return the checked address rows of `path`; raise ImportRejected if the file is unusable."""
    path = Path(path)
    name = original_name or path.name
    if Path(name).suffix.lower() in CSV_SUFFIXES:
        records, crs = _read_csv(path, srid=srid)
    else:
        records, crs = _read_gis(path, srid=srid, name=name)
    result = AddressRows(read=len(records), crs=f"EPSG:{crs.to_epsg()}" if crs.to_epsg() else crs.name)
    _to_wgs84(records, crs)
    limit = shapely.buffer(boundary, BOUNDARY_MARGIN_DEGREES) if boundary is not None else None
    seen = set()
    for record in records:
        reason = _check(record, limit)
        if reason is None:
            key = (record["street"].casefold(), record["housenumber"].casefold(), record["place"].casefold())
            reason = "duplicate" if key in seen else None
            seen.add(key)
        if reason:
            result.skipped[reason] += 1
        else:
            result.rows.append(record)
    if not result.rows:
        raise ImportRejected(
            _("Die Datei enthält keine verwendbare Adresse (%(reasons)s).") % {"reasons": skipped_text(result.skipped)},
            code="no_addresses",
        )
    return result


def skipped_text(skipped: Counter) -> str:
    """Return '3 ohne Straße, 1 doppelt' for the skip counts."""
    return ", ".join(f"{count} {SKIP_REASONS[reason]}" for reason, count in skipped.most_common()) or "0"


def _check(record: dict, limit) -> str | None:
    if not record["street"]:
        return "no_street"
    lon, lat = record["lon"], record["lat"]
    if lon is None or lat is None or not (math.isfinite(lon) and math.isfinite(lat)):
        return "bad_coordinates"
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return "bad_coordinates"
    if limit is not None and not shapely.contains_xy(limit, lon, lat):
        return "outside"
    return None


def _columns(header: list[str], name: str) -> dict[str, str]:
    """Map our column names to the file's (case-insensitive); refuse a file without the required ones."""
    lookup = {column.strip().lower().lstrip("\ufeff"): column for column in header}
    found = {}
    for key, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in lookup:
                found[key] = lookup[alias]
                break
    missing = [key for key in ("street", "housenumber") if key not in found]
    has_xy = "x" in found and "y" in found
    has_lonlat = "lon" in found and "lat" in found
    if missing or not (has_xy or has_lonlat or name == "gis"):
        raise ImportRejected(
            _(
                "Der Datei fehlen Spalten: Erwartet werden street;housenumber;postcode;place;x;y (oder lon;lat), "
                "gefunden: %(columns)s."
            )
            % {"columns": ", ".join(column for column in header if column) or "–"},
            code="missing_columns",
        )
    return found


def _text(row, column: str | None) -> str:
    if column is None:
        return ""
    value = row.get(column)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _number(value: str, decimal_comma: bool) -> float | None:
    value = (value or "").strip()
    if decimal_comma:
        value = value.replace(",", ".")
    try:
        return float(value)
    except ValueError:
        return None


def _record(row, columns: dict[str, str]) -> dict:
    housenumber = _text(row, columns.get("housenumber"))
    suffix = _text(row, columns.get("suffix"))
    return {
        "street": _text(row, columns.get("street")),
        "housenumber": f"{housenumber}{suffix}" if suffix else housenumber,
        "postcode": _text(row, columns.get("postcode")),
        "place": _text(row, columns.get("place")),
    }


def _read_csv(path: Path, *, srid: int | None) -> tuple[list[dict], CRS]:
    files.check_size(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # official German files often come in Windows-1252
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    first_line = lines[0] if lines else ""
    delimiter = ";" if ";" in first_line else ","
    fieldnames = HK_DE_FIELDS if _is_hk_de(first_line) else None
    try:
        rows = csv.DictReader(io.StringIO("\n".join(lines)), fieldnames=fieldnames, delimiter=delimiter)
        header = list(rows.fieldnames or [])
        columns = _columns(header, "csv")
        lonlat = "x" not in columns or "y" not in columns
        crs = parse_crs(srid, default=4326 if lonlat else 25832)
        records = []
        for row in rows:
            record = _record(row, columns)
            x_column, y_column = (columns["lon"], columns["lat"]) if lonlat else (columns["x"], columns["y"])
            record["lon"] = _number(_text(row, x_column), delimiter == ";")
            record["lat"] = _number(_text(row, y_column), delimiter == ";")
            records.append(record)
    except csv.Error as exc:
        raise ImportRejected(
            _("Die CSV-Datei kann nicht gelesen werden: %(error)s") % {"error": str(exc)[:200]}, code="unreadable"
        ) from exc
    if not records:
        raise ImportRejected(_("Die Datei enthält keine Adressen."), code="no_addresses")
    return records, crs


def _is_hk_de(line: str) -> bool:
    """Return whether `line` is a data line of an HK-DE file (no header: Land key, house number, coordinates)."""
    fields = line.split(";")
    return (
        len(fields) >= len(HK_DE_FIELDS) - 2
        and fields[3].strip().isdigit()
        and _number(fields[11], True) is not None
        and _number(fields[12], True) is not None
    )


def _read_gis(path: Path, *, srid: int | None, name: str) -> tuple[list[dict], CRS]:
    with tempfile.TemporaryDirectory(prefix="pb-addresses-") as workdir:
        dataset = files.prepare_source(path, Path(workdir), original_name=name)
        info = reader.inspect(dataset, crs=f"EPSG:{srid}" if srid else None)
        frame = reader.read(info)
    columns = _columns([str(column) for column in frame.columns if column != "geometry"], "gis")
    geometries = frame.geometry.values
    points = shapely.point_on_surface(np.asarray(geometries, dtype=object))
    xs, ys = shapely.get_x(points), shapely.get_y(points)
    records = []
    for index, (_fid, row) in enumerate(frame.drop(columns="geometry").iterrows()):
        record = _record(row, columns)
        x, y = float(xs[index]), float(ys[index])
        record["lon"], record["lat"] = (None, None) if math.isnan(x) or math.isnan(y) else (x, y)
        records.append(record)
    return records, info.crs


def _to_wgs84(records: list[dict], crs: CRS) -> None:
    """Transform the records' coordinates from `crs` to EPSG:4326 in place (None stays None)."""
    if crs.to_epsg() == 4326:
        return
    usable = [record for record in records if record["lon"] is not None and record["lat"] is not None]
    if not usable:
        return
    transformer = Transformer.from_crs(crs, 4326, always_xy=True)
    lons, lats = transformer.transform([r["lon"] for r in usable], [r["lat"] for r in usable])
    for record, lon, lat in zip(usable, lons, lats, strict=True):
        record["lon"], record["lat"] = float(lon), float(lat)
