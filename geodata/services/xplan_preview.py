"""Preview an XPlanGML upload before anything is written: the plan, its classes and the Prüfbericht."""

from pathlib import Path

from django.utils.translation import gettext as _

from plans.models import Municipality, Plan

from ..importers import xplan
from ..validation import validate_xplan
from .xplan import check_ags, xplan_area, xplan_match, xplan_read


def xplan_preview(*, path: Path, municipality: Municipality, plan: Plan | None = None, original_name: str = "") -> dict:
    """Read an XPlanGML file and return what its import would do and its validation report (as data).

    A file the import would refuse (not XPlanGML, broken XML, another municipality's AGS …) raises
    ImportRejected, as the import does.
    """
    document = xplan_read(path=path, original_name=original_name or Path(path).name)
    check_ags(document, municipality)
    area = xplan_area(document)
    target = plan if plan is not None else xplan_match(document=document, municipality=municipality)
    validation = validate_xplan(document).as_dict()
    west, south, east, north = area.extent
    return {
        "kind": "xplan",
        "plan_class": document.plan_class,
        "plan_name": document.name,
        "plan_number": document.number,
        "version": document.version,
        "crs": document.crs_label,
        "feature_count": sum(len(items) for items in document.features.values()),
        "classes": [
            {"class": cls, "layer": xplan.layer_for_class(cls)[0], "count": len(items)}
            for cls, items in document.features.items()
        ],
        "bounds_4326": [west, south, east, north],
        "target": (
            _("Aktualisiert Plan „%(plan)s“") % {"plan": target.title} if target is not None else _("Neuer Plan")
        ),
        "validation": validation,
    }
