"""XPlanung objects beyond plain content: layer names and kinds, Bereiche and presentation objects.

Class names, base classes, attribute labels and code lists come from the generated model table
(`geodata.xplan_model`), not from a hand list.
"""

from collections.abc import Iterable, Mapping

import shapely
from django.utils.translation import gettext as _

from .. import xplan_model
from ..models import Layer

PRESENTATION_BASE = "XP_AbstraktesPraesentationsobjekt"
PRESENTATION_CLASSES = ("XP_PTO", "XP_PPO", "XP_LTO", "XP_LPO", "XP_FPO", "XP_TPO", "XP_Praesentationsobjekt")
# Content of sonstige Planwerke (SO_) is by definition a nachrichtliche Übernahme.
EXISTING_PREFIXES = ("SO_",)
NACHRICHTLICHE_UEBERNAHME = "2000"  # XP_Rechtscharakter (5.x: BP/FP_Rechtscharakter) "NachrichtlicheUebernahme"
# Words of the class name (lower case, ASCII as in XPlanung) -> layer kind; first match wins.
KIND_WORDS = (
    (("geltungsbereich",), Layer.Kind.SCOPE),
    (("bestand",), Layer.Kind.EXISTING),
    (
        ("baugebiet", "bebauung", "ueberbaubare", "baugrenze", "baulinie", "gebaeude", "bauweise", "wohnbau"),
        Layer.Kind.BUILDING_AREAS,
    ),
    (("gruen", "wald", "landwirtschaft", "anpflanzung", "ausgleich", "schutzpflege"), Layer.Kind.GREEN_SPACES),
    (("verkehr", "strasse", "einfahrt", "wegerecht"), Layer.Kind.TRAFFIC_AREAS),
)


def href_id(value) -> str:
    """Return the gml:id an xlink:href points at ("#GML_1" or "file.gml#GML_1" -> "GML_1")."""
    if isinstance(value, list):
        value = value[0] if value else ""
    text = str(value or "").strip()
    return text.rsplit("#", 1)[-1] if "#" in text else text


def href_ids(value) -> list[str]:
    """Return every gml:id of a (possibly repeated) reference property."""
    values = value if isinstance(value, list) else [value]
    return [ident for ident in (href_id(v) for v in values if isinstance(v, str)) if ident]


def is_presentation(version: str, cls: str) -> bool:
    """Return whether `cls` is a presentation object (XP_PTO, XP_PPO, XP_Nutzungsschablone, ...)."""
    return cls in PRESENTATION_CLASSES or xplan_model.is_a(version, cls, PRESENTATION_BASE)


def is_bereich(version: str, cls: str) -> bool:
    """Return whether `cls` is a Bereich (BP_Bereich, FP_Bereich, ...)."""
    return cls.endswith("_Bereich") or xplan_model.is_a(version, cls, "XP_Bereich")


def class_name(version: str, cls: str) -> str:
    """Return the German name of class `cls` ("BP_GruenFlaeche" -> "Grünfläche"); the class itself if unknown."""
    info = xplan_model.class_info(version, cls)
    return info["name"] if info else cls


def layer_kind(version: str, cls: str, legal: Iterable[str] = ()) -> str:
    """Return the Layer.Kind of class `cls`: from its base classes, its name and the features' Rechtscharakter.

    `legal`: the rechtscharakter values of the layer's features; a layer of nachrichtliche
    Übernahmen only is existing stock.
    """
    if is_presentation(version, cls):
        return Layer.Kind.LABELS
    values = set(legal)
    if cls.startswith(EXISTING_PREFIXES) or (values and values <= {NACHRICHTLICHE_UEBERNAHME}):
        return Layer.Kind.EXISTING
    lower = cls.lower()
    for words, kind in KIND_WORDS:
        if any(word in lower for word in words):
            return kind
    return Layer.Kind.OTHER


def layer_for_class(version: str, cls: str, bereich: str = "", legal: Iterable[str] = ()) -> tuple[str, str]:
    """Return the layer name ("Grünfläche", with " – <Bereich>" if given) and Layer.Kind of class `cls`."""
    name = class_name(version, cls)
    return (f"{name} – {bereich}" if bereich else name)[:200], layer_kind(version, cls, legal)


def bereich_label(properties: Mapping) -> str:
    """Return how a Bereich is called: its name, else "Bereich <nummer>"."""
    name = properties.get("name")
    name = name[0] if isinstance(name, list) and name else name
    if isinstance(name, str) and name.strip():
        return name.strip()
    number = properties.get("nummer")
    number = number[0] if isinstance(number, list) and number else number
    return _("Bereich %(number)s") % {"number": str(number or "").strip() or "?"}


def bereich_labels(bereiche: Mapping[str, Mapping]) -> dict[str, str]:
    """Return {gml:id: label} of a plan's Bereiche; labels that would repeat get the gml:id added."""
    labels = {bereich_id: bereich_label(properties) for bereich_id, properties in bereiche.items()}
    repeated = {label for label in labels.values() if list(labels.values()).count(label) > 1}
    return {
        bereich_id: f"{label} ({bereich_id})" if label in repeated else label for bereich_id, label in labels.items()
    }


def _pick(value, index):
    if isinstance(value, list):
        if index is not None and 0 <= index < len(value):
            return value[index]
        return value[0] if value else None
    return value


def _code_text(version: str, cls: str, attribute: str, value) -> str:
    """Return a coded value as printed on plans: its token ("WA"), else its label, else the value."""
    if isinstance(value, dict):  # a data type such as BP_KomplexeZweckbestGruen: its first coded part
        for sub_attribute, sub_value in value.items():
            text = _code_text(version, cls, sub_attribute, sub_value)
            if text:
                return text
        return ""
    text = str(value or "").strip()
    entry = xplan_model.attribute_info(version, cls, attribute)
    enum = entry.get("enum") if entry else None
    if enum is None:  # a part of a data type: its code list is listed under the part's name
        return xplan_model.code_lists(version, cls).get(attribute, {}).get(text, text)
    return xplan_model.code_token(version, enum, text) or xplan_model.code_label(version, enum, text) or text


def label_text(version: str, properties: Mapping, objects: Mapping[str, tuple[str, Mapping]]) -> str:
    """Return the text a presentation object shows: its schriftinhalt, else the attributes named in `art`
    (with `index`) of the object it presents (`dientZurDarstellungVon`), coded values as their token."""
    own = properties.get("schriftinhalt")
    own = own[0] if isinstance(own, list) and own else own
    if isinstance(own, str) and own.strip():
        return own.strip()
    target = objects.get(href_id(properties.get("dientZurDarstellungVon")))
    arts = properties.get("art")
    if target is None or not arts:
        return ""
    cls, target_properties = target
    raw_index = properties.get("index")
    raw_index = str((raw_index[0] if raw_index else "") if isinstance(raw_index, list) else (raw_index or "")).strip()
    index = int(raw_index) if raw_index.isdigit() else None
    parts = []
    for art in arts if isinstance(arts, list) else [arts]:
        path = [step.split("[", 1)[0] for step in str(art).split("/") if step]
        value: object = target_properties
        attribute = ""
        for step in path:
            value = _pick(value, index) if isinstance(value, list) else value
            value = value.get(step) if isinstance(value, dict) else None
            attribute = step
        value = _pick(value, index)
        if value not in (None, "", {}):
            parts.append(_code_text(version, cls, attribute, value))
    return " ".join(part for part in parts if part)


def label_point(geometry):
    """Return where a label stands: the geometry itself if a point, else a point on it."""
    if geometry is None or geometry.geom_type == "Point":
        return geometry
    if geometry.geom_type == "MultiPoint":
        return shapely.get_geometry(geometry, 0)
    if geometry.geom_type in ("LineString", "MultiLineString"):
        return shapely.line_interpolate_point(shapely.line_merge(geometry), 0.5, normalized=True)
    return geometry.representative_point()
