"""Schema conformance against the XPlanung model table: classes, attributes, multiplicities, enumerations.

The checks read a `ModelTable`: `class_info(version, name)` returns a `ClassInfo` (inherited attributes
included) or None for a class the version does not have. `XPlanModelTable` adapts the table generated
from the XPlanung schemas (geodata.xplan_model); `DictModel` builds one from plain data.
"""

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

from django.utils.translation import gettext as _

from .. import xplan_model
from ..importers.gml import GML, local, namespace
from .context import Context
from .report import ERROR

XPLAN_NAMESPACE = re.compile(r"^http://www\.xplanung\.de/xplangml/(\d+)/(\d+)$")
MAX_DEPTH = 4


@dataclass(frozen=True)
class AttributeInfo:
    name: str
    mandatory: bool = False
    values: frozenset[str] | None = None  # a closed enumeration; None: any value


@dataclass(frozen=True)
class ClassInfo:
    name: str
    abstract: bool = False
    bases: tuple[str, ...] = ()
    attributes: dict[str, AttributeInfo] = field(default_factory=dict)

    def is_flaechenschlussobjekt(self) -> bool:
        return any("flaechenschlussobjekt" in b.lower() or "flächenschlussobjekt" in b.lower() for b in self.bases)


class ModelTable(Protocol):
    def class_info(self, version: str, name: str) -> ClassInfo | None: ...

    def covers(self, version: str) -> bool: ...


class DictModel:
    """A model table from data: {version: {class: {"abstract", "bases", "attributes": {name: {"min", "values"}}}}}."""

    def __init__(self, data: dict):
        self.data = data

    def covers(self, version: str) -> bool:
        return version in self.data

    def class_info(self, version: str, name: str) -> ClassInfo | None:
        spec = self.data.get(version, {}).get(name)
        if spec is None:
            return None
        attributes: dict[str, AttributeInfo] = {}
        for base in [name, *spec.get("bases", ())]:
            for attr, attr_spec in self.data.get(version, {}).get(base, {}).get("attributes", {}).items():
                values = attr_spec.get("values")
                attributes.setdefault(
                    attr,
                    AttributeInfo(
                        name=attr,
                        mandatory=int(attr_spec.get("min", 0)) > 0,
                        values=frozenset(str(v) for v in values) if values else None,
                    ),
                )
        return ClassInfo(
            name=name, abstract=bool(spec.get("abstract")), bases=tuple(spec.get("bases", ())), attributes=attributes
        )


class XPlanModelTable:
    """The generated XPlanung model table (geodata.xplan_model), read through its `class_info` and `table`.

    Only the table that covers the file's version counts here: a class the model table knows only
    from another version (its fallback for labels) is unknown in this one.
    """

    def __init__(self, module):
        self.module = module

    def covers(self, version: str) -> bool:
        return bool(self.module.is_supported(version))

    def class_info(self, version: str, name: str) -> ClassInfo | None:
        return _adapted(self.module, version, name)


@cache
def _adapted(module, version: str, name: str) -> ClassInfo | None:
    info = module.class_info(version, name)
    if info is None or info["table"] != module.table_version(version):
        return None
    enums = module.table(info["table"])["enums"]
    attributes = {}
    for attr, spec in info["attributes"].items():
        enum = spec.get("enum")
        closed = spec.get("stereotype") == "Enumeration" and enum in enums
        attributes[attr] = AttributeInfo(
            name=attr,
            mandatory=str(spec.get("multiplicity") or "").startswith("1"),
            values=frozenset(str(code) for code in enums[enum]) if closed else None,
        )
    return ClassInfo(name=name, abstract=bool(info["abstract"]), bases=tuple(info["chain"]), attributes=attributes)


def default_model() -> ModelTable:
    """Return the generated XPlanung model table (geodata.xplan_model)."""
    return XPlanModelTable(xplan_model)


def check_schema(context: Context, model: ModelTable | None) -> None:
    """Check namespaces, and with a model table class and attribute names, mandatory attributes and codes."""
    version = context.document.version
    use_model = model is not None and model.covers(version)
    if not use_model:
        context.report.notes.append(
            _(
                "Klassen, Attribute und Codelisten wurden nicht geprüft: "
                "für XPlanung %(version)s fehlt die Modelltabelle."
            )
            % {"version": version}
        )
    for feature in context.features:
        _check_object(context, feature.element, feature, model if use_model else None, depth=0)


def _check_namespace(context: Context, el, feature) -> bool:
    ns = namespace(el.tag)
    if ns == context.xplan_namespace:
        return True
    match = XPLAN_NAMESPACE.match(ns)
    if match:
        message = _("%(name)s steht im Namensraum von XPlanung %(other)s, die Datei ist XPlanung %(version)s.") % {
            "name": local(el.tag),
            "other": f"{match.group(1)}.{match.group(2)}",
            "version": context.document.version,
        }
        code = "wrong_namespace_version"
    else:
        message = _("%(name)s steht in einem unbekannten Namensraum (%(ns)s).") % {
            "name": local(el.tag),
            "ns": ns or "–",
        }
        code = "unknown_namespace"
    context.problem(ERROR, code, message, gml_id=feature.gml_id, cls=feature.cls)
    return False


def _check_object(context: Context, el, feature, model: ModelTable | None, *, depth: int) -> None:
    if not _check_namespace(context, el, feature):
        return
    cls = local(el.tag)
    info = model.class_info(context.document.version, cls) if model else None
    if model and info is None:
        context.problem(
            ERROR,
            "unknown_class",
            _("Die Klasse %(cls)s gibt es in XPlanung %(version)s nicht.")
            % {"cls": cls, "version": context.document.version},
            gml_id=feature.gml_id,
            cls=feature.cls,
        )
        return
    if info is not None and info.abstract:
        context.problem(
            ERROR,
            "abstract_class",
            _("Die Klasse %(cls)s ist abstrakt und darf nicht selbst vorkommen.") % {"cls": cls},
            gml_id=feature.gml_id,
            cls=feature.cls,
        )
    present = set()
    for prop in el:
        if namespace(prop.tag) == GML:
            continue
        if not _check_namespace(context, prop, feature):
            continue
        name = local(prop.tag)
        present.add(name)
        children = [c for c in prop if namespace(c.tag) != GML]
        if info is not None:
            spec = info.attributes.get(name)
            if spec is None:
                context.problem(
                    ERROR,
                    "unknown_attribute",
                    _("Das Attribut %(attribute)s gibt es bei %(cls)s (XPlanung %(version)s) nicht.")
                    % {"attribute": name, "cls": cls, "version": context.document.version},
                    gml_id=feature.gml_id,
                    cls=feature.cls,
                )
                continue
            value = (prop.text or "").strip()
            if spec.values is not None and not list(prop) and value and value not in spec.values:
                context.problem(
                    ERROR,
                    "invalid_code",
                    _("Der Wert „%(value)s“ von %(attribute)s ist in der Enumeration nicht enthalten.")
                    % {"value": value, "attribute": name},
                    gml_id=feature.gml_id,
                    cls=feature.cls,
                )
        if depth < MAX_DEPTH and len(children) == 1 and local(children[0].tag)[:1].isupper():
            _check_object(context, children[0], feature, model, depth=depth + 1)
    if info is not None:
        for spec in info.attributes.values():
            if spec.mandatory and spec.name not in present:
                context.problem(
                    ERROR,
                    "missing_attribute",
                    _("Das Pflichtattribut %(attribute)s von %(cls)s fehlt.") % {"attribute": spec.name, "cls": cls},
                    gml_id=feature.gml_id,
                    cls=feature.cls,
                )
