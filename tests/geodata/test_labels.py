"""Human labels for layer attributes: the XPlanung tables, the label map set at import, popup data and element list."""

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation
from shapely.geometry import box

from geodata.labels import (
    attribute_label,
    feature_choice_labels,
    feature_rows,
    labels_for_fields,
    value_label,
)
from geodata.models import Layer
from geodata.services import layer_after_import, xplan_import
from participation.forms import plan_feature_choices
from plans.rules import SYSTEM
from tests.factories import ConsultationFactory, FeatureFactory, LayerFactory, MunicipalityFactory, PlanFactory, square

from .conftest import ORIGIN_25832, sample_frame

DATA = Path(__file__).resolve().parents[1] / "data" / "geodata"


@pytest.fixture(autouse=True)
def _german():
    with translation.override("de"):
        yield


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("nutzung", "WA", "Allgemeines Wohngebiet"),
        ("nutzung", "WA 2", "Allgemeines Wohngebiet (WA 2)"),
        ("art", "MU", "Urbanes Gebiet"),
        ("nutzung", "GI", "Industriegebiet"),
        ("besondereArtDerBaulNutzung", "1200", "Allgemeines Wohngebiet"),
        ("besondereArtDerBaulNutzung", "1100", "Reines Wohngebiet"),
        ("besondereArtDerBaulNutzung", "1500", "Mischgebiet"),
        ("allgArtDerBaulNutzung", "1000", "Wohnbaufläche"),
        ("allgArtDerBaulNutzung", "3000", "Gewerbliche Baufläche"),
        ("bauweise", "1000", "offene Bauweise"),
        ("bauweise", "g", "geschlossene Bauweise"),
        ("bebauungsArt", "4000", "nur Einzel- und Doppelhäuser"),
        ("dachform", "3100", "Satteldach"),
        ("rechtscharakter", "1000", "Festsetzung"),
        ("grz", 0.4, "0,4"),
        ("zweckbestimmung", "Spielplatz", "Spielplatz"),
        ("nutzung", "Öffentliche Grünfläche", "Öffentliche Grünfläche"),
    ],
)
def test_code_lists_translate_values(key, value, expected):
    assert value_label(key, value) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("GRZ", "Grundflächenzahl"),
        ("grz", "Grundflächenzahl"),
        ("GFZ", "Geschossflächenzahl"),
        ("Z", "Zahl der Vollgeschosse"),
        ("geschosse", "Zahl der Vollgeschosse"),
        ("besondereArtDerBaulNutzung", "Art der baulichen Nutzung"),
        ("nutzung", "Art der baulichen Nutzung"),
        ("bauweise", "Bauweise"),
        ("Eigentümer", "Eigentümer"),  # unknown: shown as it is
    ],
)
def test_attribute_names_have_labels(key, expected):
    assert attribute_label(key) == expected


def test_label_map_leaves_out_ids_and_unknown_fields_and_own_labels_win():
    assert labels_for_fields(["id", "gml_id", "nutzung", "GRZ", "Eigentümer", "gehoertZuBereich"]) == {
        "nutzung": "Art der baulichen Nutzung",
        "GRZ": "Grundflächenzahl",
    }
    assert attribute_label("Eigentümer", {"Eigentümer": "Eigentum"}) == "Eigentum"


def test_feature_rows_are_human_without_ids_or_references():
    rows = feature_rows(
        {
            "id": 4,
            "gml_id": "GML_wa1",
            "gehoertZuBereich": "#GML_bereich_0",
            "grz": 0.4,
            "nutzung": "WA",
            "besondereArtDerBaulNutzung": "1200",
            "geschosse": 2,
            "bemerkung": None,
        },
        {"grz": "Grundflächenzahl", "nutzung": "Art der baulichen Nutzung"},
    )
    assert rows == [
        ("Art der baulichen Nutzung", "Allgemeines Wohngebiet"),  # said once, though two attributes say it
        ("Grundflächenzahl", "0,4"),
        ("Zahl der Vollgeschosse", "2"),
    ]


def test_identical_list_entries_are_told_apart_by_number_and_size():
    labels = feature_choice_labels(
        [
            ("Baugebiete", {"nutzung": "WA", "id": "1"}, 1234.0),
            ("Baugebiete", {"nutzung": "WA", "id": "2"}, 847.0),
            ("Baugebiete", {"nutzung": "MI"}, 3000.0),
            ("Grünflächen", {"id": "G1"}, None),
            ("Grünflächen", {"id": "G2"}, None),
        ]
    )
    assert labels == [
        "Baugebiete: Allgemeines Wohngebiet (1 von 2, ca. 1.230 m²)",
        "Baugebiete: Allgemeines Wohngebiet (2 von 2, ca. 850 m²)",
        "Baugebiete: Mischgebiet",
        "Grünflächen (1 von 2)",
        "Grünflächen (2 von 2)",
    ]
    assert len(set(labels)) == len(labels)


@pytest.mark.django_db
def test_import_layer_command_sets_the_label_map(tmp_path):
    plan = PlanFactory()
    path = tmp_path / "baugebiete.gpkg"
    sample_frame().to_file(path, layer="baugebiete", driver="GPKG")
    call_command("import_layer", plan.pk, str(path), "--name", "Baugebiete", stdout=io.StringIO())
    layer = Layer.objects.get(plan=plan)
    assert layer.attribute_labels == {"nutzung": "Art der baulichen Nutzung", "grz": "Grundflächenzahl"}


@pytest.mark.django_db
def test_xplan_import_sets_labels_for_the_xplanung_attributes():
    MunicipalityFactory(name="Stadt Usingen", slug="usingen", ags="06434011", boundary=square(8.45, 50.28, 0.2))
    report = xplan_import(by=SYSTEM, path=DATA / "bplan_5_4_epsg25832.gml")
    layer = Layer.objects.get(plan_id=report.plan_id, xplan_class="BP_BaugebietsTeilFlaeche")
    assert layer.attribute_labels["GRZ"] == "Grundflächenzahl"
    assert layer.attribute_labels["Z"] == "Zahl der Vollgeschosse"
    assert layer.attribute_labels["besondereArtDerBaulNutzung"] == "Art der baulichen Nutzung"
    assert "gml_id" not in layer.attribute_labels and "gehoertZuBereich" not in layer.attribute_labels


def _layers_config(html: str) -> list[dict]:
    return json.loads(re.search(r'id="plan-layers-config" type="application/json">(.*?)</script>', html).group(1))


@pytest.mark.django_db
def test_plan_page_sends_labels_and_code_lists_for_the_popup(client):
    plan = PlanFactory()
    layer = LayerFactory(plan=plan, name="Baugebiete", attribute_labels={"nutzung": "Art der baulichen Nutzung"})
    FeatureFactory(layer=layer, properties={"id": "4", "nutzung": "WA", "grz": 0.4})
    layer_after_import(by=SYSTEM, layer=layer)
    labels = _layers_config(client.get(plan.get_absolute_url()).content.decode())[0]["labels"]
    assert labels["attributes"] == {"nutzung": "Art der baulichen Nutzung"}
    assert labels["codes"]["nutzung"]["WA"] == "Allgemeines Wohngebiet"
    assert "id" in labels["hidden"] and "gml_id" in labels["hidden"]


@pytest.mark.django_db
def test_layer_imported_before_labels_existed_gets_labels_from_its_attributes(client):
    plan = PlanFactory()
    layer = LayerFactory(plan=plan, name="Baufelder")  # attribute_labels empty
    FeatureFactory(layer=layer, properties={"GFZ": 1.2, "bauweise": "o"})
    layer_after_import(by=SYSTEM, layer=layer)
    labels = _layers_config(client.get(plan.get_absolute_url()).content.decode())[0]["labels"]
    assert labels["attributes"] == {"GFZ": "Geschossflächenzahl", "bauweise": "Bauweise"}
    assert labels["codes"]["bauweise"]["o"] == "offene Bauweise"


@pytest.mark.django_db
def test_statement_form_lists_plan_contents_by_human_and_distinct_names(client):
    consultation = ConsultationFactory()
    plan = consultation.plan
    layer = LayerFactory(plan=plan, name="Baugebiete", order=1)
    x0, y0 = ORIGIN_25832
    for index, width in enumerate((40, 60, 80, 100)):
        geometry = box(x0 + index * 200, y0, x0 + index * 200 + width, y0 + 50)
        FeatureFactory(
            layer=layer, properties={"id": str(index + 1), "nutzung": "WA", "grz": 0.4}, geometry=_to_4326(geometry)
        )
    layer_after_import(by=SYSTEM, layer=layer)
    labels = [label for _pk, label in plan_feature_choices(plan)]
    assert labels == [
        "Baugebiete: Allgemeines Wohngebiet (1 von 4, ca. 2.000 m²)",
        "Baugebiete: Allgemeines Wohngebiet (2 von 4, ca. 3.000 m²)",
        "Baugebiete: Allgemeines Wohngebiet (3 von 4, ca. 4.000 m²)",
        "Baugebiete: Allgemeines Wohngebiet (4 von 4, ca. 5.000 m²)",
    ]
    html = client.get(plan.get_absolute_url()).content.decode()
    options = re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", html)
    assert "Baugebiete: Allgemeines Wohngebiet (2 von 4, ca. 3.000 m²)" in options
    assert "Baugebiete: WA" not in html and "nutzung WA" not in html


def _to_4326(polygon):
    from django.contrib.gis.geos import GEOSGeometry

    geometry = GEOSGeometry(polygon.wkt, srid=25832)
    geometry.transform(4326)
    return geometry
