"""The generated XPlanung model table as the import reads it."""

import pytest

from geodata import xplan_model
from geodata.importers.xplan_objects import bereich_labels, label_text, layer_for_class
from geodata.models import Layer


@pytest.mark.parametrize(
    ("version", "expected"), [("4.0", "4.1"), ("5.1", "5.4"), ("5.4", "5.4"), ("6.0", "6.0"), ("6.1", "6.1")]
)
def test_versions_map_to_their_table(version, expected):
    assert xplan_model.table_version(version) == expected


def test_unknown_version_is_not_supported():
    assert not xplan_model.is_supported("3.0") and xplan_model.table("3.0")["classes"] == {}


def test_class_info_has_german_name_chain_and_inherited_attributes():
    info = xplan_model.class_info("6.0", "BP_BaugebietsTeilFlaeche")
    assert info["name"] == "Baugebietsteilfläche" and not info["abstract"]
    assert info["chain"][:2] == ["BP_Flaechenschlussobjekt", "BP_Flaechenobjekt"] and "XP_Objekt" in info["chain"]
    assert "rechtscharakter" in info["attributes"]  # inherited from XP_Objekt
    assert info["doc"].startswith("Teil eines Baugebiets")


def test_class_missing_in_a_version_falls_back_to_another_table():
    assert xplan_model.class_info("6.0", "BP_StrassenVerkehrsFlaeche")["name"] == "Straßenverkehrsfläche"
    assert xplan_model.class_info("6.0", "XX_Unbekannt") is None


def test_code_labels_and_tokens():
    assert xplan_model.code_label("6.0", "XP_BesondereArtDerBaulNutzung", "1200") == "Allgemeines Wohngebiet"
    assert xplan_model.code_label("5.4", "XP_BesondereArtDerBaulNutzung", "1450") == "Dörfliches Wohngebiet"
    assert xplan_model.code_token("6.0", "XP_BesondereArtDerBaulNutzung", "1200") == "WA"
    assert xplan_model.code_label("6.0", "XP_BesondereArtDerBaulNutzung", "0000") is None
    assert xplan_model.attribute_label("6.0", "BP_BaugebietsTeilFlaeche", "GRZ") == "Maximal zulässige Grundflächenzahl"


@pytest.mark.parametrize(
    ("cls", "name", "kind"),
    [
        ("BP_BaugebietsTeilFlaeche", "Baugebietsteilfläche", Layer.Kind.BUILDING_AREAS),
        ("BP_UeberbaubareGrundstuecksFlaeche", "Überbaubare Grundstücksfläche", Layer.Kind.BUILDING_AREAS),
        ("BP_BauGrenze", "Baugrenze", Layer.Kind.BUILDING_AREAS),
        ("FP_BebauungsFlaeche", "Bebauungsfläche", Layer.Kind.BUILDING_AREAS),
        ("BP_GruenFlaeche", "Grünfläche", Layer.Kind.GREEN_SPACES),
        ("FP_WaldFlaeche", "Waldfläche", Layer.Kind.GREEN_SPACES),
        ("FP_Landwirtschaft", "Landwirtschaft", Layer.Kind.GREEN_SPACES),
        ("BP_StrassenbegrenzungsLinie", "Straßenbegrenzungslinie", Layer.Kind.TRAFFIC_AREAS),
        ("BP_VerkehrsflaecheBesondererZweckbestimmung", "Verkehrsfläche besonderer Zweckbestimmung", "traffic_areas"),
        ("SO_Denkmalschutzrecht", "Denkmalschutzrecht", Layer.Kind.EXISTING),
        ("XP_Nutzungsschablone", "Nutzungsschablone", Layer.Kind.LABELS),
        ("XP_PTO", "Textförmiges Präsentationsobjekt", Layer.Kind.LABELS),
        ("BP_GemeinbedarfsFlaeche", "Gemeinbedarfsfläche", Layer.Kind.OTHER),
    ],
)
def test_layer_names_and_kinds_come_from_the_table(cls, name, kind):
    assert layer_for_class("6.0", cls) == (name, kind)


def test_layer_of_nachrichtliche_uebernahmen_only_is_existing_stock():
    assert layer_for_class("6.0", "BP_GemeinbedarfsFlaeche", legal={"2000"})[1] == Layer.Kind.EXISTING
    assert layer_for_class("6.0", "BP_GruenFlaeche", bereich="Teil B", legal={"1000", "2000"}) == (
        "Grünfläche – Teil B",
        Layer.Kind.GREEN_SPACES,
    )


def test_bereich_labels_are_names_numbers_and_never_repeat():
    labels = bereich_labels(
        {"b0": {"name": "Ursprungsplan", "nummer": "0"}, "b1": {"nummer": "1"}, "b2": {"nummer": "1"}}
    )
    assert labels == {"b0": "Ursprungsplan", "b1": "Bereich 1 (b1)", "b2": "Bereich 1 (b2)"}


def test_label_text_of_a_nutzungsschablone_lists_the_presented_attributes():
    objects = {
        "wa": ("BP_BaugebietsTeilFlaeche", {"besondereArtDerBaulNutzung": "1200", "GRZ": "0.4", "bauweise": "1000"})
    }
    schablone = {"dientZurDarstellungVon": "#wa", "art": ["besondereArtDerBaulNutzung", "GRZ", "bauweise"]}
    assert label_text("6.0", schablone, objects) == "WA 0.4 o"
    assert label_text("6.0", {"schriftinhalt": "Lindenweg", "art": "GRZ"}, objects) == "Lindenweg"
    assert label_text("6.0", {"dientZurDarstellungVon": "#fehlt", "art": "GRZ"}, objects) == ""
