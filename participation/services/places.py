"""Where a statement may point: inside the plan's Geltungsbereich, at the plan's own features, replying to a
visible statement of the same consultation. Shared by the online form, paper statements and the services."""

from django.conf import settings
from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from geodata.changes.selectors import feature_is_changed, geometry_in_changed_area

from ..models import Statement

# Per-process caches: building a coordinate transformation costs milliseconds, using one microseconds.
_area_cache: dict = {}
_transform_cache: dict = {}


def _to_crs(epsg: int) -> CoordTransform:
    if epsg not in _transform_cache:
        _transform_cache[epsg] = CoordTransform(SpatialReference(4326), SpatialReference(epsg))
    return _transform_cache[epsg]


def _plan_area_in_crs(plan):
    """Return the plan's Geltungsbereich in its municipality's metric CRS, buffered by the tolerance, prepared."""
    epsg = plan.municipality.crs_epsg
    key = (plan.updated_at, epsg, settings.PARTICIPATION_AREA_TOLERANCE_M)
    cached = _area_cache.get(plan.pk)
    if cached and cached[0] == key:
        return cached[1], epsg
    area = plan.area.transform(_to_crs(epsg), clone=True)
    prepared = area.buffer(settings.PARTICIPATION_AREA_TOLERANCE_M).prepared
    _area_cache[plan.pk] = (key, prepared)
    return prepared, epsg


def geometry_in_plan_area(plan, geometry: GEOSGeometry) -> bool:
    """Return whether `geometry` (SRID 4326) lies inside the plan's Geltungsbereich (with a few metres' tolerance)."""
    prepared, epsg = _plan_area_in_crs(plan)
    if not isinstance(geometry, Point):
        return prepared.covers(geometry.transform(_to_crs(epsg), clone=True))
    # The form and then the service check the same point: the second check reuses the answer
    # (kept on the point, keyed by the plan version and the coordinates, so a moved point is checked anew).
    key = (plan.pk, plan.updated_at, epsg, settings.PARTICIPATION_AREA_TOLERANCE_M, geometry.srid, geometry.coords)
    known = getattr(geometry, "_pb_in_plan_area", None)
    if known is not None and known[0] == key:
        return known[1]
    inside = prepared.covers(geometry.transform(_to_crs(epsg), clone=True))
    geometry._pb_in_plan_area = (key, inside)  # type: ignore[attr-defined]
    return inside


def parse_location(lat, lon) -> Point | None:
    """Return a Point from latitude/longitude strings, None if both are empty; raise ValidationError otherwise."""
    lat, lon = (str(lat or "").strip(), str(lon or "").strip())
    if not lat and not lon:
        return None
    try:
        lat_f, lon_f = float(lat.replace(",", ".")), float(lon.replace(",", "."))
    except ValueError:
        raise ValidationError(_("Die Koordinaten des Ortes sind keine Zahlen."), code="invalid_coordinates") from None
    if not (-90 <= lat_f <= 90 and -180 <= lon_f <= 180) or lat_f != lat_f or lon_f != lon_f:
        raise ValidationError(
            _("Die Koordinaten des Ortes liegen außerhalb des gültigen Bereichs."), code="coordinates_out_of_range"
        )
    return Point(lon_f, lat_f, srid=4326)


def check_statement_place(consultation, *, location=None, drawn_area=None, drawn_line=None, feature=None) -> None:
    """Raise ValidationError unless the one place (point, area or line) and the feature belong to the plan."""
    plan = consultation.plan
    if sum(geometry is not None for geometry in (location, drawn_area, drawn_line)) > 1:
        raise ValidationError(
            {
                "location": ValidationError(
                    _("Bitte geben Sie nur einen Ort an: einen Punkt, eine Linie oder eine Fläche."),
                    code="several_geometries",
                )
            }
        )
    errors = {}
    if location is not None and not geometry_in_plan_area(plan, location):
        errors["location"] = ValidationError(
            _("Der markierte Ort liegt außerhalb des Geltungsbereichs des Plans."), code="outside_plan_area"
        )
    if drawn_area is not None and not geometry_in_plan_area(plan, drawn_area):
        errors["location"] = ValidationError(
            _("Die gezeichnete Fläche liegt außerhalb des Geltungsbereichs des Plans."), code="outside_plan_area"
        )
    if drawn_line is not None and not geometry_in_plan_area(plan, drawn_line):
        errors["location"] = ValidationError(
            _("Die gezeichnete Linie liegt außerhalb des Geltungsbereichs des Plans."), code="outside_plan_area"
        )
    if feature is not None and feature.layer.plan_id != plan.pk:
        errors["feature"] = ValidationError(
            _("Der gewählte Planinhalt gehört nicht zu diesem Plan."), code="foreign_feature"
        )
    elif feature is not None and not feature.layer.current:
        errors["feature"] = ValidationError(
            _("Der gewählte Planinhalt gehört zu einer früheren Fassung des Plans; bitte wählen Sie ihn neu."),
            code="outdated_feature",
        )
    if errors:
        raise ValidationError(errors)
    check_within_changes(consultation, place=location or drawn_area or drawn_line, feature=feature)


def check_within_changes(consultation, *, place=None, feature=None) -> None:
    """Raise ValidationError if a round limited to the changes (§ 4a Abs. 3) gets a place or element outside them."""
    if not (consultation.limited_to_changes and consultation.comparison_id):
        return
    comparison = consultation.comparison
    errors = {}
    if place is not None and not geometry_in_changed_area(comparison, place):
        errors["location"] = ValidationError(
            _(
                "Diese Beteiligung ist auf die Änderungen beschränkt (§ 4a Abs. 3 Satz 2 BauGB): Stellungnahmen "
                "sind nur zu den geänderten Teilen des Plans möglich. Der markierte Ort liegt außerhalb der "
                "Änderungen; die geänderten Teile sind in der Karte und in der Liste der Änderungen zu sehen."
            ),
            code="outside_changes",
        )
    if feature is not None and not feature_is_changed(comparison, feature):
        errors["feature"] = ValidationError(
            _(
                "Diese Beteiligung ist auf die Änderungen beschränkt (§ 4a Abs. 3 Satz 2 BauGB): Der gewählte "
                "Planinhalt wurde nicht geändert. Bitte wählen Sie einen geänderten Planinhalt."
            ),
            code="feature_not_changed",
        )
    if errors:
        raise ValidationError(errors)


def check_reply_parent(consultation, parent: Statement | None) -> None:
    """Raise ValidationError unless `parent` is a visible statement of `consultation` that may get replies."""
    if parent is None:
        return
    if parent.consultation_id != consultation.pk:
        raise ValidationError(
            _("Die Antwort bezieht sich auf einen Beitrag einer anderen Beteiligung."), code="reply_other_consultation"
        )
    if parent.level >= settings.COMMENTS_XTD_MAX_THREAD_LEVEL:
        raise ValidationError(
            _("Auf diesen Beitrag kann nicht weiter geantwortet werden (maximale Tiefe erreicht)."),
            code="reply_too_deep",
        )
    if parent.is_removed or not parent.is_public or parent.confirmed_at is None:
        raise ValidationError(_("Auf diesen Beitrag kann nicht geantwortet werden."), code="reply_not_allowed")


def check_statement_section(consultation, section) -> None:
    """Raise a ValidationError unless `section` (or None) belongs to a current document of the consultation's plan."""
    if section is None:
        return
    document = section.document
    if document.plan_id != consultation.plan_id or not document.is_current:
        raise ValidationError(
            {
                "section": ValidationError(
                    _("Bitte wählen Sie einen Abschnitt aus den aktuellen Dokumenten dieses Plans."),
                    code="foreign_section",
                )
            }
        )
