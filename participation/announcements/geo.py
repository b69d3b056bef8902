"""Distances between subscribers' points and plan areas, in the municipality's metric CRS."""

from django.contrib.gis.geos import GEOSGeometry

from plans.geometry import to_metric


def distance_m(point: GEOSGeometry, area: GEOSGeometry, epsg: int) -> float:
    """Return the distance in metres between `point` and `area` (0 if the point lies inside)."""
    return to_metric(point, epsg).distance(to_metric(area, epsg))
