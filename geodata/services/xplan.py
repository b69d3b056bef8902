"""Import an XPlanGML plan: create or update the Plan and one layer per content class."""

import tempfile
from pathlib import Path

import geopandas as gpd
import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plans import rules
from plans import services as plan_services
from plans.geometry import as_multipolygon
from plans.models import Municipality, Plan

from ..errors import ImportRejected
from ..importers import files, xplan
from ..importers.geometry import clean
from ..importers.report import ImportReport
from .layers import ProgressCallback, layer_create, write_features
from .publishing import after_import


def xplan_read(*, path: Path, original_name: str | None = None) -> xplan.XPlanDocument:
    """Check and parse an XPlanGML file (.gml or a ZIP holding one) without writing anything."""
    original_name = original_name or Path(path).name
    with tempfile.TemporaryDirectory(prefix="pb-xplan-") as workdir:
        dataset = files.prepare_source(Path(path), Path(workdir), original_name=original_name)
        if dataset.is_dir() or dataset.suffix.lower() not in (".gml", ".xml"):
            raise ImportRejected(_("Es wurde keine XPlanGML-Datei (.gml) gefunden."), code="not_xplan")
        return xplan.read_xplan(dataset)


def xplan_area(document: xplan.XPlanDocument) -> MultiPolygon:
    """Return the plan's raeumlicherGeltungsbereich as a valid MultiPolygon in EPSG:4326."""
    area_clean = clean([document.area], document.crs)
    polygons = [g for g in shapely.get_parts(area_clean.geometries) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not polygons:
        raise ImportRejected(_("Der Geltungsbereich ist keine Fläche."), code="no_area")
    area = GEOSGeometry(memoryview(shapely.to_wkb(shapely.union_all(polygons))), srid=4326)
    return as_multipolygon(area)


def check_ags(document: xplan.XPlanDocument, municipality: Municipality) -> None:
    """Refuse a file whose AGS names another municipality than `municipality`."""
    if document.ags and document.ags != municipality.ags:
        raise ImportRejected(
            _("Der Gemeindeschlüssel in der Datei (%(ags)s) passt nicht zu %(name)s (%(own)s).")
            % {"ags": document.ags, "name": municipality.name, "own": municipality.ags},
            code="ags_mismatch",
        )


def _municipality_of(document: xplan.XPlanDocument) -> Municipality:
    if not document.ags:
        raise ImportRejected(
            _(
                "Die Datei enthält keinen Amtlichen Gemeindeschlüssel (gemeinde/XP_Gemeinde/ags); bitte die "
                "Kommune angeben."
            ),
            code="ags_missing",
        )
    municipality = Municipality.objects.filter(ags=document.ags).first()
    if municipality is None:
        raise ImportRejected(
            _("Keine Kommune mit dem Amtlichen Gemeindeschlüssel %(ags)s gefunden.") % {"ags": document.ags},
            code="unknown_ags",
        )
    return municipality


def xplan_import(
    *,
    path: Path,
    by,
    municipality: Municipality | None = None,
    original_name: str | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Create or update a Plan with one layer per content class from an XPlanGML file; all or nothing.

    With `municipality` given, `by` is checked before the file is read; otherwise the
    municipality is matched by the AGS in the file and checked as soon as it is known,
    before anything is written. A plan already imported (same municipality and number,
    else same title) is updated and its XPlan layers replaced.
    """
    if municipality is not None:
        rules.require(by, "manage", municipality)
    original_name = original_name or Path(path).name
    document = xplan_read(path=path, original_name=original_name)
    if municipality is None:
        municipality = _municipality_of(document)
        rules.require(by, "manage", municipality)
    check_ags(document, municipality)
    if not document.name:
        raise ImportRejected(_("Der Plan hat keinen Namen (name)."), code="no_name")

    report = ImportReport(source_crs=document.crs_label, notes=list(document.notes))
    area = xplan_area(document)
    with transaction.atomic():
        plan, created = _plan_upsert(
            municipality=municipality, document=document, area=area, by=by, original_name=original_name
        )
        plan.layers.exclude(xplan_class="").delete()
        total = sum(len(items) for items in document.features.values())
        done = 0
        for cls, items in document.features.items():
            layer_name, layer_kind = xplan.layer_for_class(cls)
            frame = gpd.GeoDataFrame(
                [dict(item.properties, gml_id=item.gml_id) for item in items],
                geometry=[item.geometry for item in items],
                crs=document.crs,
            )
            layer_report = ImportReport(found=len(items))
            layer_report.repaired += sum(1 for item in items if item.gml_id in document.repaired_ids)
            layer = layer_create(
                plan=plan,
                name=layer_name,
                kind=layer_kind,
                source_name=original_name,
                source_crs=document.crs_label,
                xplan_class=cls,
            )
            write_features(layer=layer, frame=frame, report=layer_report)
            after_import(layer=layer)
            report.add(layer_report)
            report.layers.append({"id": layer.pk, "name": layer.name, "class": cls, "created": layer_report.created})
            done += len(items)
            if progress:
                progress(done, total)
    if report.transformation:
        report.notes.append(report.transformation)
    report.plan_id, report.plan_created, report.plan_title = plan.pk, created, plan.title
    return report


def _plan_upsert(
    *, municipality: Municipality, document: xplan.XPlanDocument, area: MultiPolygon, by, original_name: str
) -> tuple[Plan, bool]:
    """Create or update the plan described by `document` through the plan services; return (plan, created).

    A changed procedure stage is recorded as a stage change dated today (the import date).
    """
    plans = Plan.objects.select_for_update().filter(municipality=municipality)
    existing = (plans.filter(number=document.number).first() if document.number else None) or plans.filter(
        title=document.name
    ).first()
    data = {"kind": xplan.plan_kind(document), "number": document.number[:50], "title": document.name[:250]}
    stage = xplan.plan_stage(document)
    try:
        if existing is None:
            plan = plan_services.plan_create(municipality=municipality, by=by, area=area, **data)
        else:
            plan = plan_services.plan_update(plan=existing, by=by, area=area, **data)
        if stage and stage != plan.stage:
            plan_services.plan_stage_record(
                plan=plan,
                by=by,
                stage=stage,
                date=timezone.localdate(),
                note=_("Aus XPlanGML übernommen (%(file)s)") % {"file": original_name[:200]},
            )
    except ValidationError as exc:
        raise ImportRejected(" ".join(exc.messages), code="invalid_plan") from exc
    return plan, existing is None
