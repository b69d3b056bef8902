"""GeoJSON and GeoPackage of the statements in the municipality's metric CRS (default EPSG:25832).

Points: the statement's location (or a point on its drawn area), null geometry when it has
none, so the file has every statement. GeoPackage adds layers for drawn areas and drawn lines.
"""

import datetime as dt
import os
import tempfile

import geopandas as gpd
import numpy as np
import shapely


def _frame(rows, columns, geometry_key, crs_epsg):
    data = {}
    for column in columns:
        # Dates as ISO text: a column of dates and gaps (the authorities' deadline) has no GDAL date type.
        values = [v.isoformat() if isinstance(v, dt.date) else v for v in (column.getter(r) for r in rows)]
        data[column.key] = values
    if geometry_key == "point":
        xs = [r["point"].x if r["point"] is not None else float("nan") for r in rows]
        ys = [r["point"].y if r["point"] is not None else float("nan") for r in rows]
        geoms = shapely.points(xs, ys)
        geoms = np.asarray(geoms, dtype=object).reshape(-1)
        geoms[np.array([r["point"] is None for r in rows], dtype=bool)] = None
    else:
        geoms = shapely.from_wkb([bytes(r[geometry_key].wkb) if r[geometry_key] is not None else None for r in rows])
    frame = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geoms, crs=4326))
    return frame.to_crs(epsg=crs_epsg)


def crs_of(consultation) -> int:
    return consultation.plan.municipality.crs_epsg or 25832


def render_geojson(*, rows, columns, consultation) -> bytes:
    """Return all statements as a GeoJSON FeatureCollection (with a `crs` member naming the EPSG code)."""
    frame = _frame(rows, columns, "point", crs_of(consultation))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "stellungnahmen.geojson")
        frame.to_file(path, driver="GeoJSON", engine="pyogrio", layer_options={"RFC7946": "NO"})
        with open(path, "rb") as handle:
            return handle.read()


def render_gpkg(*, rows, columns, consultation) -> bytes:
    """Return a GeoPackage: `stellungnahmen` (points), `stellungnahmen_flaechen` and `stellungnahmen_linien`."""
    crs = crs_of(consultation)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "stellungnahmen.gpkg")
        _frame(rows, columns, "point", crs).to_file(
            path, layer="stellungnahmen", driver="GPKG", engine="pyogrio", geometry_type="Point"
        )
        areas = [r for r in rows if r["area"] is not None]
        if areas:
            _frame(areas, columns, "area", crs).to_file(
                path,
                layer="stellungnahmen_flaechen",
                driver="GPKG",
                engine="pyogrio",
                geometry_type="Polygon",
                append=False,
            )
        lines = [r for r in rows if r.get("line") is not None]
        if lines:
            _frame(lines, columns, "line", crs).to_file(
                path, layer="stellungnahmen_linien", driver="GPKG", engine="pyogrio", geometry_type="LineString"
            )
        with open(path, "rb") as handle:
            return handle.read()
