"""GIS exports of layers: GeoPackage, GeoJSON and zipped Shapefiles in any EPSG CRS."""

from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
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


def layer_export(*, layer: Layer, fmt: str, crs: str | int | None = None, path: Path, by) -> Path:
    """Write the layer to `path` as GeoPackage, GeoJSON or zipped Shapefiles; return the path."""
    require_export(by, layer.plan)
    if fmt not in FORMATS:
        raise ExportError(_("Unbekanntes Format: %(format)s") % {"format": fmt}, code="unknown_format")
    target = export_crs(crs, layer.plan)
    path = Path(path)
    driver = FORMATS[fmt][0]
    if fmt == "shp":
        frame = layer_frame(layer, target, field_length=10)
        _write_shapefiles(frame, path, stem=_safe_name(layer.name, set(), 40))
        return path
    frame = layer_frame(layer, target)
    if path.exists():
        path.unlink()
    if fmt == "gpkg":
        frame.to_file(path, driver=driver, layer=_safe_name(layer.name, set(), 60), engine="pyogrio")
    else:
        frame.to_file(path, driver=driver, engine="pyogrio")
    return path


def _write_shapefiles(frame: gpd.GeoDataFrame, path: Path, stem: str) -> None:
    """Write one Shapefile per geometry kind (Shapefile cannot mix them) into the zip at `path`."""
    groups = frame.geometry.geom_type.map(_SHAPE_GROUPS)
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for group in ("polygons", "lines", "points"):
            part = frame[groups == group]
            if part.empty:
                continue
            target = Path(tmp) / f"{stem}_{group}.shp"
            part.to_file(target, driver="ESRI Shapefile", engine="pyogrio", encoding="UTF-8")
            for file in sorted(Path(tmp).glob(f"{stem}_{group}.*")):
                archive.write(file, file.name)


def plan_layers_export(*, plan: Plan, crs: str | int | None = None, path: Path, by, layers=None) -> Path:
    """Write every layer of `plan` into one GeoPackage at `path` (one table per layer)."""
    require_export(by, plan)
    target = export_crs(crs, plan)
    path = Path(path)
    if path.exists():
        path.unlink()
    taken: set[str] = set()
    layers = list(layers if layers is not None else plan.layers.all())
    if not layers:
        raise ExportError(_("Dieser Plan hat keine Ebenen."), code="no_layers")
    for layer in layers:
        frame = layer_frame(layer, target)
        frame.to_file(path, driver="GPKG", layer=_safe_name(layer.name, taken, 60), engine="pyogrio")
    return path
