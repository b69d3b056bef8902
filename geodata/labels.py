"""Human labels for layer attributes: XPlanung attribute names and code lists in plain German.

A layer keeps a label map `{attribute: label}` set at import (`labels_for_fields`); the popup on the plan
map, the feature panel and the statement form's list of plan contents read it through `layer_label_config`,
`feature_rows` and `feature_choice_labels`. Labels from this table are stored as their German msgid and
translated when shown, so a label map also works in English. Raw ids and references are never shown.
"""

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import xplan_model

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Attribute names (lower case) in the order they are shown.
ATTRIBUTE_LABELS: "dict[str, StrOrPromise]" = {
    "name": _("Name"),
    "bezeichnung": _("Bezeichnung"),
    "besondereartderbaulnutzung": _("Art der baulichen Nutzung"),
    "allgartderbaulnutzung": _("Art der baulichen Nutzung (allgemein)"),
    "nutzung": _("Art der baulichen Nutzung"),
    "art": _("Art der baulichen Nutzung"),
    "zweckbestimmung": _("Zweckbestimmung"),
    "grz": _("Grundflächenzahl"),
    "gfz": _("Geschossflächenzahl"),
    "bmz": _("Baumassenzahl"),
    "gr": _("Grundfläche (m²)"),
    "gf": _("Geschossfläche (m²)"),
    "z": _("Zahl der Vollgeschosse"),
    "zmin": _("Zahl der Vollgeschosse (mindestens)"),
    "zmax": _("Zahl der Vollgeschosse (höchstens)"),
    "zzwingend": _("Zahl der Vollgeschosse (zwingend)"),
    "geschosse": _("Zahl der Vollgeschosse"),
    "vollgeschosse": _("Zahl der Vollgeschosse"),
    "bauweise": _("Bauweise"),
    "bebauungsart": _("Bebauungsart"),
    "dachform": _("Dachform"),
    "dn": _("Dachneigung (Grad)"),
    "hoehe": _("Höhe"),
    "rechtscharakter": _("Rechtscharakter"),
    "text": _("Text"),
    "beschriftung": _("Beschriftung"),
    "drehwinkel": _("Drehwinkel (Grad)"),
}

# Values that are ids or references to other objects: never shown.
HIDDEN_ATTRIBUTES = frozenset(
    {
        "id",
        "fid",
        "gml_id",
        "ogc_fid",
        "objectid",
        "uuid",
        "source_id",
        "gehoertzubereich",
        "gehoertzuplan",
        "reftextinhalt",
        "wirdausgeglichendurchflaeche",
        "flaechenschluss",
        "ebene",
    }
)

# Abbreviations of the BauNVO (Baugebiete and Bauflächen) as plans write them: "WA", "WA 1", "MI2".
BAUNVO_ABBREVIATIONS: "dict[str, StrOrPromise]" = {
    "W": _("Wohnbaufläche"),
    "M": _("Gemischte Baufläche"),
    "G": _("Gewerbliche Baufläche"),
    "S": _("Sonderbaufläche"),
    "WS": _("Kleinsiedlungsgebiet"),
    "WR": _("Reines Wohngebiet"),
    "WA": _("Allgemeines Wohngebiet"),
    "WB": _("Besonderes Wohngebiet"),
    "MD": _("Dorfgebiet"),
    "MDW": _("Dörfliches Wohngebiet"),
    "MI": _("Mischgebiet"),
    "MU": _("Urbanes Gebiet"),
    "MK": _("Kerngebiet"),
    "GE": _("Gewerbegebiet"),
    "GI": _("Industriegebiet"),
    "SO": _("Sondergebiet"),
}

# XPlanung code lists (XP_AllgArtDerBaulNutzung, XP_BesondereArtDerBaulNutzung, BP_Bauweise, ...).
ALLG_ART: "dict[str, StrOrPromise]" = {
    "1000": _("Wohnbaufläche"),
    "2000": _("Gemischte Baufläche"),
    "3000": _("Gewerbliche Baufläche"),
    "4000": _("Sonderbaufläche"),
    "9999": _("Sonstige Baufläche"),
}
BESONDERE_ART: "dict[str, StrOrPromise]" = {
    "1000": _("Kleinsiedlungsgebiet"),
    "1100": _("Reines Wohngebiet"),
    "1200": _("Allgemeines Wohngebiet"),
    "1300": _("Besonderes Wohngebiet"),
    "1400": _("Dorfgebiet"),
    "1450": _("Dörfliches Wohngebiet"),
    "1500": _("Mischgebiet"),
    "1550": _("Urbanes Gebiet"),
    "1600": _("Kerngebiet"),
    "1700": _("Gewerbegebiet"),
    "1800": _("Industriegebiet"),
    "2000": _("Sondergebiet für die Erholung"),
    "2100": _("Sonstiges Sondergebiet"),
    "3000": _("Wochenendhausgebiet"),
    "4000": _("Sondergebiet"),
    "9999": _("Sonstiges Gebiet"),
}
BAUWEISE: "dict[str, StrOrPromise]" = {
    "1000": _("offene Bauweise"),
    "2000": _("geschlossene Bauweise"),
    "3000": _("abweichende Bauweise"),
    "o": _("offene Bauweise"),
    "g": _("geschlossene Bauweise"),
    "a": _("abweichende Bauweise"),
}
BEBAUUNGSART: "dict[str, StrOrPromise]" = {
    "1000": _("nur Einzelhäuser"),
    "2000": _("nur Doppelhäuser"),
    "3000": _("nur Hausgruppen"),
    "4000": _("nur Einzel- und Doppelhäuser"),
    "5000": _("nur Einzelhäuser und Hausgruppen"),
    "6000": _("nur Doppelhäuser und Hausgruppen"),
    "7000": _("nur Reihenhäuser"),
    "8000": _("nur Einzelhäuser, Doppelhäuser und Hausgruppen"),
}
DACHFORM: "dict[str, StrOrPromise]" = {
    "1000": _("Flachdach"),
    "2100": _("Pultdach"),
    "2200": _("versetztes Pultdach"),
    "3000": _("geneigtes Dach"),
    "3100": _("Satteldach"),
    "3200": _("Walmdach"),
    "3300": _("Krüppelwalmdach"),
    "3400": _("Mansarddach"),
    "3500": _("Zeltdach"),
    "3600": _("Kegeldach"),
    "3700": _("Kuppeldach"),
    "3800": _("Sheddach"),
    "3900": _("Bogendach"),
    "4000": _("Turmdach"),
    "4100": _("Tonnendach"),
    "5000": _("Mischform"),
    "9999": _("sonstige Dachform"),
}
RECHTSCHARAKTER: "dict[str, StrOrPromise]" = {
    "1000": _("Festsetzung"),
    "2000": _("Nachrichtliche Übernahme"),
    "3000": _("Hinweis"),
    "4000": _("Vermerk"),
    "5000": _("Kennzeichnung"),
    "9998": _("unbekannt"),
}
CODE_LISTS: "dict[str, Mapping[str, StrOrPromise]]" = {
    "allgartderbaulnutzung": {**ALLG_ART, **BAUNVO_ABBREVIATIONS},
    "besondereartderbaulnutzung": {**BESONDERE_ART, **BAUNVO_ABBREVIATIONS},
    "nutzung": BAUNVO_ABBREVIATIONS,
    "art": BAUNVO_ABBREVIATIONS,
    "bauweise": BAUWEISE,
    "bebauungsart": BEBAUUNGSART,
    "dachform": DACHFORM,
    "rechtscharakter": RECHTSCHARAKTER,
}
# Attributes that name what a feature is, best first (for list entries and popup titles).
TITLE_ATTRIBUTES = ("name", "bezeichnung", "besondereartderbaulnutzung", "allgartderbaulnutzung", "nutzung", "art")

_NUMBERED = re.compile(r"^([A-Za-z]{1,3})\s*[-_]?\s*(\d{1,3})$")
_ORDER = {key: index for index, key in enumerate(ATTRIBUTE_LABELS)}


def is_hidden(key: str, value=None) -> bool:
    """Return whether an attribute is an id or a reference that is never shown."""
    return key.lower() in HIDDEN_ATTRIBUTES or (isinstance(value, str) and value.startswith("#GML"))


def labels_for_fields(fields: Iterable[str], xplan_class: str = "", xplan_version: str = "") -> dict[str, str]:
    """Return the label map of a layer with `fields`: known attributes by their German label.

    This module's plain-language labels come first (translated when shown); an XPlanung layer's other
    attributes get the model table's label of the class's attribute (unless it only repeats the name).
    """
    hidden = xplan_hidden(xplan_class, xplan_version)
    result = {}
    for field in fields:
        if is_hidden(field) or field in hidden:
            continue
        if field.lower() in ATTRIBUTE_LABELS:
            result[field] = str(ATTRIBUTE_LABELS[field.lower()])
            continue
        table = xplan_model.attribute_label(xplan_version, xplan_class, field) if xplan_class else None
        if table and table != field:
            result[field] = table
    return result


def xplan_hidden(xplan_class: str, xplan_version: str = "") -> frozenset[str]:
    """Return the attributes of an XPlanung class never shown: references to other objects, and the
    attribute names and index a presentation object refers to."""
    if not xplan_class:
        return frozenset()
    hidden = set(xplan_model.reference_attributes(xplan_version, xplan_class))
    if xplan_model.is_a(xplan_version, xplan_class, "XP_AbstraktesPraesentationsobjekt"):
        hidden |= {"art", "index", "darstellungsprioritaet", "stylesheetId", "schriftinhalt"}
    return frozenset(hidden)


def xplan_codes(
    xplan_class: str, xplan_version: str = "", fields: Iterable[str] | None = None
) -> dict[str, dict[str, str]]:
    """Return the code lists of an XPlanung class's attributes as shown: {attribute: {"1200": "1200 – Allgemeines
    Wohngebiet"}}; with `fields`, only those of these attributes (and of parts of data types)."""
    if not xplan_class:
        return {}
    attributes = (xplan_model.class_info(xplan_version, xplan_class) or {"attributes": {}})["attributes"]
    wanted = None
    if fields is not None:
        wanted = set(fields)
        for field in fields:  # the parts of data types the layer has, e.g. zweckbestimmung/allgemein
            data_type = attributes.get(field, {})
            if data_type.get("stereotype") == "DataType" and isinstance(data_type.get("type"), str):
                wanted |= set(
                    (xplan_model.class_info(xplan_version, data_type["type"]) or {"attributes": {}})["attributes"]
                )
    return {
        attribute: {code: f"{code} – {label}" if label else code for code, label in codes.items()}
        for attribute, codes in xplan_model.code_lists(xplan_version, xplan_class).items()
        if wanted is None or attribute in wanted
    }


def attribute_label(key: str, labels: Mapping[str, str] | None = None) -> str:
    """Return the label of attribute `key`: the layer's own, else the table's, else the name itself."""
    if labels and labels.get(key):
        return gettext(labels[key])  # a table label is its msgid; a label of its own stays as it is
    known = ATTRIBUTE_LABELS.get(key.lower())
    return str(known) if known is not None else key


def value_label(key: str, value, codes: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """Return `value` of attribute `key` for people: code lists translated, numbers in the local format.

    `codes`: the layer's own code lists (`xplan_codes`), used before this module's.
    """
    if isinstance(value, bool):
        return gettext("ja") if value else gettext("nein")
    if isinstance(value, int | float):
        return formats.number_format(value, use_l10n=True)
    if isinstance(value, list | tuple):
        return ", ".join(value_label(key, item, codes) for item in value if item not in (None, ""))
    if isinstance(value, dict):
        return ", ".join(
            value_label(k, v, codes) for k, v in value.items() if not is_hidden(k, v) and v not in (None, "")
        )
    text = str(value).strip()
    if codes and text in codes.get(key, {}):
        return codes[key][text]
    table = CODE_LISTS.get(key.lower())
    if table:
        if text in table:
            return str(table[text])
        numbered = _NUMBERED.match(text)
        if numbered and numbered.group(1).upper() in BAUNVO_ABBREVIATIONS:
            return f"{BAUNVO_ABBREVIATIONS[numbered.group(1).upper()]} ({text})"
    return text


def feature_rows(
    properties: Mapping | None,
    labels: Mapping[str, str] | None = None,
    codes: Mapping[str, Mapping[str, str]] | None = None,
    hidden: Iterable[str] = (),
) -> list[tuple[str, str]]:
    """Return a feature's shown attributes as (label, value) pairs, known attributes first, ids left out."""
    hidden = set(hidden)
    items = [
        (key, value)
        for key, value in (properties or {}).items()
        if not is_hidden(key, value) and key not in hidden and value not in (None, "", [], {})
    ]
    items.sort(key=lambda item: _ORDER.get(item[0].lower(), len(_ORDER)))
    rows, seen = [], set()
    for key, value in items:
        row = (attribute_label(key, labels), value_label(key, value, codes))
        if row[1] and row not in seen:  # "nutzung" and "besondereArtDerBaulNutzung" may say the same
            seen.add(row)
            rows.append(row)
    return rows


def feature_title(properties: Mapping | None) -> str:
    """Return what names a feature (its name or its kind of use), or an empty string."""
    by_key = {key.lower(): (key, value) for key, value in (properties or {}).items()}
    for name in TITLE_ATTRIBUTES:
        if name in by_key and by_key[name][1] not in (None, "", [], {}):
            return value_label(*by_key[name])
    return ""


def feature_choice_labels(items: list[tuple[str, Mapping | None, float | None]]) -> list[str]:
    """Return list entries for features given as (layer name, properties, area in m² or None).

    Entries that would read the same ("Baugebiete: Allgemeines Wohngebiet" four times) are told apart
    by their number and size: "… (2 von 4, ca. 1.200 m²)".
    """
    bases = []
    for layer_name, properties, _area in items:
        title = feature_title(properties)
        bases.append(f"{layer_name}: {title}" if title else layer_name)
    totals = Counter(bases)
    numbers: Counter = Counter()
    labels = []
    for base, (_layer, _properties, area) in zip(bases, items, strict=True):
        if totals[base] == 1:
            labels.append(base)
            continue
        numbers[base] += 1
        params = {"label": base, "number": numbers[base], "count": totals[base]}
        if area:
            params["area"] = formats.number_format(
                round(area, -1 if area >= 100 else 0), 0, use_l10n=True, force_grouping=True
            )
            labels.append(gettext("%(label)s (%(number)s von %(count)s, ca. %(area)s m²)") % params)
        else:
            labels.append(gettext("%(label)s (%(number)s von %(count)s)") % params)
    return labels


def layer_label_config(
    labels: Mapping[str, str] | None,
    fields: Iterable[str] = (),
    codes: Mapping[str, Mapping[str, str]] | None = None,
    hidden: Iterable[str] = (),
) -> dict:
    """Return what plan_layers.js needs to label a layer's attributes: labels, code lists, hidden names.

    `codes` and `hidden`: the layer's own code lists and hidden attributes (`xplan_codes`, `xplan_hidden`).
    """
    names = set(labels or {}) | set(fields)
    own_codes = {name: dict(values) for name, values in (codes or {}).items()}
    return {
        "attributes": {name: attribute_label(name, labels) for name in names if not is_hidden(name)},
        "codes": {
            **{
                name: {code: str(label) for code, label in CODE_LISTS[name.lower()].items()}
                for name in names
                if name.lower() in CODE_LISTS and name not in own_codes
            },
            **own_codes,
        },
        "abbreviations": {code: str(label) for code, label in BAUNVO_ABBREVIATIONS.items()},
        "hidden": sorted(HIDDEN_ATTRIBUTES | {name.lower() for name in hidden}),
        "order": list(ATTRIBUTE_LABELS),
        "yes": gettext("ja"),
        "no": gettext("nein"),
    }
