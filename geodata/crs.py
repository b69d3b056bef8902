"""Coordinate reference systems named by users: one parser for imports and exports."""

import re

from django.utils.translation import gettext as _
from pyproj import CRS
from pyproj.exceptions import CRSError

from .errors import GeodataError, ImportRejected

EPSG_PATTERN = re.compile(r"^\s*(?:EPSG:)?(\d{4,6})\s*$", re.IGNORECASE)


def parse_crs(
    value: str | int | None, *, default: int | None = None, error: type[GeodataError] = ImportRejected
) -> CRS:
    """Return the CRS for 'EPSG:25832', '25832' or 25832 (`default` if empty); raise `error` otherwise."""
    if value in (None, "") and default is not None:
        return CRS.from_epsg(default)
    match = EPSG_PATTERN.match(str(value or ""))
    if not match:
        raise error(
            _("„%(value)s“ ist keine gültige Angabe eines Koordinatensystems. Bitte im Format EPSG:25832 angeben.")
            % {"value": value or ""},
            code="invalid_crs",
        )
    code = int(match.group(1))
    try:
        return CRS.from_epsg(code)
    except CRSError as exc:
        raise error(_("Der EPSG-Code %(code)d ist unbekannt.") % {"code": code}, code="unknown_crs") from exc


def crs_label(crs: CRS) -> str:
    """Return 'EPSG:<code>' for `crs`, or its name if it has no EPSG code."""
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.name
