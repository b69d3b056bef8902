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
from ..models import ImportRun, Layer
from ..validation import validate_xplan
from .layers import ProgressCallback, layer_create, write_features
from .publishing import after_import
from .validation import validation_for_version
from .versions import (
    current_elements,
    current_layers,
    plan_version_create,
    preview_changes,
)
from .xplan_extras import XPlanAttachments, xplan_attachments_for, xplan_attachments_read, xplan_attachments_save


def xplan_read(*, path: Path, original_name: str | None = None, plan_id: str | None = None) -> xplan.XPlanDocument:
    """Check and parse an XPlanGML file (.gml or a ZIP holding one) without writing anything.

    A file with several plans is refused unless `plan_id` (a plan's gml:id) chooses one.
    """
    documents = xplan_read_all(path=path, original_name=original_name)
    if plan_id is None and len(documents) == 1:
        return documents[0]
    return xplan.choose_plan(documents, plan_id)


def xplan_read_all(*, path: Path, original_name: str | None = None) -> list[xplan.XPlanDocument]:
    """Check and parse every plan of an XPlanGML file (.gml or a ZIP holding one) without writing anything."""
    original_name = original_name or Path(path).name
    with tempfile.TemporaryDirectory(prefix="pb-xplan-") as workdir:
        dataset = files.prepare_source(Path(path), Path(workdir), original_name=original_name)
        if dataset.is_dir() or dataset.suffix.lower() not in (".gml", ".xml"):
            raise ImportRejected(_("Es wurde keine XPlanGML-Datei (.gml) gefunden."), code="not_xplan")
        return xplan.read_xplan_all(dataset)


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


def xplan_checked_documents(
    *,
    path: Path,
    by,
    municipality: Municipality | None = None,
    plan: Plan | None = None,
    original_name: str | None = None,
    plan_id: str | None = None,
) -> list[tuple[xplan.XPlanDocument, Municipality]]:
    """Check `by` and read every plan of an XPlanGML file as an import would; return each with its municipality.

    With `municipality` (or `plan`) given, `by` is checked before the file is read; otherwise each
    plan's municipality is matched by the AGS in the file and checked as soon as it is known. Only
    the plan whose gml:id is `plan_id` is kept if given; a file with several plans cannot update
    one chosen `plan`.
    """
    if plan is not None:
        if municipality is not None and plan.municipality_id != municipality.pk:
            raise ImportRejected(
                _("Der gewählte Plan gehört nicht zur gewählten Kommune."), code="plan_municipality_mismatch"
            )
        municipality = plan.municipality
    if municipality is not None:
        rules.require(by, "manage", municipality)
    documents = xplan_read_all(path=path, original_name=original_name or Path(path).name)
    if plan_id is not None:
        documents = [xplan.choose_plan(documents, plan_id)]
    elif len(documents) > 1 and plan is not None:
        raise ImportRejected(
            _("Die Datei enthält %(count)d Pläne; bitte wählen Sie, welcher „%(plan)s“ aktualisiert.")
            % {"count": len(documents), "plan": plan.title},
            code="several_plans",
        )
    checked = []
    for document in documents:
        owner = municipality
        if owner is None:
            owner = _municipality_of(document)
            rules.require(by, "manage", owner)
        check_ags(document, owner)
        if not document.name:
            raise ImportRejected(_("Der Plan hat keinen Namen (name)."), code="no_name")
        checked.append((document, owner))
    return checked


def xplan_import(
    *,
    path: Path,
    by,
    municipality: Municipality | None = None,
    plan: Plan | None = None,
    original_name: str | None = None,
    progress: ProgressCallback | None = None,
    import_run: ImportRun | None = None,
    plan_id: str | None = None,
) -> ImportReport:
    """Create plans, or a new version of each, with one layer per content class and Bereich; all or nothing.

    A file with several plans imports each as its own plan (the report's `plans` lists each; its
    other plan fields name the first), or only the one whose gml:id is `plan_id`. With several
    Bereiche, each class gets one layer per Bereich (`Layer.bereich`).

    The plan updated is `plan` if given, else the one `xplan_match` finds; without a match a new
    plan is created. Every import writes new layers and records them as a new version
    (`versions.plan_version_create`) together with the current layers that did not come from
    XPlanGML, and stores the plan's Prüfbericht on that version; the previous version's layers and
    features stay untouched, so statements keep pointing at the element they were made on.
    Features keep their `gml:id` as `source_id`.
    """
    original_name = original_name or Path(path).name
    checked = xplan_checked_documents(
        path=path, by=by, municipality=municipality, plan=plan, original_name=original_name, plan_id=plan_id
    )
    documents = [document for document, _owner in checked]
    attachments = xplan_attachments_read(path=path, original_name=original_name, crs=documents[0].crs)
    with transaction.atomic():
        reports = [
            _xplan_import_plan(
                document=document,
                by=by,
                municipality=owner,
                plan=plan,
                original_name=original_name,
                progress=progress,
                import_run=import_run,
                attachments=xplan_attachments_for(attachments, document=document, first=index == 0),
            )
            for index, (document, owner) in enumerate(checked)
        ]
    return _combined(reports)


def _combined(reports: list[ImportReport]) -> ImportReport:
    """Return the report of a file's plans: the first plan's, with the counts, layers, notes and problems of all."""
    report = reports[0]
    report.plans = [_plan_entry(item) for item in reports]
    for other in reports[1:]:
        report.add(other)
        report.layers.extend(other.layers)
        report.changes.extend(other.changes)
    report.notes = list(dict.fromkeys(report.notes))  # notes about the file come once per plan
    report.validation = merged_validation([item.validation for item in reports])
    return report


def merged_validation(reports: list[dict]) -> dict:
    """Return one Prüfbericht of several plans of a file (problems of the whole file listed once)."""
    if len(reports) == 1:
        return reports[0]
    merged: dict = {"version": reports[0].get("version", ""), "errors": [], "warnings": [], "notes": []}
    for key in ("errors", "warnings"):
        seen = set()
        for report in reports:
            for problem in report.get(key, []):
                ident = (problem.get("code"), problem.get("gml_id"), problem.get("message"))
                if ident not in seen:
                    seen.add(ident)
                    merged[key].append(problem)
    merged["notes"] = list(dict.fromkeys(note for report in reports for note in report.get("notes", [])))
    return merged


def _plan_entry(report: ImportReport) -> dict:
    return {
        "id": report.plan_id,
        "title": report.plan_title,
        "created": report.plan_created,
        "action": report.plan_action,
        "layers": len(report.layers),
        "version": report.version_number,
        "version_id": report.version_id,
    }


def _xplan_import_plan(
    *,
    document: xplan.XPlanDocument,
    by,
    municipality: Municipality,
    plan: Plan | None,
    original_name: str,
    progress: ProgressCallback | None,
    import_run: ImportRun | None,
    attachments: XPlanAttachments,
) -> ImportReport:
    """Create the plan of one XPlanDocument, or a new version of it, with its layers (a step of `xplan_import`)."""
    report = ImportReport(source_crs=document.crs_label, notes=list(document.notes))
    report.validation = validate_xplan(document).as_dict()
    if document.ags and not xplan.ags_is_valid(document.ags):
        report.notes.append(
            _("Der Amtliche Gemeindeschlüssel in der Datei (%(ags)s) ist ungültig und wurde nicht geprüft.")
            % {"ags": document.ags}
        )
    area = xplan_area(document)
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
        before, names = current_elements(plan, by_class=True, epsg=municipality.crs_epsg)
        # GIS layers stay in the new version; raster drawings come from the file (xplan_attachments_save).
        carried = list(current_layers(plan).filter(xplan_class="").exclude(kind=Layer.Kind.RASTER))
        replaced = {
            (layer.xplan_class, layer.bereich): layer
            for layer in current_layers(plan).exclude(xplan_class="").order_by("pk")
        }
        groups = xplan.layer_groups(document)
        new_layers: list[Layer] = []
        total = sum(len(items) for items in groups.values())
        done = 0
        for (cls, bereich), items in groups.items():
            legal = {str(item.properties.get("rechtscharakter") or "") for item in items}
            layer_name, layer_kind = xplan.layer_for_class(cls, document.version, bereich=bereich, legal=legal)
            layer_report = ImportReport(found=len(items))
            layer_report.repaired += sum(1 for item in items if item.gml_id in document.repaired_ids)
            layer = layer_create(
                plan=plan,
                name=layer_name,
                kind=layer_kind,
                source_name=original_name,
                source_crs=document.crs_label,
                xplan_class=cls,
                xplan_version=document.version,
                bereich=bereich,
                like=replaced.get((cls, bereich)),
            )
            write_features(layer=layer, frame=class_frame(document, items), report=layer_report, key_attribute="gml_id")
            after_import(layer=layer)
            new_layers.append(layer)
            report.add(layer_report)
            report.layers.append(
                {"id": layer.pk, "name": layer.name, "class": cls, "bereich": bereich, "created": layer_report.created}
            )
            done += len(items)
            if progress:
                progress(done, total)
        raster_layers = xplan_attachments_save(
            plan=plan,
            attachments=attachments,
            by=by,
            source_name=original_name,
            source_crs=document.crs_label,
            report=report,
        )
        version = plan_version_create(
            plan=plan,
            by=by,
            layers=new_layers + raster_layers + carried,
            import_run=import_run,
            source_name=original_name,
        )
        validation_for_version(version=version, validation=report.validation)
        after, new_names = current_elements(plan, by_class=True, epsg=municipality.crs_epsg)
        changes = preview_changes(old=before, new=after, names={**names, **new_names})
    _count_changes(report, changes)
    if report.transformation:
        report.notes.append(report.transformation)
    report.plan_id, report.plan_created, report.plan_title = plan.pk, created, plan.title
    report.plan_action = plan_action_text(created=created, title=plan.title)
    report.version_id, report.version_number = version.pk, version.number
    return report


def _count_changes(report: ImportReport, changes: list[dict]) -> None:
    """Put the per-class change counts on the report's layers and its totals (updated: changed, deleted: gone)."""
    by_class = {item["key"]: item for item in changes}
    for entry in report.layers:
        counts = by_class.get(entry["class"], {})
        entry.update({k: counts.get(k, 0) for k in ("new", "removed", "changed", "unchanged")})
    report.changes = changes
    report.updated = sum(item["changed"] for item in changes)
    report.deleted = sum(item["removed"] for item in changes)


def class_frame(document: xplan.XPlanDocument, items: list[xplan.XPlanFeature]) -> gpd.GeoDataFrame:
    """Return the features of one class as a GeoDataFrame (attributes and `gml_id`) in the document's CRS."""
    return gpd.GeoDataFrame(
        [dict(item.properties, gml_id=item.gml_id) for item in items],
        geometry=[item.geometry for item in items],
        crs=document.crs,
    )


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
