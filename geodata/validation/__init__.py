"""The validation report of an XPlanGML file (Prüfbericht): geometry, Flächenschluss, references, schema.

`validate_xplan(document)` checks a document read by `geodata.importers.xplan.read_xplan` (which
keeps the parsed XML as `document.root`) and lists every problem with its code, German message,
object (gml:id, class) and place (a point inside the problem and its bbox in EPSG:4326). What the
importer refuses outright (XML that is not well-formed, another namespace, an unsupported version)
stays a refusal. docs/import.md ("Prüfbericht") lists every check and its severity.
"""

from .context import Context
from .coverage import check_flaechenschluss, check_outside
from .geometry import check_rings, check_validity
from .references import check_references
from .report import ERROR, WARNING, Problem, ValidationReport, report_problems
from .schema import ClassInfo, DictModel, ModelTable, check_schema, default_model

__all__ = [
    "ERROR",
    "WARNING",
    "ClassInfo",
    "DictModel",
    "ModelTable",
    "Problem",
    "ValidationReport",
    "report_problems",
    "validate_xplan",
]

_UNSET = object()


def validate_xplan(document, *, model=_UNSET) -> ValidationReport:
    """Check an XPlanGML document and return all problems, errors first."""
    report = ValidationReport(version=document.version)
    model = default_model() if model is _UNSET else model
    context = Context.build(document, report)
    root = getattr(document, "root", None)
    if root is not None:
        check_schema(context, model)
        check_references(context, root)
        check_rings(context)
    check_validity(context)

    def flaechenschluss_class(cls: str) -> bool:
        info = model.class_info(document.version, cls) if model is not None else None
        return bool(info and info.is_flaechenschlussobjekt())

    check_flaechenschluss(context, flaechenschluss_class)
    check_outside(context)
    report.problems.sort(key=lambda p: p.severity != ERROR)
    return report
