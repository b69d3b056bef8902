"""Vectorised geometry clean-up with shapely 2: 2D, no empties, valid, EPSG:4326.

Coordinates are transformed once, directly from the source CRS to EPSG:4326, with the best
operation PROJ knows (BETA2007 for DHDN, see geodata/transform.py); nothing is rounded.
"""

from dataclasses import dataclass, field

import numpy as np
import shapely
from django.utils.translation import gettext as _
from pyproj import CRS

from ..transform import Transformation, transformation
from .errors import ImportRejected

STORAGE_CRS = CRS.from_epsg(4326)


@dataclass
class CleanResult:
    geometries: np.ndarray  # shapely geometries in EPSG:4326
    keep: np.ndarray  # boolean mask over the input rows
    repaired: int = 0
    empty: int = 0
    unrepairable: int = 0
    notes: list[str] = field(default_factory=list)
    transformation: Transformation | None = None  # None: the source is already EPSG:4326


def clean(geometries, crs: CRS, *, labels=None) -> CleanResult:
    """Force 2D, drop empty/missing, repair invalid (make_valid) and reproject to EPSG:4326.

    The reprojection is one direct operation from `crs` (see geodata/transform.py); it is
    refused if the best operation needs a grid the server lacks.

    Coordinates that are not finite, or outside the valid range of a geographic CRS,
    refuse the whole import (they indicate a broken file, not a fixable geometry).
    """
    geoms = np.asarray(geometries, dtype=object)
    missing = np.array([g is None for g in geoms], dtype=bool)
    geoms = np.where(missing, None, geoms)  # type: ignore[call-overload]  # numpy stubs reject None as a scalar
    geoms = shapely.force_2d(geoms)
    empty = missing | shapely.is_empty(geoms)
    keep = ~empty
    work = geoms[keep]

    coords = shapely.get_coordinates(work)
    if coords.size and not np.isfinite(coords).all():
        raise ImportRejected(
            _("Die Datei enthält ungültige Koordinaten (keine endlichen Zahlen)."), code="invalid_coordinates"
        )
    if crs.is_geographic:
        _check_range(work, labels[keep] if labels is not None else None)

    invalid = ~shapely.is_valid(work)
    repaired = int(invalid.sum())
    unrepairable = 0
    if repaired:
        fixed = shapely.make_valid(work[invalid])
        work[invalid] = fixed
        broken = shapely.is_empty(fixed) | ~shapely.is_valid(fixed)
        if broken.any():
            unrepairable = int(broken.sum())
            repaired -= unrepairable
            index = np.flatnonzero(keep)[np.flatnonzero(invalid)[broken]]
            keep[index] = False
            work = _drop(work, invalid, broken)

    operation = None
    if not crs.equals(STORAGE_CRS):
        bounds = tuple(float(v) for v in shapely.total_bounds(work)) if len(work) else None
        operation = transformation(crs, STORAGE_CRS, bounds=bounds)
        work = operation.transform(work)
        out = shapely.get_coordinates(work)
        if out.size and not np.isfinite(out).all():
            raise ImportRejected(
                _("Die Koordinaten passen nicht zum Koordinatensystem %(crs)s; sie lassen sich nicht umrechnen.")
                % {"crs": crs.to_string()},
                code="invalid_coordinates",
            )
        _check_range(work, None, after_transform=crs.to_string())
        # Reprojection can make a thin polygon touch itself; repair quietly.
        still_invalid = ~shapely.is_valid(work)
        if still_invalid.any():
            work[still_invalid] = shapely.make_valid(work[still_invalid])
    return CleanResult(
        geometries=work,
        keep=keep,
        repaired=repaired,
        empty=int(empty.sum()),
        unrepairable=unrepairable,
        transformation=operation,
    )


def _drop(work, invalid, broken):
    positions = np.flatnonzero(invalid)[broken]
    mask = np.ones(len(work), dtype=bool)
    mask[positions] = False
    return work[mask]


def _check_range(geoms, labels, after_transform: str | None = None) -> None:
    bounds = shapely.bounds(geoms)
    if not len(bounds):
        return
    bad = (bounds[:, 0] < -180) | (bounds[:, 2] > 180) | (bounds[:, 1] < -90) | (bounds[:, 3] > 90)
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        if after_transform:
            raise ImportRejected(
                _(
                    "Die Koordinaten liegen außerhalb des gültigen Bereichs von %(crs)s. Ist das "
                    "Koordinatensystem richtig angegeben?"
                )
                % {"crs": after_transform},
                code="coordinates_out_of_range",
            )
        label = labels[position] if labels is not None else position + 1
        raise ImportRejected(
            _(
                "Objekt %(label)s hat Koordinaten außerhalb des gültigen Bereichs (Länge −180…180, Breite −90…90): "
                "%(bounds)s."
            )
            % {"label": label, "bounds": ", ".join(f"{v:g}" for v in bounds[position])},
            code="coordinates_out_of_range",
        )
