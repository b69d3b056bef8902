"""XPlanGML import from the model table: German class names and kinds, Bereiche, label layers,
code lists in the popup, SO plans, several plans per file and XPlanGML 4.1."""

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from geodata.importers import ImportRejected
from geodata.labels import feature_rows, xplan_codes, xplan_hidden
from geodata.models import Feature, Layer
from geodata.services import plan_version_validation_override, xplan_import
from participation.forms import plan_feature_choices
from plans import services as plan_services
from plans.models import Plan
from plans.rules import SYSTEM
from tests.factories import MunicipalityFactory, square

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data" / "xplan"


@pytest.fixture
def usingen(db):
    return MunicipalityFactory(name="Stadt Usingen", slug="usingen", ags="06434011", boundary=square(8.45, 50.28, 0.2))


def _layers(plan_id):
    return {(layer.xplan_class, layer.bereich): layer for layer in Layer.objects.filter(plan_id=plan_id, current=True)}


def test_two_bereiche_give_one_layer_per_class_and_bereich(usingen):
    report = xplan_import(by=SYSTEM, path=DATA / "bplan_6_0_two_bereiche.gml")
    layers = _layers(report.plan_id)
    assert set(layers) == {
        ("BP_BaugebietsTeilFlaeche", "Ursprungsplan"),
        ("BP_BaugebietsTeilFlaeche", "Bereich 1"),
        ("BP_GruenFlaeche", "Ursprungsplan"),  # assigned by the Bereich's planinhalt, not by the object
        ("BP_GruenFlaeche", "Bereich 1"),
        ("XP_PPO", "Ursprungsplan"),
        ("XP_PTO", "Ursprungsplan"),
    }
    wa = layers[("BP_BaugebietsTeilFlaeche", "Ursprungsplan")]
    assert (wa.name, wa.kind, wa.xplan_version) == ("Baugebietsteilfläche – Ursprungsplan", "building_areas", "6.0")
    assert [f.source_id for f in wa.features.all()] == ["GML_fb_wa0"]
    green = layers[("BP_GruenFlaeche", "Bereich 1")]
    assert (green.name, green.kind) == ("Grünfläche – Bereich 1", Layer.Kind.GREEN_SPACES)
    assert {entry["bereich"] for entry in report.layers} == {"Ursprungsplan", "Bereich 1"}


def test_reimport_keeps_layers_per_bereich(usingen):
    first = xplan_import(by=SYSTEM, path=DATA / "bplan_6_0_two_bereiche.gml")
    ids = {key: layer.pk for key, layer in _layers(first.plan_id).items()}
    second = xplan_import(by=SYSTEM, path=DATA / "bplan_6_0_two_bereiche.gml")
    assert second.plan_id == first.plan_id and second.version_number == 2
    # Version 2 has its own layer per class and Bereich, each in the place of the one it replaces.
    current = _layers(first.plan_id)
    assert set(current) == set(ids) and not set(layer.pk for layer in current.values()) & set(ids.values())
    assert all(current[key].order == Layer.objects.get(pk=pk).order for key, pk in ids.items())
    assert (second.updated, second.deleted) == (0, 0)  # nothing changed against version 1


def test_one_bereich_keeps_plain_layer_names(usingen, tmp_path):
    text = (DATA / "two_plans_6_0.gml").read_text()
    report = xplan_import(by=SYSTEM, path=DATA / "two_plans_6_0.gml", plan_id="GML_two_bp")
    layer = Layer.objects.get(plan_id=report.plan_id)
    assert (layer.name, layer.bereich) == ("Baugebietsteilfläche", "")
    assert "GML_two_fp" in text and Plan.objects.count() == 1


def test_presentation_objects_become_a_label_layer_with_text_and_rotation(usingen):
    report = xplan_import(by=SYSTEM, path=DATA / "bplan_6_0_two_bereiche.gml")
    layers = _layers(report.plan_id)
    pto, ppo = layers[("XP_PTO", "Ursprungsplan")], layers[("XP_PPO", "Ursprungsplan")]
    assert pto.kind == ppo.kind == Layer.Kind.LABELS
    assert pto.name == "Textförmiges Präsentationsobjekt – Ursprungsplan"
    text = Feature.objects.get(source_id="GML_fb_pto")
    assert text.properties["beschriftung"] == "Am Feldbergblick" and text.properties["drehwinkel"] == "30"
    assert text.geometry.geom_type == "Point"
    # The XP_PPO shows the Art der baulichen Nutzung of the Baugebiet it presents, as plans print it.
    assert Feature.objects.get(source_id="GML_fb_ppo").properties["beschriftung"] == "WA"
    # References and the attribute names of a presentation object are not shown to people.
    assert {"art", "dientZurDarstellungVon"} <= xplan_hidden("XP_PPO", "6.0")
    assert "art" not in ppo.attribute_labels and "beschriftung" in ppo.attribute_labels


def test_plan_page_shows_code_list_text_and_lists_the_labels(usingen, client):
    report = xplan_import(by=SYSTEM, path=DATA / "bplan_6_0_two_bereiche.gml")
    plan = Plan.objects.get(pk=report.plan_id)
    # The sample's Bereiche leave Flächenschluss gaps (errors in the Prüfbericht): publish with a reason.
    plan_version_validation_override(version=plan.versions.get(), by=SYSTEM, reason="Beispieldatei")
    plan_services.plan_publish(plan=plan, by=SYSTEM)
    html = client.get(plan.get_absolute_url()).content.decode()
    config = json.loads(re.search(r'id="plan-layers-config" type="application/json">(.*?)</script>', html).group(1))
    by_name = {entry["name"]: entry for entry in config}
    wa = by_name["Baugebietsteilfläche – Ursprungsplan"]
    assert wa["labels"]["codes"]["besondereArtDerBaulNutzung"]["1200"] == "1200 – Allgemeines Wohngebiet"
    assert wa["labels"]["codes"]["bauweise"]["1000"] == "1000 – Offene Bauweise"
    assert wa["labels"]["attributes"]["besondereArtDerBaulNutzung"] == "Art der baulichen Nutzung"
    green = by_name["Grünfläche – Ursprungsplan"]
    assert green["labels"]["codes"]["allgemein"]["1200"] == "1200 – Dauerkleingarten"  # inside a data type
    labels = by_name["Textförmiges Präsentationsobjekt – Ursprungsplan"]
    assert labels["labelLayer"] is True and labels["texts"] == ["Am Feldbergblick"]
    assert "<li>Am Feldbergblick</li>" in html  # the same text outside the map, for screen readers
    # A statement refers to plan contents, not to their labels.
    choices = [label for _pk, label in plan_feature_choices(plan)]
    assert len(choices) == 4 and not any("Präsentationsobjekt" in label for label in choices)


def test_feature_rows_show_codes_as_number_and_text(usingen):
    report = xplan_import(by=SYSTEM, path=DATA / "bplan_6_0_two_bereiche.gml")
    layer = _layers(report.plan_id)[("BP_BaugebietsTeilFlaeche", "Ursprungsplan")]
    feature = layer.features.get()
    rows = feature_rows(feature.properties, layer.attribute_labels, xplan_codes(layer.xplan_class, layer.xplan_version))
    assert ("Art der baulichen Nutzung", "1200 – Allgemeines Wohngebiet") in rows
    assert feature.properties["besondereArtDerBaulNutzung"] == "1200"  # the raw value is kept


def test_so_plan_is_accepted_as_a_statute_with_existing_stock(usingen):
    report = xplan_import(by=SYSTEM, path=DATA / "so_plan_5_4.gml")
    plan = Plan.objects.get(pk=report.plan_id)
    assert (plan.title, plan.kind) == ("Denkmalbereich Altstadt", Plan.Kind.STATUTE)
    layer = Layer.objects.get(plan=plan)
    assert (layer.name, layer.kind, layer.xplan_version) == ("Denkmalschutzrecht", Layer.Kind.EXISTING, "5.4")
    codes = xplan_codes(layer.xplan_class, layer.xplan_version)
    assert codes["artDerFestlegung"]["1100"] == "1100 – Denkmalschutz-Einzelanlage"


def test_two_plans_in_one_file_become_two_plans_and_the_report_lists_each(usingen):
    out = io.StringIO()
    call_command("import_xplan", str(DATA / "two_plans_6_0.gml"), stdout=out)
    plans = {plan.title: plan for plan in Plan.objects.all()}
    assert set(plans) == {"Hinter der Kirche", "5. Änderung des Flächennutzungsplans"}
    assert plans["Hinter der Kirche"].kind == Plan.Kind.BPLAN
    assert plans["5. Änderung des Flächennutzungsplans"].kind == Plan.Kind.FNP_CHANGE
    fnp_layer = Layer.objects.get(plan=plans["5. Änderung des Flächennutzungsplans"])
    assert (fnp_layer.xplan_class, fnp_layer.name) == ("FP_BebauungsFlaeche", "Bebauungsfläche")
    assert [f.source_id for f in fnp_layer.features.all()] == ["GML_two_w"]
    text = out.getvalue()
    assert "Plan „Hinter der Kirche“" in text and "Plan „5. Änderung des Flächennutzungsplans“" in text


def test_two_plans_report_and_one_chosen(usingen):
    report = xplan_import(by=SYSTEM, path=DATA / "two_plans_6_0.gml")
    assert [entry["title"] for entry in report.plans] == ["Hinter der Kirche", "5. Änderung des Flächennutzungsplans"]
    assert all(entry["action"] == "neu angelegt" for entry in report.plans)
    assert (report.found, report.created) == (2, 2)


def test_staff_preview_of_two_plans_shows_each_and_the_import_makes_a_version_of_each(
    usingen, client, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from geodata.models import ImportRun, PlanVersion
    from plans.models import Membership
    from tests.factories import MembershipFactory

    xplan_import(by=SYSTEM, path=DATA / "two_plans_6_0.gml", plan_id="GML_two_bp")  # the BPlan exists already
    client.force_login(MembershipFactory(municipality=usingen, role=Membership.Role.PLANNER).user)
    upload = SimpleUploadedFile("two.gml", (DATA / "two_plans_6_0.gml").read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("geodata:xplan_import"), {"file": upload, "municipality": usingen.pk})
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.READY, run.error
    page = client.get(response.url).content.decode()
    assert "Die Datei enthält 2 Pläne" in page
    assert "Aktualisiert Plan „Hinter der Kirche“ (Fassung 1 → 2)" in page
    assert "Neuer Plan „5. Änderung des Flächennutzungsplans“ (1. Fassung)" in page
    assert "Prüfbericht" in page and "2 Fehler" in page  # one Flächenschluss gap per plan
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("geodata:import_run_confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    assert [entry["version"] for entry in run.report["plans"]] == [2, 1]
    fnp = Plan.objects.get(title="5. Änderung des Flächennutzungsplans")
    for version in (PlanVersion.objects.get(plan__title="Hinter der Kirche", number=2), fnp.versions.get()):
        assert version.import_run == run and len(version.validation["errors"]) == 1  # each its own Prüfbericht


def test_two_plans_and_an_explicit_plan_to_update_is_refused(usingen):
    xplan_import(by=SYSTEM, path=DATA / "two_plans_6_0.gml")
    target = Plan.objects.get(title="Hinter der Kirche")
    with pytest.raises(ImportRejected) as refused:
        xplan_import(by=SYSTEM, path=DATA / "two_plans_6_0.gml", plan=target)
    assert refused.value.code == "several_plans"
    report = xplan_import(by=SYSTEM, path=DATA / "two_plans_6_0.gml", plan=target, plan_id="GML_two_bp")
    assert report.plan_id == target.pk and Plan.objects.count() == 2


def test_xplan_4_1_is_read_with_its_own_table(usingen):
    report = xplan_import(by=SYSTEM, path=DATA / "bplan_4_1.gml")
    plan = Plan.objects.get(pk=report.plan_id)
    assert (plan.title, plan.stage) == ("Am alten Sportplatz", "in_force")
    layer = Layer.objects.get(plan=plan)
    assert (layer.name, layer.kind, layer.xplan_version) == ("Baugebietsteilfläche", "building_areas", "4.1")
    assert report.source_crs == "EPSG:31467"
    codes = xplan_codes(layer.xplan_class, layer.xplan_version)
    assert codes["besondereArtDerBaulNutzung"]["1200"] == "1200 – Allgemeines Wohngebiet"


def test_xplan_3_is_refused_in_german(usingen, tmp_path):
    path = tmp_path / "alt.gml"
    path.write_text((DATA / "bplan_4_1.gml").read_text().replace("xplangml/4/1", "xplangml/3/0"))
    with pytest.raises(ImportRejected) as refused:
        xplan_import(by=SYSTEM, path=path)
    assert refused.value.code == "unsupported_version" and "4.x, 5.x und 6.x" in str(refused.value)
    assert Plan.objects.count() == 0
