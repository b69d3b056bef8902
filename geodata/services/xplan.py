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
from ..models import Layer
from .layers import ProgressCallback, layer_create, update_features, write_features
from .publishing import after_import
from .xplan_extras import xplan_attachments_read, xplan_attachments_save


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
    """Refuse a file whose AGS names another municipality than `municipality` (a malformed AGS is not compared)."""
    if document.ags and xplan.ags_is_valid(document.ags) and document.ags != municipality.ags:
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
    if not xplan.ags_is_valid(document.ags):
        raise ImportRejected(
            _(
                "Der Amtliche Gemeindeschlüssel in der Datei (%(ags)s) ist ungültig: erwartet werden 8 Ziffern. "
                "Bitte wählen Sie die Kommune ausdrücklich."
            )
            % {"ags": document.ags},
            code="ags_malformed",
        )
    municipality = Municipality.objects.filter(ags=document.ags).first()
    if municipality is None:
        raise ImportRejected(
            _("Keine Kommune mit dem Amtlichen Gemeindeschlüssel %(ags)s gefunden.") % {"ags": document.ags},
            code="unknown_ags",
        )
    return municipality


BP_KINDS = (Plan.Kind.BPLAN, Plan.Kind.VBPLAN, Plan.Kind.STATUTE)
FP_KINDS = (Plan.Kind.FNP, Plan.Kind.FNP_CHANGE)


def xplan_match(*, document: xplan.XPlanDocument, municipality: Municipality) -> Plan | None:
    """Return the plan of `municipality` that `document` describes, or None if it is a new plan.

    A plan matches when its kind belongs to the same plan class (BP_Plan: B-Plan, vorhabenbezogener
    B-Plan, Satzung; FP_Plan: FNP and its changes) and number and name are the same (ignoring case
    and surrounding spaces). Several matches are refused: the plan must then be chosen explicitly.
    """
    kinds = FP_KINDS if document.plan_class == "FP_Plan" else BP_KINDS
    matches = list(
        Plan.objects.filter(
            municipality=municipality,
            kind__in=kinds,
            number__iexact=document.number[:50].strip(),
            title__iexact=document.name[:250].strip(),
        ).order_by("pk")
    )
    if len(matches) > 1:
        raise ImportRejected(
            _(
                "Mehrere Pläne passen zu dieser Datei (%(plans)s). Bitte wählen Sie den Plan, der aktualisiert "
                "werden soll, ausdrücklich."
            )
            % {"plans": ", ".join(f"„{plan.title}“ ({plan.slug})" for plan in matches)},
            code="ambiguous_plan",
        )
    return matches[0] if matches else None


def xplan_import(
    *,
    path: Path,
    by,
    municipality: Municipality | None = None,
    plan: Plan | None = None,
    original_name: str | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Create or update a Plan with one layer per content class from an XPlanGML file; all or nothing.

    With `municipality` (or `plan`) given, `by` is checked before the file is read; otherwise the
    municipality is matched by the AGS in the file and checked as soon as it is known, before
    anything is written. The plan updated is `plan` if given, else the one `xplan_match` finds;
    without a match a new plan is created. On an update the XPlan layers are kept and their
    features updated in place, matched by `gml:id` (statements keep pointing at them); features
    no longer in the file are deleted, and so are layers of classes no longer in the file.
    """
    if plan is not None:
        if municipality is not None and plan.municipality_id != municipality.pk:
            raise ImportRejected(
                _("Der gewählte Plan gehört nicht zur gewählten Kommune."), code="plan_municipality_mismatch"
            )
        municipality = plan.municipality
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
    if document.ags and not xplan.ags_is_valid(document.ags):
        report.notes.append(
            _("Der Amtliche Gemeindeschlüssel in der Datei (%(ags)s) ist ungültig und wurde nicht geprüft.")
            % {"ags": document.ags}
        )
    area = xplan_area(document)
    attachments = xplan_attachments_read(path=path, original_name=original_name, crs=document.crs)
    with transaction.atomic():
        target = plan if plan is not None else xplan_match(document=document, municipality=municipality)
        plan, created = _plan_upsert(
            municipality=municipality,
            document=document,
            existing=target,
            area=area,
            by=by,
            original_name=original_name,
            report=report,
        )
        layers: dict[str, Layer] = {}
        for layer in plan.layers.exclude(xplan_class="").order_by("order", "pk"):
            if layer.xplan_class in layers or layer.xplan_class not in document.features:
                layer.delete()  # a class no longer in the file (or a duplicate from an older import)
            else:
                layers[layer.xplan_class] = layer
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
            known = layers.get(cls)
            if known is None:
                layer = layer_create(
                    plan=plan,
                    name=layer_name,
                    kind=layer_kind,
                    source_name=original_name,
                    source_crs=document.crs_label,
                    xplan_class=cls,
                )
                write_features(layer=layer, frame=frame, report=layer_report)
            else:
                layer = known
                Layer.objects.filter(pk=layer.pk).update(source_name=original_name[:300], source_crs=document.crs_label)
                update_features(layer=layer, frame=frame, report=layer_report)
            after_import(layer=layer)
            report.add(layer_report)
            report.layers.append(
                {
                    "id": layer.pk,
                    "name": layer.name,
                    "class": cls,
                    "created": layer_report.created,
                    "updated": layer_report.updated,
                    "deleted": layer_report.deleted,
                }
            )
            done += len(items)
            if progress:
                progress(done, total)
        xplan_attachments_save(
            plan=plan,
            attachments=attachments,
            by=by,
            source_name=original_name,
            source_crs=document.crs_label,
            report=report,
        )
    if report.transformation:
        report.notes.append(report.transformation)
    report.plan_id, report.plan_created, report.plan_title = plan.pk, created, plan.title
    report.plan_action = plan_action_text(created=created, title=plan.title)
    return report


def plan_action_text(*, created: bool, title: str) -> str:
    """Return what an import did with the plan: "neu angelegt" or "aktualisiert: „<title>“"."""
    if created:
        return _("neu angelegt")
    return _("aktualisiert: „%(plan)s“") % {"plan": title}


def _plan_upsert(
    *,
    municipality: Municipality,
    document: xplan.XPlanDocument,
    existing: Plan | None,
    area: MultiPolygon,
    by,
    original_name: str,
    report: ImportReport,
) -> tuple[Plan, bool]:
    """Create or update the plan described by `document` through the plan services; return (plan, created)."""
    data = {"kind": xplan.plan_kind(document), "number": document.number[:50], "title": document.name[:250]}
    try:
        if existing is None:
            plan = plan_services.plan_create(municipality=municipality, by=by, area=area, **data)
        else:
            existing = Plan.objects.select_for_update().get(pk=existing.pk)
            plan = plan_services.plan_update(plan=existing, by=by, area=area, **data)
        _record_stages(plan=plan, document=document, by=by, original_name=original_name, report=report)
    except ValidationError as exc:
        raise ImportRejected(" ".join(exc.messages), code="invalid_plan") from exc
    return plan, existing is None


def _record_stages(*, plan: Plan, document: xplan.XPlanDocument, by, original_name: str, report: ImportReport):
    """Record the procedure steps dated in the file at their dates, and the Rechtsstand's stage.

    A step already recorded with the same stage and date is not recorded again. If the file
    gives no date for the stage of its Rechtsstand, that stage is recorded with the import date.
    Dates in the future are left out with a note.
    """
    note = _("Aus XPlanGML übernommen (%(file)s)") % {"file": original_name[:200]}
    today = timezone.localdate()
    recorded = set(plan.stage_changes.values_list("stage", "date"))
    steps = xplan.stage_dates(document)
    for date, stage, attribute in steps:
        if date > today:
            report.notes.append(
                _("%(attribute)s %(date)s liegt in der Zukunft und wurde nicht als Verfahrensschritt übernommen.")
                % {"attribute": attribute, "date": date.strftime("%d.%m.%Y")}
            )
            continue
        if (stage, date) not in recorded:
            plan_services.plan_stage_record(plan=plan, by=by, stage=stage, date=date, note=note)
            recorded.add((stage, date))
    current = xplan.plan_stage(document)
    dated = {step_stage for date, step_stage, _attribute in steps if date <= today}
    if current and current not in dated and current != plan.stage:
        plan_services.plan_stage_record(plan=plan, by=by, stage=current, date=today, note=note)
