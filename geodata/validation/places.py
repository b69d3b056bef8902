"""Where a problem is: geometries in a metric CRS for areas, places in EPSG:4326 for the map."""

import numpy as np
import shapely
from pyproj import CRS, Transformer

STORAGE_CRS = CRS.from_epsg(4326)
EQUAL_AREA_CRS = CRS.from_epsg(3035)  # ETRS89-LAEA Europe: areas of data in geographic coordinates


def _is_metric(crs: CRS) -> bool:
    return crs.is_projected and all((axis.unit_name or "").lower() in ("metre", "meter") for axis in crs.axis_info)


class Places:
    """Convert a document's geometries (x/y order) to metres and places back to EPSG:4326."""

    def __init__(self, crs: CRS):
        self.metric_crs = crs if _is_metric(crs) else EQUAL_AREA_CRS
        self._to_metric = None if self.metric_crs is crs else Transformer.from_crs(crs, self.metric_crs, always_xy=True)
        self._to_4326 = Transformer.from_crs(self.metric_crs, STORAGE_CRS, always_xy=True)

    def metric(self, geometry):
        """Return `geometry` (in the document's CRS) in the metric CRS."""
        if geometry is None or self._to_metric is None:
            return geometry
        transformer = self._to_metric
        return shapely.transform(geometry, lambda xy: _apply(transformer, xy))

    def place(self, geometry) -> tuple[tuple[float, float] | None, tuple[float, float, float, float] | None]:
        """Return (point inside `geometry`, bbox) in EPSG:4326 for a geometry in the metric CRS."""
        if geometry is None or geometry.is_empty:
            return None, None
        point = shapely.point_on_surface(geometry) if geometry.geom_type != "Point" else geometry
        lon, lat = self._to_4326.transform(point.x, point.y)
        west, south, east, north = geometry.bounds
        xs, ys = self._to_4326.transform([west, east, west, east], [south, south, north, north])
        return (round(lon, 7), round(lat, 7)), (
            round(min(xs), 7),
            round(min(ys), 7),
            round(max(xs), 7),
            round(max(ys), 7),
        )


def _apply(transformer, xy):
    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack((x, y))
