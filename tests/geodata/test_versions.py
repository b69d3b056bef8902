"""Plan versions (Fassungen): every import makes one, earlier ones stay readable, statements keep their element."""

import datetime as dt
import importlib
import io
import json
import re

import geopandas as gpd
import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from shapely.geometry import box

from geodata.models import Feature, Layer, PlanVersion
from geodata.services import layer_import, plan_current_version, plan_version_create, xplan_import, xplan_preview
from participation.forms import plan_feature_choices
from participation.models import Statement
from participation.services.places import check_statement_place
from plans.models import Membership, Plan
from plans.rules import SYSTEM
from tests.factories import (
    ConsultationFactory,
    FeatureFactory,
    LayerFactory,
    MembershipFactory,
    MunicipalityFactory,
    PlanFactory,
    StatementFactory,
    square,
)

from .conftest import ORIGIN_25832
from .xplan_samples import write_xplan

pytestmark = pytest.mark.django_db

CHANGED = [
    ("GML_wa1", "BP_BaugebietsTeilFlaeche", (20, 20, 120), {"GRZ": "0.5"}),  # grown, new GRZ
    ("GML_wa3", "BP_BaugebietsTeilFlaeche", (160, 160, 50), {}),  # new; GML_wa2 is gone
    ("GML_gruen", "BP_GruenFlaeche", (20, 150, 100), {}),  # unchanged
]


@pytest.fixture
def usingen(db):
    return MunicipalityFactory(name="Stadt Usingen", slug="usingen", ags="06434011", boundary=square(8.45, 50.28, 0.2))


def publish(plan_id: int) -> Plan:
    Plan.objects.filter(pk=plan_id).update(
        status=Plan.Status.PUBLISHED, published_at=timezone.now() - dt.timedelta(days=1)
    )
    return Plan.objects.select_related("municipality").get(pk=plan_id)


def layer_config(html: str) -> list[dict]:
    return json.loads(re.search(r'id="plan-layers-config"[^>]*>(.*?)</script>', html, re.S).group(1))


def test_xplan_reimport_keeps_the_statement_on_version_1_and_the_plan_page_shows_version_2(client, usingen, tmp_path):
    first = xplan_import(by=SYSTEM, path=write_xplan(tmp_path, "entwurf.gml"))
    plan = publish(first.plan_id)
    v1_layers = set(plan.layers.values_list("pk", flat=True))
    wa1 = Feature.objects.get(source_id="GML_wa1")
    statement = StatementFactory(consultation=ConsultationFactory(plan=plan), feature=wa1)

    second = xplan_import(by=SYSTEM, path=write_xplan(tmp_path, "entwurf-2.gml", features=CHANGED))
    assert (second.plan_id, second.version_number) == (plan.pk, 2)
    statement.refresh_from_db()
    assert statement.feature_id == wa1.pk and Feature.objects.get(pk=wa1.pk).properties["GRZ"] == "0.4"
    v2 = plan_current_version(plan)
    v2_layers = set(v2.layers.values_list("pk", flat=True))
    assert v2.number == 2 and v2.source_name == "entwurf-2.gml" and not v1_layers & v2_layers

    page = client.get(plan.get_absolute_url()).content.decode()
    assert {layer["id"] for layer in layer_config(page)} == v2_layers
    assert reverse("geodata:plan_versions", args=[usingen.slug, plan.slug]) in page

    # Version 1 stays readable: its own page, its layers' GeoJSON and downloads.
    listing = client.get(reverse("geodata:plan_versions", args=[usingen.slug, plan.slug])).content.decode()
    assert "entwurf.gml" in listing and "entwurf-2.gml" in listing and "(aktuell)" in listing
    old = client.get(reverse("geodata:plan_version", args=[usingen.slug, plan.slug, 1])).content.decode()
    assert "Frühere Fassung vom" in old and "aktuelle Fassung ansehen" in old
    assert {layer["id"] for layer in layer_config(old)} == v1_layers
    assert "GML_wa2" in old  # the list alternative to the map names the elements of that version
    old_layer = Layer.objects.get(pk=min(v1_layers))
    assert client.get(reverse("geodata:layer_geojson", args=[old_layer.pk])).status_code == 200
    assert client.get(reverse("geodata:plan_version", args=[usingen.slug, plan.slug, 3])).status_code == 404

    # A citizen picks elements of the current version only; an old one is refused by the service.
    choices = dict(plan_feature_choices(plan))
    assert str(wa1.pk) not in choices
    assert Feature.objects.filter(pk__in=[int(pk) for pk in choices], layer__current=True).count() == len(choices)
    with pytest.raises(ValidationError) as exc:
        check_statement_place(statement.consultation, feature=wa1)
    assert exc.value.error_dict["feature"][0].code == "outdated_feature"
    check_statement_place(statement.consultation, feature=Feature.objects.get(source_id="GML_wa1", layer__current=True))


def test_version_pages_of_a_draft_plan_are_not_public(client, usingen, tmp_path):
    report = xplan_import(by=SYSTEM, path=write_xplan(tmp_path))
    plan = Plan.objects.get(pk=report.plan_id)
    assert plan.status != Plan.Status.PUBLISHED
    assert client.get(reverse("geodata:plan_versions", args=[usingen.slug, plan.slug])).status_code == 404
    assert client.get(reverse("geodata:plan_version", args=[usingen.slug, plan.slug, 1])).status_code == 404


def test_xplan_preview_names_the_plan_and_counts_the_changes_before_anything_is_written(usingen, tmp_path):
    new = xplan_preview(by=SYSTEM, path=write_xplan(tmp_path))
    assert new["plan_new"] and new["plan_title"] == "Am Riedborn" and new["version_to"] == 1
    assert not Plan.objects.exists()
    xplan_import(by=SYSTEM, path=tmp_path / "plan.gml")
    plan = Plan.objects.get()

    # 5 mm is within the tolerance of 1 cm, 5 cm is not.
    features = [
        ("GML_wa1", "BP_BaugebietsTeilFlaeche", (20, 20, 100.005), {"GRZ": "0.4"}),
        ("GML_wa2", "BP_BaugebietsTeilFlaeche", (150, 20, 100.05), {"GRZ": "0.3"}),
        ("GML_gruen", "BP_GruenFlaeche", (20, 150, 100), {"zweckbestimmung": "1000"}),
        ("GML_strasse", "BP_StrassenVerkehrsFlaeche", (0, 280, 300), {}),
    ]
    counts = Feature.objects.count()
    preview = xplan_preview(by=SYSTEM, path=write_xplan(tmp_path, "neu.gml", features=features))
    assert Feature.objects.count() == counts and plan.versions.count() == 1
    assert (preview["plan_id"], preview["plan_new"], preview["version_from"], preview["version_to"]) == (
        plan.pk,
        False,
        1,
        2,
    )
    table = {
        item["key"]: (item["new"], item["removed"], item["changed"], item["unchanged"]) for item in preview["classes"]
    }
    assert table == {
        "BP_BaugebietsTeilFlaeche": (0, 0, 1, 1),
        "BP_GruenFlaeche": (0, 0, 1, 0),  # an attribute was added
        "BP_StrassenVerkehrsFlaeche": (1, 0, 0, 0),
    }
    only_green = [("GML_gruen", "BP_GruenFlaeche", (20, 150, 100), {})]
    shrunk = xplan_preview(by=SYSTEM, path=write_xplan(tmp_path, "klein.gml", features=only_green))
    assert {item["key"]: item["removed"] for item in shrunk["classes"]}["BP_BaugebietsTeilFlaeche"] == 2


def test_staff_see_the_xplan_preview_and_the_version_list(
    client, usingen, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from geodata.models import ImportRun

    first = xplan_import(by=SYSTEM, path=write_xplan(tmp_path))
    planner = MembershipFactory(municipality=usingen, role=Membership.Role.PLANNER).user
    client.force_login(planner)
    upload = SimpleUploadedFile("plan-2.gml", write_xplan(tmp_path, "b.gml", features=CHANGED).read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("geodata:xplan_import"), {"file": upload, "municipality": usingen.pk})
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.READY, run.error
    page = client.get(response.url).content.decode()
    assert "Aktualisiert Plan „Am Riedborn“ (Fassung 1 → 2)" in page
    assert re.search(r"Baugebietsteilfläche.*?<td>1</td><td>1</td><td>1</td><td>0</td>", page, re.S)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("geodata:import_run_confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.SUCCEEDED and run.report["version_number"] == 2
    version = PlanVersion.objects.get(plan_id=first.plan_id, number=2)
    assert version.import_run == run and version.created_by == planner
    report_page = client.get(response.url).content.decode()
    assert 'id="import-version">2<' in report_page
    layers_page = client.get(reverse("geodata:layer_import", args=[first.plan_id])).content.decode()
    assert "Fassungen" in layers_page and "plan-2.gml" in layers_page and "plan.gml" in layers_page
    cockpit = client.get(reverse("plans:staff_plan", args=[first.plan_id])).content.decode()
    assert re.search(r'id="cockpit-versions">\s*<li>Fassung 2 vom [^<]*\(aktuell\): plan-2\.gml', cockpit)


def gis_file(tmp_path, name, rows):
    """Write a GeoJSON of squares (x offset in m, size, objektid, nutzung, row id) near Usingen."""
    x0, y0 = ORIGIN_25832
    frame = gpd.GeoDataFrame(
        {
            "objektid": [row[2] for row in rows],
            "nutzung": [row[3] for row in rows],
            "id": [row[4] for row in rows],
        },
        geometry=[box(x0 + dx, y0, x0 + dx + size, y0 + size) for dx, size, *_ in rows],
        crs="EPSG:25832",
    )
    path = tmp_path / name
    frame.to_file(path, driver="GeoJSON")
    return path


def test_gis_reimport_with_key_attribute_creates_a_version_and_replaces_the_layer(tmp_path):
    plan = PlanFactory()
    other = layer_import(plan=plan, by=SYSTEM, path=gis_file(tmp_path, "gruen.geojson", [(0, 50, "G1", "Grün", 1)]))
    first = [(0, 50, "A", "WA", 1), (100, 50, "B", "WA", 2), (200, 50, "C", "MI", 3)]
    out = io.StringIO()
    call_command(
        "import_layer",
        plan.pk,
        gis_file(tmp_path, "baufelder.geojson", first),
        "--key-attribute",
        "objektid",
        stdout=out,
    )
    assert "Version (Fassung) 2 created." in out.getvalue()
    v2_layer = Layer.objects.get(plan=plan, name="baufelder", current=True)
    assert sorted(v2_layer.features.values_list("source_id", flat=True)) == ["A", "B", "C"]
    feature_b = v2_layer.features.get(source_id="B")
    style = {"color": "#00ff00", "fillColor": "#00ff00", "fillOpacity": 0.5, "weight": 1}
    Layer.objects.filter(pk=v2_layer.pk).update(style=style, visible_by_default=False, kind=Layer.Kind.BUILDING_AREAS)
    statement = StatementFactory(consultation=ConsultationFactory(plan=plan), feature=feature_b)

    # A unchanged, B grown by 2 m with another row id (not the key), C gone, D new with C's row id.
    second = [(0, 50, "A", "WA", 1), (100, 52, "B", "WA", 8), (300, 50, "D", "GE", 3)]
    out = io.StringIO()
    call_command(
        "import_layer",
        plan.pk,
        gis_file(tmp_path, "baufelder.geojson", second),
        "--key-attribute",
        "objektid",
        stdout=out,
    )
    assert "Version (Fassung) 3 created." in out.getvalue()
    assert "1 new, 1 removed, 1 changed, 1 unchanged" in out.getvalue()
    current = plan_current_version(plan)
    assert sorted(current.layers.values_list("name", flat=True)) == ["baufelder", "gruen"]
    v3_layer = current.layers.get(name="baufelder")
    assert (v3_layer.style, v3_layer.visible_by_default, v3_layer.kind) == (style, False, "building_areas")
    assert current.layers.filter(pk=other.layer_id).exists()  # the other layer is carried into the new version
    v2_layer.refresh_from_db()
    assert not v2_layer.current and v2_layer.features.count() == 3  # kept in version 2
    assert Statement.objects.get(pk=statement.pk).feature_id == feature_b.pk

    with pytest.raises(CommandError, match="Schlüsselattribut „kennung“ gibt es in der Datei nicht"):
        call_command("import_layer", plan.pk, tmp_path / "baufelder.geojson", "--key-attribute", "kennung")
    assert plan.versions.count() == 3


def test_removing_a_layer_referenced_by_a_statement_keeps_its_rows(client, tmp_path):
    plan = PlanFactory()
    report = layer_import(plan=plan, by=SYSTEM, path=gis_file(tmp_path, "baufelder.geojson", [(0, 50, "A", "WA", 1)]))
    layer = Layer.objects.get(pk=report.layer_id)
    feature = layer.features.get()
    statement = StatementFactory(consultation=ConsultationFactory(plan=plan), feature=feature)
    planner = MembershipFactory(municipality=plan.municipality, role=Membership.Role.PLANNER).user
    client.force_login(planner)
    response = client.post(reverse("geodata:layer_remove", args=[plan.pk, layer.pk]), follow=True)
    assert "nicht mehr Teil der aktuellen Fassung (jetzt Fassung 2)" in response.content.decode()
    layer.refresh_from_db()
    assert not layer.current and Feature.objects.filter(pk=feature.pk).exists()
    assert Statement.objects.get(pk=statement.pk).feature_id == feature.pk
    assert plan.versions.get(number=1).layers.filter(pk=layer.pk).exists()
    assert not plan.versions.get(number=2).layers.exists()
    assert 'id="plan-layers-config"' not in client.get(plan.get_absolute_url()).content.decode()
    # Removing it again is refused: it is no longer in the current version.
    again = client.post(reverse("geodata:layer_remove", args=[plan.pk, layer.pk]), follow=True)
    assert "gehört nicht zur aktuellen Fassung" in again.content.decode() and plan.versions.count() == 2


def test_a_moderator_may_not_remove_a_layer(client):
    layer = LayerFactory()
    moderator = MembershipFactory(municipality=layer.plan.municipality, role=Membership.Role.MODERATOR).user
    client.force_login(moderator)
    assert client.post(reverse("geodata:layer_remove", args=[layer.plan_id, layer.pk])).status_code == 403
    assert layer.plan.versions.count() == 0 and Layer.objects.get(pk=layer.pk).current


def test_plan_version_create_checks_permission_and_the_layers_plan():
    layer = LayerFactory()
    foreign = LayerFactory()
    moderator = MembershipFactory(municipality=layer.plan.municipality, role=Membership.Role.MODERATOR).user
    with pytest.raises(PermissionDenied):
        plan_version_create(plan=layer.plan, by=moderator, layers=[layer])
    with pytest.raises(ValidationError) as exc:
        plan_version_create(plan=layer.plan, by=SYSTEM, layers=[layer, foreign])
    assert exc.value.code == "layer_of_other_plan" and not PlanVersion.objects.exists()
    first = plan_version_create(plan=layer.plan, by=SYSTEM, layers=[layer])
    second = plan_version_create(plan=layer.plan, by=SYSTEM, layers=[])
    assert (first.number, second.number) == (1, 2)
    assert not Layer.objects.get(pk=layer.pk).current


def test_data_migration_gives_existing_plans_a_first_version():
    layer = LayerFactory(source_name="alt.gpkg")
    LayerFactory(plan=layer.plan, source_name="")
    empty_plan = PlanFactory()
    FeatureFactory(layer=layer)
    migration = importlib.import_module("geodata.migrations.0007_plan_versions_initial")
    migration.first_versions(apps, None)
    migration.first_versions(apps, None)  # idempotent
    version = PlanVersion.objects.get(plan=layer.plan)
    assert (version.number, version.layers.count(), version.source_name) == (1, 2, "alt.gpkg")
    assert not PlanVersion.objects.filter(plan=empty_plan).exists()
