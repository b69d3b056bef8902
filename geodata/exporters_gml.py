"""GML 3.2 geometry elements for exports (XPlanGML): polygons with counter-clockwise exteriors, lines, points.

A geometry GML cannot hold as one (a GeometryCollection) or an empty one raises ExportError.
"""

import pyproj
import shapely
from django.utils.translation import gettext as _
from lxml import etree

from .crs import crs_label
from .errors import ExportError
from .importers.geometry import STORAGE_CRS
from .transform import transformation

GML = "http://www.opengis.net/gml/3.2"


def _q(name: str, ns: str = GML) -> str:
    return f"{{{ns}}}{name}"


class GeometryWriter:
    """Write shapely geometries (in EPSG:4326) as GML 3.2 elements in a target CRS, with gml:ids."""

    def __init__(self, crs: pyproj.CRS, bounds):
        self.crs = crs
        self.srs = crs_label(crs)
        self.digits = 3 if crs.is_projected else 9
        self.transformer = None
        if not crs.equals(STORAGE_CRS):
            self.transformer = transformation(STORAGE_CRS, crs, bounds=bounds, error=ExportError)

    def project(self, geometries):
        """Return `geometries` (EPSG:4326) in the target CRS."""
        return self.transformer.transform(geometries) if self.transformer is not None else geometries

    def pos(self, coords) -> str:
        """Return coordinates as a gml:posList text, rounded (mm for metric CRSs)."""
        return " ".join(
            f"{round(v, self.digits):.{self.digits}f}".rstrip("0").rstrip(".") for xy in coords for v in xy[:2]
        )

    def geometry(self, geom, gml_id: str, owner: str) -> etree._Element:
        """Return the GML 3.2 element of a (Multi)Polygon, (Multi)LineString or (Multi)Point."""
        kind = geom.geom_type
        if geom.is_empty:
            raise ExportError(
                _("Objekt %(owner)s hat keine Geometrie und kann nicht als XPlanGML geschrieben werden.")
                % {"owner": owner},
                code="empty_geometry",
            )
        if kind == "Polygon":
            return self._polygon(geom, gml_id)
        if kind == "MultiPolygon":
            el = self._el("MultiSurface", gml_id)
            for n, part in enumerate(geom.geoms):
                etree.SubElement(el, _q("surfaceMember")).append(self._polygon(part, f"{gml_id}_{n}"))
            return el
        if kind == "LineString":
            return self._line(geom, gml_id)
        if kind == "MultiLineString":
            el = self._el("MultiCurve", gml_id)
            for n, part in enumerate(geom.geoms):
                etree.SubElement(el, _q("curveMember")).append(self._line(part, f"{gml_id}_{n}"))
            return el
        if kind == "Point":
            el = self._el("Point", gml_id)
            etree.SubElement(el, _q("pos")).text = self.pos(geom.coords)
            return el
        if kind == "MultiPoint":
            el = self._el("MultiPoint", gml_id)
            for n, part in enumerate(geom.geoms):
                point = self._el("Point", f"{gml_id}_{n}", srs=False)
                etree.SubElement(point, _q("pos")).text = self.pos(part.coords)
                etree.SubElement(el, _q("pointMember")).append(point)
            return el
        raise ExportError(
            _(
                "Objekt %(owner)s hat eine Geometrie der Art %(kind)s, die XPlanGML nicht als eine Geometrie "
                "kennt; bitte das Objekt bereinigen (z. B. in Flächen und Linien teilen)."
            )
            % {"owner": owner, "kind": kind},
            code="unsupported_geometry",
        )

    def _el(self, kind: str, gml_id: str, *, srs: bool = True) -> etree._Element:
        attrs = {_q("id"): gml_id}
        if srs:
            attrs["srsName"] = self.srs
        return etree.Element(_q(kind), attrs)

    def _polygon(self, polygon, gml_id: str) -> etree._Element:
        polygon = shapely.geometry.polygon.orient(polygon, sign=1.0)  # exterior counter-clockwise
        el = self._el("Polygon", gml_id)
        for n, ring in enumerate([polygon.exterior, *polygon.interiors]):
            boundary = etree.SubElement(el, _q("exterior" if n == 0 else "interior"))
            linear = etree.SubElement(boundary, _q("LinearRing"))
            etree.SubElement(linear, _q("posList")).text = self.pos(ring.coords)
        return el

    def _line(self, line, gml_id: str) -> etree._Element:
        el = self._el("LineString", gml_id)
        etree.SubElement(el, _q("posList")).text = self.pos(line.coords)
        return el
