"""GIS exports of layers: GeoPackage, GeoJSON and zipped Shapefiles in any EPSG CRS."""

from __future__ import annotations

import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import pyogrio
import pyproj
import shapely
from django.contrib.gis.db.models.functions import AsWKB
from django.utils.translation import gettext as _

from plans import rules
from plans.models import Plan

from .crs import parse_crs
from .errors import ExportError
from .importers.geometry import STORAGE_CRS
from .models import Feature, Layer
from .transform import transformation

FORMATS = {
    "gpkg": ("GPKG", "application/geopackage+sqlite3", "gpkg"),
    "geojson": ("GeoJSON", "application/geo+json", "geojson"),
    "shp": ("ESRI Shapefile", "application/zip", "zip"),
}
RESERVED = {"fid", "geom", "geometry", "feature_id", "source_id"}
_SHAPE_GROUPS = {
    "Point": "points",
    "MultiPoint": "points",
    "LineString": "lines",
    "MultiLineString": "lines",
    "Polygon": "polygons",
    "MultiPolygon": "polygons",
}


def _safe_name(name: str, taken: set[str], max_length: int | None = None) -> str:
    base = re.sub(r"[^0-9A-Za-zÄÖÜäöüß_]+", "_", str(name)).strip("_") or "feld"
    if base[0].isdigit():
        base = "f_" + base
    if max_length:
        base = base[:max_length]
    candidate, n = base, 1
    while candidate.lower() in taken:
        n += 1
        suffix = f"_{n}"
        candidate = (base[: max_length - len(suffix)] if max_length else base) + suffix
    taken.add(candidate.lower())
    return candidate


def _column(values: list) -> pd.Series:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pd.Series(values, dtype="boolean")
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        if all(-(2**63) <= v < 2**63 for v in present):
            return pd.Series(values, dtype="Int64")
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
    return pd.Series(
        [None if v is None else (v if isinstance(v, str) else orjson.dumps(v).decode()) for v in values],
        dtype="object",
    )


def layer_frame(layer: Layer, crs: pyproj.CRS, field_length: int | None = None) -> gpd.GeoDataFrame:
    """Return the layer's features with flattened attribute columns, reprojected to `crs`."""
    rows = list(
        Feature.objects.filter(layer=layer)
        .order_by("pk")
        .annotate(wkb=AsWKB("geometry"))
        .values_list("pk", "source_id", "wkb", "properties")
    )
    properties = [(row[3] if isinstance(row[3], dict) else orjson.loads(row[3] or "{}")) for row in rows]
    keys: list[str] = []
    seen = set()
    for props in properties:
        for key in props:
            if key not in seen:
                seen.add(key)
                keys.append(key)
    taken = set(RESERVED)
    data = {"feature_id": [row[0] for row in rows], "source_id": [row[1] for row in rows]}
    for key in keys:
        data[_safe_name(key, taken, field_length)] = _column([props.get(key) for props in properties])
    geoms = shapely.from_wkb([bytes(row[2]) for row in rows]) if rows else np.array([], dtype=object)
    if len(geoms) and not crs.equals(STORAGE_CRS):
        # One direct operation, the same PROJ chooses for imports (BETA2007 for DHDN targets).
        bounds = tuple(float(v) for v in shapely.total_bounds(geoms))
        geoms = transformation(STORAGE_CRS, crs, bounds=bounds, error=ExportError).transform(geoms)
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs)


def export_crs(value: str | int | None, plan: Plan) -> pyproj.CRS:
    """Return the CRS an export of `plan` is asked for (default: the municipality's); raise ExportError."""
    return parse_crs(value, default=plan.municipality.crs_epsg, error=ExportError)


def require_export(by, plan: Plan) -> None:
    """Raise PermissionDenied unless `by` may download `plan`'s layers (anyone once the plan is public)."""
    if not plan.is_public:
        rules.require(by, "view", plan.municipality)


@dataclass
class ExportResult:
    """What an export wrote: the file, how many features (`written`) and, per file or table, how many rows."""

    path: Path
    written: int = 0
    parts: dict[str, int] = field(default_factory=dict)


def layer_export(*, layer: Layer, fmt: str, crs: str | int | None = None, path: Path, by) -> ExportResult:
    """Write the layer to `path` as GeoPackage, GeoJSON or zipped Shapefiles; return what was written.

    Every feature of the layer is written or the export fails (ExportError): the rows in the
    written file are counted and compared with the layer's features.
    """
    require_export(by, layer.plan)
    if fmt not in FORMATS:
        raise ExportError(_("Unbekanntes Format: %(format)s") % {"format": fmt}, code="unknown_format")
    target = export_crs(crs, layer.plan)
    path = Path(path)
    try:
        return _layer_write(layer, fmt, target, path)
    except ExportError:
        path.unlink(missing_ok=True)  # nothing incomplete is left behind
        raise


def _layer_write(layer: Layer, fmt: str, target: pyproj.CRS, path: Path) -> ExportResult:
    driver = FORMATS[fmt][0]
    if fmt == "shp":
        frame = layer_frame(layer, target, field_length=10)
        parts = _write_shapefiles(frame, path, stem=_safe_name(layer.name, set(), 40))
        return ExportResult(path=path, written=len(frame), parts=parts)
    frame = layer_frame(layer, target)
    if path.exists():
        path.unlink()
    if fmt == "gpkg":
        table = _safe_name(layer.name, set(), 60)
        frame.to_file(path, driver=driver, layer=table, engine="pyogrio")
        _check_written(layer.name, expected=len(frame), written=_count(path, table))
        return ExportResult(path=path, written=len(frame), parts={table: len(frame)})
    frame.to_file(path, driver=driver, engine="pyogrio")
    _check_written(layer.name, expected=len(frame), written=_count(path))
    return ExportResult(path=path, written=len(frame), parts={path.name: len(frame)})


def _count(path: Path, layer: str | None = None) -> int:
    """Return the number of features GDAL reads back from `path` (one table of it)."""
    info = pyogrio.read_info(path, layer=layer, force_feature_count=True)
    return int(info["features"])


def _check_written(name: str, *, expected: int, written: int, missing=()) -> None:
    """Raise ExportError unless every feature of the layer `name` was written."""
    if written != expected or missing:
        ids = ", ".join(str(pk) for pk in list(missing)[:20])
        raise ExportError(
            _(
                "Die Ebene „%(name)s“ konnte nicht vollständig exportiert werden: %(written)d von %(expected)d "
                "Objekten geschrieben.%(ids)s"
            )
            % {
                "name": name,
                "written": min(written, expected),
                "expected": expected,
                "ids": (" " + _("Nicht geschrieben: %(ids)s.") % {"ids": ids}) if ids else "",
            },
            code="incomplete_export",
        )


def _shape_parts(frame: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """Split `frame` by Shapefile geometry kind; a GeometryCollection's parts go to their kinds, same feature_id.

    make_valid turns some invalid polygons into collections of polygons and lines or points;
    a Shapefile holds one kind only, so such a feature appears in each file it has parts for.
    """
    rows: dict[str, list[int]] = {"polygons": [], "lines": [], "points": []}
    geometries: dict[str, list] = {"polygons": [], "lines": [], "points": []}
    builders = {"polygons": shapely.multipolygons, "lines": shapely.multilinestrings, "points": shapely.multipoints}
    for position, geometry in enumerate(frame.geometry.values):
        if geometry is None or geometry.is_empty:
            continue
        group = _SHAPE_GROUPS.get(geometry.geom_type)
        if group:
            rows[group].append(position)
            geometries[group].append(geometry)
            continue
        pieces: dict[str, list] = {}
        for part in shapely.get_parts(geometry):
            for single in shapely.get_parts(part):  # a Multi* member of the collection
                kind = _SHAPE_GROUPS.get(single.geom_type)
                if kind and not single.is_empty:
                    pieces.setdefault(kind, []).append(single)
        for kind, singles in pieces.items():
            rows[kind].append(position)
            geometries[kind].append(builders[kind](singles))
    result = {}
    for group, positions in rows.items():
        if positions:
            part = frame.iloc[positions].copy()
            part = part.set_geometry(gpd.GeoSeries(geometries[group], index=part.index, crs=frame.crs))
            result[group] = part
    return result


def _write_shapefiles(frame: gpd.GeoDataFrame, path: Path, stem: str) -> dict[str, int]:
    """Write one Shapefile per geometry kind (Shapefile cannot mix them) into the zip at `path`.

    Return the rows per file. Raise ExportError if a feature ended up in no file (e.g. an empty
    geometry) or a file holds fewer rows than were written to it.
    """
    parts = _shape_parts(frame)
    counts: dict[str, int] = {}
    covered: set[int] = set()
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for group in ("polygons", "lines", "points"):
            part = parts.get(group)
            if part is None:
                continue
            target = Path(tmp) / f"{stem}_{group}.shp"
            part.to_file(target, driver="ESRI Shapefile", engine="pyogrio", encoding="UTF-8")
            counts[target.name] = _count(target)
            _check_written(stem, expected=len(part), written=counts[target.name])
            covered.update(int(pk) for pk in part["feature_id"])
            for file in sorted(Path(tmp).glob(f"{stem}_{group}.*")):
                archive.write(file, file.name)
    missing = [int(pk) for pk in frame["feature_id"] if int(pk) not in covered]
    _check_written(stem, expected=len(frame), written=len(frame) - len(missing), missing=missing)
    return counts


def plan_layers_export(*, plan: Plan, crs: str | int | None = None, path: Path, by, layers=None) -> ExportResult:
    """Write the current layers of `plan` into one GeoPackage at `path` (a table per layer); return what was written."""
    require_export(by, plan)
    target = export_crs(crs, plan)
    path = Path(path)
    if path.exists():
        path.unlink()
    taken: set[str] = set()
    layers = list(layers if layers is not None else plan.layers.filter(current=True))
    if not layers:
        raise ExportError(_("Dieser Plan hat keine Ebenen."), code="no_layers")
    result = ExportResult(path=path)
    try:
        for layer in layers:
            frame = layer_frame(layer, target)
            table = _safe_name(layer.name, taken, 60)
            frame.to_file(path, driver="GPKG", layer=table, engine="pyogrio")
            _check_written(layer.name, expected=len(frame), written=_count(path, table))
            result.parts[table] = len(frame)
            result.written += len(frame)
    except ExportError:
        path.unlink(missing_ok=True)
        raise
    return result
