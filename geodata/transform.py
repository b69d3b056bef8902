"""Transform coordinates once, directly from the source CRS, with the best operation PROJ knows.

DHDN data (Gauß-Krüger EPSG:31466/31467/31468/31469, Soldner Berlin, geographic EPSG:4314)
goes through the AdV grid BETA2007 (NTv2, Debian package ``proj-data``). pyproj's wheel ships
PROJ's database but no grids, so the system's PROJ data directory is added to pyproj's search
path at start-up (``GeodataConfig.ready``). A transformation whose best operation needs a grid
the server lacks is refused instead of silently done metres off. Background: docs/import.md
("Koordinaten und Transformation") and docs/adr/0012-direct-transformation-beta2007.md.
"""

import math
import os
import re
import warnings
from dataclasses import dataclass

import numpy as np
import pyproj.datadir
import shapely
from django.conf import settings
from django.utils.translation import gettext as _
from pyproj import CRS, Transformer
from pyproj.exceptions import ProjError
from pyproj.transformer import AreaOfInterest, TransformerGroup

from .crs import crs_label
from .errors import GeodataError, ImportRejected

# Debian's proj-data installs BETA2007.gsb here; override with settings.PROJ_GRID_DIRS.
SYSTEM_PROJ_DIRS = ("/usr/share/proj", "/usr/local/share/proj")
DHDN_GRID = "BETA2007"
_GRIDS = re.compile(r"\bgrids=([^\s]+)")


def use_system_grids(dirs: tuple[str, ...] | list[str] | None = None) -> list[str]:
    """Append the system's PROJ data directories (transformation grids) to pyproj's search path.

    Appended, not set: pyproj's own directory stays first, so PROJ keeps reading the
    ``proj.db`` of the PROJ version it was built with and only looks up grids here.
    Return the directories added.
    """
    if dirs is None:
        dirs = getattr(settings, "PROJ_GRID_DIRS", SYSTEM_PROJ_DIRS)
    current = pyproj.datadir.get_data_dir().split(os.pathsep)
    added = []
    for directory in dirs:
        if os.path.isdir(directory) and directory not in current:
            pyproj.datadir.append_data_dir(directory)
            current.append(directory)
            added.append(directory)
    return added


@dataclass(frozen=True)
class Transformation:
    """The one coordinate operation an import or export uses, and what it is."""

    transformer: Transformer
    source: str
    target: str
    description: str
    grids: tuple[str, ...]
    accuracy_m: float | None  # EPSG's stated accuracy; None if unknown

    def label(self) -> str:
        """Return a short German description for reports ('… (Gitter BETA2007)')."""
        text = self.description
        if self.grids:
            text += " " + _("(Gitter %(grids)s)") % {"grids": ", ".join(self.grids)}
        return text

    def sentence(self) -> str:
        """Return the German report line saying how the coordinates were transformed."""
        return _("Koordinaten direkt von %(source)s nach %(target)s umgerechnet: %(operation)s.") % {
            "source": self.source,
            "target": self.target,
            "operation": self.label(),
        }

    def transform(self, geometries):
        """Return `geometries` (shapely, array-like) transformed; failed points become inf."""

        def apply(xy):
            x, y = self.transformer.transform(xy[:, 0], xy[:, 1], errcheck=False)
            return np.column_stack((x, y))

        return shapely.transform(geometries, apply)


def transformation(
    source: CRS,
    target: CRS,
    *,
    bounds: tuple[float, ...] | None = None,
    error: type[GeodataError] = ImportRejected,
) -> Transformation:
    """Return the best coordinate operation from `source` to `target` for data within `bounds`.

    `bounds` (in `source`, x/y order) narrow the choice to operations valid where the data
    lies. Raise `error` if PROJ knows a better operation than the ones usable here (a grid
    such as BETA2007 is missing) or knows none at all.
    """
    area = _area_of_interest(source, bounds)
    try:
        with warnings.catch_warnings():
            # pyproj warns when the best operation is unavailable; that case is refused below.
            warnings.simplefilter("ignore", UserWarning)
            group = TransformerGroup(source, target, always_xy=True, area_of_interest=area)
    except ProjError as exc:
        raise _unavailable(source, target, error) from exc
    if not group.transformers:
        raise _unavailable(source, target, error)
    if not group.best_available:
        missing = sorted(
            {
                _grid_label(grid.short_name or grid.full_name)
                for operation in group.unavailable_operations
                for grid in operation.grids
                if not grid.available
            }
        )
        raise error(
            _(
                "Für die genaue Umrechnung von %(source)s nach %(target)s fehlt auf dem Server das "
                "Transformationsgitter %(grids)s (Debian-Paket proj-data). Ohne dieses Gitter lägen die "
                "Koordinaten bis zu mehrere Meter daneben; deshalb wird nicht umgerechnet. Bitte wenden Sie "
                "sich an den Betrieb der Plattform."
            )
            % {"source": crs_label(source), "target": crs_label(target), "grids": ", ".join(missing) or "?"},
            code="transformation_grid_missing",
        )
    transformer = group.transformers[0]
    accuracy = transformer.accuracy
    return Transformation(
        transformer=transformer,
        source=crs_label(source),
        target=crs_label(target),
        description=transformer.description,
        grids=tuple(_grid_names(transformer.definition)),
        accuracy_m=accuracy if accuracy is not None and accuracy >= 0 else None,
    )


def _unavailable(source: CRS, target: CRS, error: type[GeodataError]) -> GeodataError:
    return error(
        _("Von %(source)s nach %(target)s ist keine Koordinatenumrechnung bekannt.")
        % {"source": crs_label(source), "target": crs_label(target)},
        code="transformation_unknown",
    )


def _grid_names(definition: str) -> list[str]:
    """Return the grids a PROJ pipeline uses, named as the AdV names them ('BETA2007')."""
    names = [_grid_label(grid) for match in _GRIDS.finditer(definition) for grid in match.group(1).split(",")]
    return list(dict.fromkeys(names))


def _grid_label(grid: str) -> str:
    """Return '@de_adv_BETA2007.tif' or '/usr/share/proj/BETA2007.gsb' as 'BETA2007'."""
    stem = grid.lstrip("@").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return stem.removeprefix("de_adv_")


def _area_of_interest(source: CRS, bounds) -> AreaOfInterest | None:
    """Return the lon/lat box of `bounds` (in `source`), or None if it cannot be told."""
    if bounds is None or not all(math.isfinite(v) for v in bounds):
        return None
    try:
        if source.is_geographic:
            west, south, east, north = bounds
        else:
            geodetic = source.geodetic_crs
            if geodetic is None:
                return None
            # A pure inverse projection (same datum): exact, needs no grid.
            to_geodetic = Transformer.from_crs(source, geodetic, always_xy=True)
            left, bottom, right, top = bounds
            west, south, east, north = to_geodetic.transform_bounds(left, bottom, right, top, errcheck=True)
    except ProjError:
        return None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        return None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        return None
    return AreaOfInterest(west, south, east, north)


def check_dhdn_grid(app_configs=None, **kwargs):
    """System check: warn if DHDN data would be transformed without the BETA2007 grid."""
    from django.core.checks import Warning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        group = TransformerGroup(CRS.from_epsg(31467), CRS.from_epsg(4326), always_xy=True)
    if group.best_available:
        return []
    return [
        Warning(
            "PROJ cannot find the BETA2007 grid: imports of DHDN/Gauss-Krueger data (EPSG:31466/31467/31468) "
            "will be refused.",
            hint="Install the Debian package proj-data (/usr/share/proj/BETA2007.gsb) or list the directory "
            "holding BETA2007.gsb in settings.PROJ_GRID_DIRS.",
            id="geodata.W001",
        )
    ]
