"""The XPlanung model table: feature classes, attributes and code lists per XPlanung version.

The JSON files next to this module are generated at dev time from the schema modules of
XLeitstelle's xplan-tools by `tools/xplan_model.py` (see docs/adr/0013-xplanung-model-table.md).
Each table is loaded once, on first use. Versions 5.0-5.4 use the 5.4 table, 4.0/4.1 the 4.1 table.
"""

import json
from functools import cache
from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent
VERSIONS = ("6.1", "6.0", "5.4", "4.1")  # newest first: the fallback order for a class unknown in a version


def table_version(version: str) -> str | None:
    """Return the table that covers XPlanGML `version` ("5.2" -> "5.4"), or None if there is none."""
    major, _, minor = str(version).partition(".")
    if major == "6":
        return "6.1" if minor and minor >= "1" else "6.0"
    if major == "5":
        return "5.4"
    if major == "4":
        return "4.1"
    return None


def is_supported(version: str) -> bool:
    """Return whether the model table covers XPlanGML `version`."""
    return table_version(version) is not None


@cache
def table(version: str) -> dict:
    """Return the model table of XPlanGML `version` (empty if not covered)."""
    covered = table_version(version)
    if covered is None:
        return {"classes": {}, "enums": {}, "tokens": {}}
    path = DIRECTORY / f"xplan_{covered.replace('.', '')}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _raw_class(version: str, name: str) -> tuple[str, dict] | tuple[None, None]:
    """Return (table version, entry) of class `name`: from `version`'s table, else the newest that has it."""
    own = table_version(version)
    for candidate in ([own] if own else []) + [v for v in VERSIONS if v != own]:
        entry = table(candidate)["classes"].get(name)
        if entry is not None:
            return candidate, entry
    return None, None


@cache
def class_info(version: str, name: str) -> dict | None:
    """Return what the table knows of class `name`: German name, abstract flag, base chain, first
    sentence of its description and its attributes including inherited ones; None if unknown."""
    found, entry = _raw_class(version, name)
    if entry is None:
        return None
    attributes: dict[str, dict] = {}
    for base in reversed(entry["chain"]):
        attributes.update(table(found)["classes"].get(base, {}).get("attributes", {}))
    attributes.update(entry["attributes"])
    return {
        "name": entry["name"],
        "abstract": entry["abstract"],
        "chain": list(entry["chain"]),
        "doc": entry["doc"],
        "attributes": attributes,
        "table": found,
    }


def is_a(version: str, name: str, base: str) -> bool:
    """Return whether class `name` is `base` or derives from it."""
    info = class_info(version, name)
    return name == base or bool(info and base in info["chain"])


def attribute_info(version: str, cls: str, attribute: str) -> dict | None:
    """Return the table entry of `attribute` of class `cls` (label, type, stereotype, multiplicity, enum)."""
    info = class_info(version, cls)
    return info["attributes"].get(attribute) if info else None


def attribute_label(version: str, cls: str, attribute: str) -> str | None:
    """Return the German label of `attribute` of class `cls`, or None if the table does not know it."""
    entry = attribute_info(version, cls, attribute)
    return entry["label"] if entry else None


def code_label(version: str, enum: str, value) -> str | None:
    """Return the German label of code `value` of enumeration `enum` ("1200" -> "Allgemeines Wohngebiet")."""
    text = str(value).strip()
    own = table_version(version)
    for candidate in ([own] if own else []) + [v for v in VERSIONS if v != own]:
        codes = table(candidate)["enums"].get(enum)
        if codes is not None:
            return codes.get(text)
    return None


def code_token(version: str, enum: str, value) -> str | None:
    """Return the short token of a code as plans print it ("1200" -> "WA"), or None."""
    return table(version)["tokens"].get(enum, {}).get(str(value).strip())


@cache
def code_lists(version: str, cls: str) -> dict[str, dict[str, str]]:
    """Return {attribute: {code: label}} for the enumerated attributes of class `cls`, with those of
    its data types (e.g. `zweckbestimmung/allgemein`) under the data type's attribute name."""
    info = class_info(version, cls)
    if info is None:
        return {}
    result: dict[str, dict[str, str]] = {}
    enums = table(info["table"])["enums"]
    for name, entry in info["attributes"].items():
        if entry.get("enum") in enums:
            result[name] = dict(enums[entry["enum"]])
        elif entry.get("stereotype") == "DataType" and isinstance(entry.get("type"), str):
            for sub_name, sub in (class_info(version, entry["type"]) or {"attributes": {}})["attributes"].items():
                if sub.get("enum") in enums and sub_name not in result:
                    result[sub_name] = dict(enums[sub["enum"]])
    return result


def reference_attributes(version: str, cls: str) -> set[str]:
    """Return the attributes of class `cls` that refer to other objects (associations)."""
    info = class_info(version, cls)
    if info is None:
        return set()
    return {name for name, entry in info["attributes"].items() if entry.get("stereotype") == "Association"}
