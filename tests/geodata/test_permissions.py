"""Every geodata action checks its actor: planner yes, moderator and foreign planner no, None never."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from geodata import services
from geodata.exporters import layer_export, plan_layers_export
from geodata.models import ImportRun, Layer
from plans.models import Membership, Plan
from plans.rules import SYSTEM
from tests.factories import MembershipFactory, MunicipalityFactory, PlanFactory, square

from .conftest import sample_frame

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data" / "geodata"
BPLAN_54 = DATA / "bplan_5_4_epsg25832.gml"


@pytest.fixture
def usingen(db):
    return MunicipalityFactory(name="Stadt Usingen", slug="usingen", ags="06434011", boundary=square(8.45, 50.28, 0.2))


@pytest.fixture
def plan(usingen):
    return PlanFactory(municipality=usingen)


@pytest.fixture
def actors(plan):
    return {
        "planner": MembershipFactory(municipality=plan.municipality, role=Membership.Role.PLANNER).user,
        "moderator": MembershipFactory(municipality=plan.municipality, role=Membership.Role.MODERATOR).user,
        "foreign planner": MembershipFactory(role=Membership.Role.PLANNER).user,
    }


@pytest.fixture
def geojson(tmp_path):
    path = tmp_path / "baugebiete.geojson"
    sample_frame("EPSG:4326").to_file(path, driver="GeoJSON")
    return path


@pytest.fixture
def layer(plan, geojson):
    report = services.layer_import(plan=plan, path=geojson, by=SYSTEM)
    return Layer.objects.select_related("plan__municipality").get(pk=report.layer_id)


def actions(plan, path, layer):
    """Return (name, call(by)) for every geodata action on `plan`."""
    upload = SimpleUploadedFile("a.geojson", path.read_bytes())
    return [
        ("layer_import", lambda by: services.layer_import(plan=plan, path=path, by=by)),
        ("xplan_import", lambda by: services.xplan_import(path=BPLAN_54, by=by, municipality=plan.municipality)),
        ("xplan_import by AGS", lambda by: services.xplan_import(path=BPLAN_54, by=by)),
        ("layer_publish", lambda by: services.layer_publish(layer=layer, by=by)),
        ("layer_after_import", lambda by: services.layer_after_import(layer=layer, by=by)),
        ("stage_upload", lambda by: services.stage_upload(upload=upload, by=by, municipality=plan.municipality)),
        (
            "import_run_start",
            lambda by: services.import_run_start(
                source=ImportRun.Source.LAYER,
                municipality=plan.municipality,
                plan=plan,
                staged="1/x-a.geojson",
                file_name=path.name,
                options={},
                by=by,
            ),
        ),
        (
            "import_preview_start",
            lambda by: services.import_preview_start(plan=plan, upload=upload, options={}, by=by),
        ),
        ("plan_area_from_file", lambda by: services.plan_area_from_file(plan=plan, by=by, path=DATA / "area_4326.kml")),
    ]


@pytest.mark.parametrize("role", ["moderator", "foreign planner"])
def test_actions_refuse_other_roles_and_write_nothing(plan, actors, geojson, layer, role):
    version, layers, area = layer.version, Layer.objects.count(), plan.area.wkt
    for name, call in actions(plan, geojson, layer):
        with pytest.raises(PermissionDenied):
            call(actors[role])
            pytest.fail(f"{name} accepted a {role}")
    layer.refresh_from_db()
    plan.refresh_from_db()
    assert (layer.version, Layer.objects.count(), plan.area.wkt) == (version, layers, area)
    assert Plan.objects.count() == 1 and not ImportRun.objects.exists()


def test_actions_accept_the_planner(plan, actors, geojson, layer, django_capture_on_commit_callbacks):
    for _name, call in actions(plan, geojson, layer):
        call(actors["planner"])
    runs = ImportRun.objects.all()
    assert len(runs) == 2 and all(run.created_by == actors["planner"] for run in runs)


def test_confirm_checks_its_actor(plan, actors, django_capture_on_commit_callbacks):
    run = ImportRun.objects.create(
        municipality=plan.municipality, plan=plan, file_name="a.geojson", file_path="1/x-a.geojson", status="ready"
    )
    for role in ("moderator", "foreign planner"):
        with pytest.raises(PermissionDenied):
            services.import_run_confirm(run=run, by=actors[role])
    with pytest.raises(TypeError):
        services.import_run_confirm(run=run, by=None)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.READY
    services.import_run_confirm(run=run, by=actors["planner"])
    run.refresh_from_db()
    assert run.status == ImportRun.Status.PENDING


def test_actions_refuse_none_as_actor(plan, geojson, layer):
    for name, call in actions(plan, geojson, layer):
        with pytest.raises(TypeError):
            call(None)
            pytest.fail(f"{name} accepted None")


def test_run_acts_as_its_user_when_it_executes(plan, actors, geojson, django_capture_on_commit_callbacks):
    planner = actors["planner"]
    staged = services.stage_upload(
        upload=SimpleUploadedFile("a.geojson", geojson.read_bytes()), by=planner, municipality=plan.municipality
    )
    run = services.import_run_start(
        source=ImportRun.Source.LAYER,
        municipality=plan.municipality,
        plan=plan,
        staged=staged,
        file_name="a.geojson",
        options={},
        by=planner,
    )
    Membership.objects.filter(user=planner).update(role=Membership.Role.MODERATOR)
    services.import_run_execute(run=ImportRun.objects.select_related("created_by", "plan").get(pk=run.pk))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and "keine Berechtigung" in run.error
    assert not Layer.objects.exists()


def test_run_for_a_plan_of_another_municipality_is_refused(plan, actors, geojson):
    other = PlanFactory()
    with pytest.raises(PermissionDenied):
        services.import_run_start(
            source=ImportRun.Source.LAYER,
            municipality=plan.municipality,
            plan=other,
            staged="1/x-a.geojson",
            file_name="a.geojson",
            options={},
            by=actors["planner"],
        )


def test_export_of_an_unpublished_plan_needs_staff(plan, actors, layer, tmp_path):
    from django.contrib.auth.models import AnonymousUser

    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.DRAFT)
    layer.plan.refresh_from_db()
    for user in (AnonymousUser(), actors["foreign planner"]):
        with pytest.raises(PermissionDenied):
            layer_export(layer=layer, fmt="geojson", path=tmp_path / "a.geojson", by=user)
        with pytest.raises(PermissionDenied):
            plan_layers_export(plan=layer.plan, path=tmp_path / "a.gpkg", by=user)
    assert layer_export(layer=layer, fmt="geojson", path=tmp_path / "a.geojson", by=actors["moderator"]).path.exists()


def test_commands_act_as_the_named_user_or_the_installation(plan, actors, geojson, layer, tmp_path):
    with pytest.raises(CommandError, match="keine Berechtigung"):
        call_command("import_layer", plan.pk, str(geojson), "--user", actors["moderator"].username)
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_layer", plan.pk, str(geojson), "--user", "niemand")
    out = io.StringIO()
    call_command("import_layer", plan.pk, str(geojson), "--user", actors["planner"].username, stdout=out)
    assert "imported" in out.getvalue()

    with pytest.raises(CommandError, match="keine Berechtigung"):
        call_command("import_xplan", str(BPLAN_54), "--user", actors["foreign planner"].username)
    out = io.StringIO()
    call_command("import_xplan", str(BPLAN_54), stdout=out)
    assert "Plan „Wohngebiet Am Riedborn“" in out.getvalue() and "created" in out.getvalue()

    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.DRAFT)
    target = tmp_path / "out.gpkg"
    with pytest.raises(CommandError, match="keine Berechtigung"):
        call_command("export_layer", layer.pk, "-o", str(target), "--user", actors["foreign planner"].username)
    call_command("export_layer", layer.pk, "-o", str(target), stdout=io.StringIO())
    assert target.exists()
