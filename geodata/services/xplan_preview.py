"""Preview an XPlanGML upload before anything is written: the plan and version, changes per class, the Prüfbericht."""

from pathlib import Path

import orjson
import shapely
from django.utils.translation import gettext as _

from plans.models import Municipality, Plan

from ..importers import xplan
from ..importers.report import ImportReport
from ..validation import validate_xplan
from .layers import cleaned_rows
from .versions import Element, current_elements, metric_transformer, plan_current_version, preview_changes
from .xplan import class_frame, merged_validation, xplan_area, xplan_checked_documents, xplan_match


def xplan_preview(
    *,
    path: Path,
    by,
    municipality: Municipality | None = None,
    plan: Plan | None = None,
    original_name: str | None = None,
) -> dict:
    """Say which plans and versions an XPlanGML file would make, what changes per class, and its Prüfbericht.

    Per class: elements new, removed, changed and unchanged against the plan's current version,
    matched by `gml:id` (geometry equal within 1 cm after the transformation, attributes equal).
    Nothing is written. A file the import would refuse (not XPlanGML, broken XML, another
    municipality's AGS …) raises ImportRejected, as the import does. The top-level keys describe
    the file's first plan; `plans` lists every plan of the file.
    """
    original_name = original_name or Path(path).name
    checked = xplan_checked_documents(
        path=path, by=by, municipality=municipality, plan=plan, original_name=original_name
    )
    plans = [_plan_preview(document, municipality=owner, plan=plan) for document, owner in checked]
    result = dict(plans[0])
    result["plans"] = plans
    result["feature_count"] = sum(item["feature_count"] for item in plans)
    bounds = [item["bounds_4326"] for item in plans]
    result["bounds_4326"] = (
        min(b[0] for b in bounds),
        min(b[1] for b in bounds),
        max(b[2] for b in bounds),
        max(b[3] for b in bounds),
    )
    result["validation"] = merged_validation([item.pop("validation") for item in plans])
    return result


def _plan_preview(document: xplan.XPlanDocument, *, municipality: Municipality, plan: Plan | None) -> dict:
    area = xplan_area(document)
    target = plan if plan is not None else xplan_match(document=document, municipality=municipality)
    before, names = current_elements(target, by_class=True, epsg=municipality.crs_epsg)
    incoming: dict[str, list[Element]] = {}
    to_metric = metric_transformer(municipality.crs_epsg)
    for cls, items in document.features.items():
        names.setdefault(cls, xplan.layer_for_class(cls, document.version)[0])
        wkbs, properties, ids = cleaned_rows(class_frame(document, items), ImportReport(), key_attribute="gml_id")
        incoming[cls] = [
            Element(key=str(key), geometry=to_metric(shapely.from_wkb(wkb)), properties=orjson.loads(props))
            for wkb, props, key in zip(wkbs, properties, ids, strict=True)
        ]
    current = plan_current_version(target) if target is not None else None
    version_from = current.number if current is not None else None
    minx, miny, maxx, maxy = (float(v) for v in area.extent)
    return {
        "kind": "xplan",
        "plan_id": target.pk if target is not None else None,
        "plan_title": target.title if target is not None else document.name[:250],
        "plan_new": target is None,
        "plan_class": document.plan_class,
        "plan_name": document.name,
        "number": document.number[:50],
        "version": document.version,
        "municipality": municipality.name,
        "target": (
            _("Aktualisiert Plan „%(plan)s“") % {"plan": target.title} if target is not None else _("Neuer Plan")
        ),
        "version_from": version_from,
        "version_to": (version_from or 0) + 1,
        "classes": preview_changes(old=before, new=incoming, names=names),
        "feature_count": sum(len(items) for items in document.features.values()),
        "crs": document.crs_label,
        "bounds_4326": (minx, miny, maxx, maxy),
        "validation": validate_xplan(document).as_dict(),
    }
