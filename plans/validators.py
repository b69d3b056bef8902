"""Validators for municipality and plan data."""

from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator, RegexValidator, validate_email
from django.utils.translation import gettext_lazy as _

from .geometry import as_multipolygon, outside_area_m2

ags_validator = RegexValidator(
    regex=r"^\d{8}$",
    message=_("Der Amtliche Gemeindeschlüssel (AGS) besteht aus genau 8 Ziffern, z. B. 06434011."),
    code="invalid_ags",
)

# First URL segments used by the site itself; a municipality slug must not shadow them.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "i18n",
        "static",
        "media",
        "tiles",
        "verwaltung",
        "rechtliches",
        "feeds",
        "abo",
        "beteiligung",
        "kommentare",
        "comments",
        "konto",
        "login",
        "logout",
    }
)


def validate_municipality_slug(value):
    """Refuse slugs that would collide with the site's own URL prefixes."""
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("„%(slug)s“ ist für die Website reserviert. Bitte wählen Sie einen anderen Kurznamen."),
            params={"slug": value},
            code="reserved_slug",
        )


def validate_geometry(geometry):
    """Raise a ValidationError if `geometry` is empty or not valid (e.g. self-intersecting)."""
    if geometry is None:
        return
    if geometry.empty:
        raise ValidationError(_("Die Geometrie ist leer."), code="empty_geometry")
    if not geometry.valid:
        raise ValidationError(
            _("Die Geometrie ist ungültig (%(reason)s). Bitte prüfen Sie z. B. sich selbst schneidende Kanten."),
            params={"reason": geometry.valid_reason},
            code="invalid_geometry",
        )


def validate_pdf(upload):
    """Accept only PDF files up to MAX_DOCUMENT_SIZE_MB."""
    limit_mb = settings.MAX_DOCUMENT_SIZE_MB
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            _("Die Datei ist zu groß (%(size).1f MB). Erlaubt sind höchstens %(limit)d MB."),
            params={"size": upload.size / 1024 / 1024, "limit": limit_mb},
            code="file_too_large",
        )
    name = (getattr(upload, "name", "") or "").lower()
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(5)
    upload.seek(position)
    if not name.endswith(".pdf") or head != b"%PDF-":
        raise ValidationError(
            _("Nur PDF-Dokumente können hochgeladen werden. Diese Datei ist kein gültiges PDF."),
            code="not_a_pdf",
        )


def validate_area_in_boundary(area, municipality):
    """Refuse a Geltungsbereich that reaches more than 1 m² outside the municipality's boundary."""
    boundary = municipality.boundary
    if area is None or boundary is None:
        return
    outside = outside_area_m2(area, boundary, municipality.crs_epsg)
    if outside > 1.0:
        raise ValidationError(
            _(
                "Der Geltungsbereich liegt teilweise außerhalb der Gemeindegrenze von %(name)s "
                "(%(outside).0f m² außerhalb)."
            ),
            code="area_outside_boundary",
            params={"name": municipality.name, "outside": outside},
        )


def parse_plan_area(area, municipality) -> MultiPolygon:
    """Return `area` (geometry, GeoJSON, WKT or EWKT) as a valid MultiPolygon in EPSG:4326 inside `municipality`."""
    if area is None or (isinstance(area, str) and not area.strip()):
        raise ValidationError(_("Bitte geben Sie den Geltungsbereich an."), code="required")
    try:
        geometry = area.clone() if isinstance(area, GEOSGeometry) else GEOSGeometry(area)
    except (ValueError, TypeError) as exc:
        message = _("Der Geltungsbereich ist weder gültiges GeoJSON noch WKT.")
        raise ValidationError(message, code="area_unreadable") from exc
    if not isinstance(geometry, Polygon | MultiPolygon):
        raise ValidationError(
            _("Der Geltungsbereich muss eine Fläche sein (Polygon oder MultiPolygon), nicht %(type)s."),
            code="area_not_polygon",
            params={"type": geometry.geom_type},
        )
    if not geometry.srid:
        geometry.srid = 4326  # WKT without SRID: WGS 84, longitude first, as GeoJSON
    if geometry.srid != 4326:
        geometry.transform(4326)
    geometry = as_multipolygon(geometry)
    validate_geometry(geometry)
    validate_area_in_boundary(geometry, municipality)
    return geometry


_domain_validator = DomainNameValidator(
    message=_("Bitte nur den Hostnamen angeben, z. B. plaene.usingen.de (ohne https:// und ohne Pfad)."),
    code="invalid_domain",
)


def validate_municipality_domain(value: str) -> None:
    """Accept a host name with at least one dot that is not the installation's own host."""
    _domain_validator(value)
    if "." not in value.strip("."):
        raise ValidationError(_domain_validator.message, code="invalid_domain")
    if value.lower() == (urlsplit(settings.SITE_URL).hostname or ""):
        raise ValidationError(
            _("%(domain)s ist die Adresse der ganzen Installation, nicht einer einzelnen Kommune."),
            params={"domain": value},
            code="site_domain",
        )


def validate_email_sender(value: str) -> None:
    """Accept one sender address, optionally with a display name: "Stadt Usingen <beteiligung@usingen.de>"."""
    _name, address = parseaddr(value)
    invalid = ValidationError(
        _("Bitte eine E-Mail-Adresse angeben, gern mit Namen: Stadt Usingen <beteiligung@usingen.de>."),
        code="invalid_sender",
    )
    # One address only (also where parseaddr is lenient), and no header injection.
    if not address or value.count("@") != 1 or "\n" in value or "\r" in value:
        raise invalid
    try:
        validate_email(address)
    except ValidationError as exc:
        raise invalid from exc
