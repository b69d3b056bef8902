"""Take a plan's Geltungsbereich from a file: the union of a GIS file's polygons, or XPlanGML's area."""

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from plans import rules
from plans import services as plan_services
from plans.geometry import as_multipolygon, to_metric
from plans.models import Municipality, Plan

from ..errors import ImportRejected
from ..importers import files, reader, xplan
from ..importers.geometry import clean
from .xplan import check_ags, xplan_area

POLYGON_TYPES = ("Polygon", "MultiPolygon")


@dataclass
class AreaCandidate:
    """A Geltungsbereich read from a file, before it is saved."""

    area: MultiPolygon  # EPSG:4326
    area_m2: float
    polygon_count: int
    ignored_count: int
    source: str
    crs: str
    layer: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def area_ha(self) -> float:
        return self.area_m2 / 10_000


def plan_area_read(
    *,
    path: Path,
    municipality: Municipality,
    original_name: str | None = None,
    layer_name: str | None = None,
    crs: str | None = None,
) -> AreaCandidate:
    """Read the Geltungsbereich a GIS or XPlanGML file gives a plan of `municipality`; write nothing."""
    original_name = original_name or Path(path).name
    with tempfile.TemporaryDirectory(prefix="pb-area-") as workdir:
        dataset = files.prepare_source(Path(path), Path(workdir), original_name=original_name)
        if not dataset.is_dir() and dataset.suffix.lower() in (".gml", ".xml"):
            candidate = _from_xplan(dataset, municipality)
        else:
            candidate = _from_gis(dataset, layer_name=layer_name, crs=crs)
    candidate.area_m2 = to_metric(candidate.area, municipality.crs_epsg).area
    return candidate


def _from_xplan(dataset: Path, municipality: Municipality) -> AreaCandidate:
    document = xplan.read_xplan(dataset)
    check_ags(document, municipality)
    return AreaCandidate(
        area=xplan_area(document),
        area_m2=0.0,
        polygon_count=1,
        ignored_count=0,
        source=f"XPlanGML {document.version} ({document.plan_class})",
        crs=document.crs_label,
        notes=list(document.notes),
    )


def _from_gis(dataset: Path, *, layer_name: str | None, crs: str | None) -> AreaCandidate:
    info = reader.inspect(dataset, layer_name=layer_name, crs=crs)
    frame = reader.read(info)
    result = clean(frame.geometry.values, info.crs)
    polygons, polygon_count = [], 0
    for geometry in result.geometries:
        parts = [part for part in shapely.get_parts(geometry) if part.geom_type in POLYGON_TYPES]
        if parts:
            polygon_count += 1
            polygons.extend(parts)
    if not polygons:
        raise ImportRejected(
            _("Die Datei enthält keine Flächen (Polygone). Ein Geltungsbereich muss eine Fläche sein."),
            code="no_area",
        )
    notes = []
    ignored = len(frame) - polygon_count
    if ignored:
        notes.append(
            _("%(count)d Objekte ohne Fläche (Punkte, Linien oder leere Geometrien) wurden nicht berücksichtigt.")
            % {"count": ignored}
        )
    if result.repaired:
        notes.append(_("%(count)d ungültige Geometrien wurden repariert.") % {"count": result.repaired})
    union = shapely.union_all(polygons)
    area = GEOSGeometry(memoryview(shapely.to_wkb(union)), srid=4326)
    return AreaCandidate(
        area=as_multipolygon(area),
        area_m2=0.0,
        polygon_count=polygon_count,
        ignored_count=ignored,
        source=info.driver,
        crs=info.crs_label,
        layer=info.layer,
        notes=notes,
    )


def plan_area_preview(
    *,
    plan: Plan,
    by,
    path: Path,
    original_name: str | None = None,
    layer_name: str | None = None,
    crs: str | None = None,
) -> AreaCandidate:
    """Read the Geltungsbereich a file gives `plan` and check it against the plan's rules; write nothing."""
    rules.require(by, "manage", plan.municipality)
    candidate = plan_area_read(
        path=path, municipality=plan.municipality, original_name=original_name, layer_name=layer_name, crs=crs
    )
    _plan_area_check(plan, candidate.area)
    return candidate


def plan_area_from_file(
    *,
    plan: Plan,
    by,
    path: Path,
    original_name: str | None = None,
    layer_name: str | None = None,
    crs: str | None = None,
) -> AreaCandidate:
    """Make the union of a file's polygons (XPlanGML: its Geltungsbereich) the Geltungsbereich of `plan`."""
    candidate = plan_area_preview(
        plan=plan, by=by, path=path, original_name=original_name, layer_name=layer_name, crs=crs
    )
    plan_services.plan_update(plan=plan, by=by, area=candidate.area)
    return candidate


def _plan_area_check(plan: Plan, area: MultiPolygon) -> None:
    """Raise ImportRejected unless `plan` with `area` as its Geltungsbereich passes the model's validation."""
    old = plan.area
    plan.area = area
    try:
        plan.full_clean()
    except ValidationError as exc:
        raise ImportRejected(" ".join(exc.messages), code="invalid_plan_area") from exc
    finally:
        plan.area = old
