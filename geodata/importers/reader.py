"""Read vector files with pyogrio: layer choice, CRS detection, plain checks."""

import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import orjson
import pyogrio
from django.utils.translation import gettext as _
from pyproj import CRS
from pyproj.exceptions import CRSError

from ..crs import crs_label, parse_crs
from ..errors import ImportRejected
from .files import error_text


@dataclass
class SourceInfo:
    """What a file holds before anything is written."""

    path: Path
    layer: str
    layers: list[str]
    driver: str
    feature_count: int
    crs: CRS
    crs_label: str
    crs_from_file: bool
    geometry_type: str
    bounds: tuple[float, float, float, float] | None
    fields: list[str]


def _read_error(path: Path, exc: Exception) -> ImportRejected:
    return ImportRejected(
        _(
            "Die Datei %(name)s kann nicht gelesen werden; sie ist beschädigt, unvollständig oder kein unterstütztes "
            "Geodatenformat (%(error)s)."
        )
        % {"name": path.name, "error": error_text(exc)[:200]},
        code="unreadable",
    )


def choose_layer(path: Path, layer_name: str | None) -> tuple[str, list[str]]:
    """Return the layer to read and all layer names, refusing unknown or ambiguous names."""
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(path)]
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise _read_error(path, exc) from exc
    if not layers:
        raise ImportRejected(_("Die Datei enthält keine Ebenen."), code="no_layers")
    if layer_name:
        if layer_name not in layers:
            raise ImportRejected(
                _("Die Ebene „%(layer)s“ gibt es in dieser Datei nicht. Vorhandene Ebenen: %(layers)s.")
                % {"layer": layer_name, "layers": ", ".join(layers)},
                code="unknown_layer",
            )
        return layer_name, layers
    if len(layers) > 1 and (path.suffix.lower() == ".gpkg" or path.is_dir()):
        message = (
            _("Die GeoPackage-Datei enthält mehrere Ebenen (%(layers)s). Bitte wählen Sie eine aus.")
            if path.suffix.lower() == ".gpkg"
            else _("Das ZIP-Archiv enthält mehrere Shapefiles (%(layers)s). Bitte wählen Sie eine Ebene aus.")
        )
        raise ImportRejected(
            message % {"layers": ", ".join(layers)},
            code="layer_required",
        )
    return layers[0], layers


def check_geojson(path: Path) -> None:
    """Refuse GeoJSON whose coordinates are not finite numbers (GDAL would silently drop them)."""
    try:
        data = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise ImportRejected(
            _("Die GeoJSON-Datei ist kein gültiges JSON (beschädigt oder unvollständig): %(error)s")
            % {"error": str(exc)[:200]},
            code="unreadable",
        ) from exc
    features = data.get("features") if isinstance(data, dict) else None
    if features is None and isinstance(data, dict) and data.get("type") == "Feature":
        features = [data]
    if not isinstance(features, list):
        return
    for number, feature in enumerate(features, start=1):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if geometry is None:
            continue
        stack = [geometry]
        while stack:
            node = stack.pop()
            if not isinstance(node, dict):
                continue
            if "geometries" in node:
                stack.extend(node.get("geometries") or [])
                continue
            _check_positions(node.get("coordinates"), number)


def _check_positions(coords, number: int) -> None:
    if isinstance(coords, list) and coords and not isinstance(coords[0], list):
        ok = 2 <= len(coords) <= 4 and all(
            isinstance(c, int | float) and not isinstance(c, bool) and math.isfinite(c) for c in coords
        )
        if not ok:
            raise ImportRejected(
                _("Objekt %(number)d hat ungültige Koordinaten (%(coords)s): Koordinaten müssen Zahlen sein.")
                % {"number": number, "coords": str(coords)[:80]},
                code="invalid_coordinates",
            )
        return
    if isinstance(coords, list):
        for item in coords:
            _check_positions(item, number)
        return
    if coords is not None:
        raise ImportRejected(
            _("Objekt %(number)d hat ungültige Koordinaten (%(coords)s): Koordinaten müssen Zahlen sein.")
            % {"number": number, "coords": str(coords)[:80]},
            code="invalid_coordinates",
        )


def inspect(path: Path, *, layer_name: str | None = None, crs: str | None = None) -> SourceInfo:
    """Return what `path` holds (layer, count, CRS, bounds) without reading all features."""
    path = Path(path)
    if path.suffix.lower() in (".geojson", ".json"):
        check_geojson(path)
    layer, layers = choose_layer(path, layer_name)
    try:
        info = pyogrio.read_info(path, layer=layer, force_feature_count=True, force_total_bounds=True)
    except Exception as exc:
        raise _read_error(path, exc) from exc
    if info["features"] == 0:
        raise ImportRejected(_("Die Ebene „%(layer)s“ enthält keine Objekte.") % {"layer": layer}, code="no_features")
    user_crs = parse_crs(crs) if crs else None
    file_crs = None
    if info["crs"]:
        try:
            file_crs = CRS.from_user_input(info["crs"])
        except CRSError:
            file_crs = None
    chosen = user_crs or file_crs
    if chosen is None:
        raise ImportRejected(
            _("Die Datei enthält kein Koordinatensystem. Bitte geben Sie es an (z. B. EPSG:25832)."),
            code="crs_missing",
        )
    bounds = info.get("total_bounds")
    return SourceInfo(
        path=path,
        layer=layer,
        layers=layers,
        driver=info["driver"],
        feature_count=int(info["features"]),
        crs=chosen,
        crs_label=crs_label(chosen),
        crs_from_file=user_crs is None,
        geometry_type=info["geometry_type"] or "",
        bounds=(float(bounds[0]), float(bounds[1]), float(bounds[2]), float(bounds[3])) if bounds is not None else None,
        fields=[str(f) for f in info["fields"]],
    )


def read(source: SourceInfo) -> gpd.GeoDataFrame:
    """Read all features of `source` (curves arrive linearised, 3D forced to 2D)."""
    try:
        frame = pyogrio.read_dataframe(source.path, layer=source.layer, force_2d=True, fid_as_index=True)
    except Exception as exc:
        raise _read_error(source.path, exc) from exc
    return frame.set_crs(source.crs, allow_override=True)
