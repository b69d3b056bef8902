"""Small geometry helpers shared by the apps (GEOS, metric CRS)."""

from typing import cast

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon


def to_metric(geometry: GEOSGeometry, epsg: int) -> GEOSGeometry:
    """Return a copy of `geometry` transformed to the metric CRS `epsg`."""
    return geometry.transform(epsg, clone=True)


def outside_area_m2(area: GEOSGeometry, boundary: GEOSGeometry, epsg: int) -> float:
    """Return how many square metres of `area` lie outside `boundary`."""
    return to_metric(area, epsg).difference(to_metric(boundary, epsg)).area


def as_multipolygon(geometry: GEOSGeometry) -> MultiPolygon:
    """Return `geometry` as a MultiPolygon (a Polygon is wrapped)."""
    if isinstance(geometry, Polygon):
        return MultiPolygon(geometry, srid=geometry.srid)
    return cast(MultiPolygon, geometry)
