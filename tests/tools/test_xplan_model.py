"""The dev-time generator of the XPlanung model table, run on a small schema module written here."""

import importlib.util
import json
import zipfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "xplan_model.py"
spec = importlib.util.spec_from_file_location("xplan_model_tool", SCRIPT)
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)

# Shaped like xplan-tools' generated modules (pydantic classes, Field metadata); written for this test.
SOURCE = '''
class Model(RootModel[Any]):
    root: Annotated[Any, Field(json_schema_extra={"namespace_uri": "http://www.xplanung.de/xplangml/6/0"})]


class XPObjekt(BaseFeature):
    """Abstrakte Oberklasse für alle XPlanung-Fachobjekte. Weitere Sätze."""

    abstract: ClassVar[bool] = True
    stereotype: ClassVar[str] = "FeatureType"
    gehoertZuBereich: Annotated[
        AnyUrl | UUID | None,
        Field(
            description="Verweis auf den Bereich, zu dem der Planinhalt gehört.",
            json_schema_extra={"typename": "BP_Bereich", "stereotype": "Association", "multiplicity": "0..1"},
        ),
    ] = None


class BPObjekt(XPObjekt):
    """Basisklasse für alle Festsetzungen eines Bebauungsplans."""

    abstract: ClassVar[bool] = True
    stereotype: ClassVar[str] = "FeatureType"


class BPUeberbaubareGrundstuecksFlaeche(BPObjekt):
    """Festsetzung der überbaubaren Grundstücksfläche (§9, Abs. 1, Nr. 2 BauGB). Mehr."""

    abstract: ClassVar[bool] = False
    stereotype: ClassVar[str] = "FeatureType"
    bauweise: Annotated[
        Literal["1000", "2000"] | None,
        Field(
            description="Festsetzung der Bauweise  (§9, Abs. 1, Nr. 2 BauGB).",
            json_schema_extra={
                "typename": "BP_Bauweise",
                "stereotype": "Enumeration",
                "multiplicity": "0..1",
                "enumDescription": {
                    "1000": {"name": "OffeneBauweise", "alias": "Offene Bauweise", "token": "o"},
                    "2000": {"name": "GeschlosseneBauweise"},
                },
            },
        ),
    ] = None
    GFZmax: Annotated[
        float | None,
        Field(
            description="Maximal zulässige Geschossflächenzahl bei einer Bereichsangabe, wenn das so ist.",
            json_schema_extra={"typename": "Decimal", "stereotype": "BasicType", "multiplicity": "0..1"},
        ),
    ] = None
'''


def test_generator_reads_classes_chains_names_and_code_lists_with_ast():
    tables = tool.build({"6.0": SOURCE})
    table = tables["6.0"]
    entry = table["classes"]["BP_UeberbaubareGrundstuecksFlaeche"]
    assert entry["name"] == "Überbaubare Grundstücksfläche"
    assert entry["chain"] == ["BP_Objekt", "XP_Objekt"] and entry["abstract"] is False
    assert entry["doc"] == "Festsetzung der überbaubaren Grundstücksfläche (§9, Abs. 1, Nr. 2 BauGB)"
    assert entry["attributes"]["bauweise"]["label"] == "Festsetzung der Bauweise"
    assert entry["attributes"]["bauweise"]["enum"] == "BP_Bauweise"
    assert entry["attributes"]["GFZmax"]["label"] == "Maximal zulässige Geschossflächenzahl bei einer Bereichsangabe"
    assert table["classes"]["XP_Objekt"]["attributes"]["gehoertZuBereich"]["stereotype"] == "Association"
    # A code without a German alias gets one derived from its name.
    assert table["enums"]["BP_Bauweise"] == {"1000": "Offene Bauweise", "2000": "Geschlossene Bauweise"}
    assert table["tokens"]["BP_Bauweise"] == {"1000": "o"}
    assert "Model" not in table["classes"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("BP_GruenFlaeche", "Grünfläche"),
        ("BP_StrassenVerkehrsFlaeche", "Straßenverkehrsfläche"),
        ("BP_VerkehrsflaecheBesondererZweckbestimmung", "Verkehrsfläche besonderer Zweckbestimmung"),
        ("BP_AusgleichsMassnahme", "Ausgleichsmaßnahme"),
        ("BP_FlaecheOhneFestsetzung", "Fläche ohne Festsetzung"),
        ("BP_NichtUeberbaubareGrundstuecksflaeche", "Nicht überbaubare Grundstücksfläche"),
        ("BP_HoehenMass", "Höhenmaß"),
        ("FP_Gruen", "Grünfläche"),
        ("SO_Denkmalschutzrecht", "Denkmalschutzrecht"),
        ("XP_PTO", "Textförmiges Präsentationsobjekt"),
        ("BP_Feuerwehrzufahrt", "Feuerwehrzufahrt"),  # "ue" outside the checked words stays
    ],
)
def test_display_names(name, expected):
    assert tool.display_name(name) == expected


def test_generator_writes_one_table_per_version_from_a_wheel(tmp_path, monkeypatch):
    wheel = tmp_path / "xplan_tools-0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for module in tool.VERSIONS.values():
            archive.writestr(f"xplan_tools/model/appschema/{module}.py", SOURCE)
    monkeypatch.setattr(tool, "OUT", tmp_path / "out")
    assert tool.main(["xplan_model.py", str(wheel)]) == 0
    written = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert written == ["xplan_41.json", "xplan_54.json", "xplan_60.json", "xplan_61.json"]
    table = json.loads((tmp_path / "out" / "xplan_54.json").read_text())
    assert table["version"] == "5.4" and "BP_UeberbaubareGrundstuecksFlaeche" in table["classes"]
