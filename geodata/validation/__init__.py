"""The validation report of an XPlanGML file (Prüfbericht): geometry, Flächenschluss, references, schema.

`validate_xplan(document)` checks a document read by `geodata.importers.xplan.read_xplan` (which
keeps the parsed XML as `document.root`) and lists every problem with its code, German message,
object (gml:id, class) and place (a point inside the problem and its bbox in EPSG:4326). What the
importer refuses outright (XML that is not well-formed, another namespace, an unsupported version)
stays a refusal. docs/import.md ("Prüfbericht") lists every check and its severity.
"""

import logging

from django.utils.translation import gettext as _

from .context import Context
from .coverage import check_flaechenschluss, check_outside
from .geometry import check_rings, check_validity
from .references import check_references
from .report import ERROR, WARNING, Problem, ValidationReport
from .schema import ClassInfo, DictModel, ModelTable, check_schema, default_model

__all__ = [
    "ERROR",
    "WARNING",
    "ClassInfo",
    "DictModel",
    "ModelTable",
    "Problem",
    "ValidationReport",
    "validate_xplan",
]

_UNSET = object()
logger = logging.getLogger(__name__)


def validate_xplan(document, *, model=_UNSET) -> ValidationReport:
    """Check an XPlanGML document and return all problems, errors first."""
    report = ValidationReport(version=document.version)
    model = default_model() if model is _UNSET else model
    context = Context.build(document, report)

    def flaechenschluss_class(cls: str) -> bool:
        info = model.class_info(document.version, cls) if model is not None else None
        return bool(info and info.is_flaechenschlussobjekt())

    checks = [
        (_("Geometrie"), lambda: check_validity(context)),
        (_("Flächenschluss"), lambda: check_flaechenschluss(context, flaechenschluss_class)),
        (_("Geltungsbereich"), lambda: check_outside(context)),
    ]
    root = getattr(document, "root", None)
    if root is not None:
        checks = [
            (_("Schema"), lambda: check_schema(context, model)),
            (_("Verweise"), lambda: check_references(context, root)),
            (_("Ringe"), lambda: check_rings(context)),
            *checks,
        ]
    for label, check in checks:
        try:
            check()
        except Exception:  # a check that breaks on an odd file must not break the import; the report says so
            logger.exception("Validation check %s failed for plan %s", label, document.plan_id)
            report.notes.append(
                _("Die Prüfung „%(check)s“ konnte für diese Datei nicht ausgeführt werden.") % {"check": label}
            )
    report.problems.sort(key=lambda p: p.severity != ERROR)
    return report
