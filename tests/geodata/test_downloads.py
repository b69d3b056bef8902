"""Public downloads are built by background tasks after an import, never in the web request."""

import geopandas as gpd
import pyogrio
import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from geodata.models import Layer
from geodata.services import layer_after_import
from geodata.serving import storage
from geodata.tasks import build_layer_download, build_plan_download
from plans.rules import SYSTEM
from tests.factories import FeatureFactory, LayerFactory, PlanFactory

pytestmark = pytest.mark.django_db

WAIT_TEXT = "Die Datei wird gerade erstellt. Bitte versuchen Sie es in einer Minute erneut."


@pytest.fixture(autouse=True)
def database_tasks(settings):
    """Queue tasks in the database until a worker runs them (the default backend)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def writes(monkeypatch):
    """Count files written to the default storage (local disk in the tests)."""
    written: list[str] = []
    original = FileSystemStorage._save

    def counting_save(self, name, content):
        written.append(name)
        return original(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", counting_save)
    return written


def run_worker() -> None:
    call_command("run_worker", "--batch", "--interval=0", verbosity=0)


def queued(task) -> list[list]:
    """Return the arguments of the waiting runs of `task`."""
    rows = DBTaskResult.objects.filter(task_path__endswith=task.name, status=TaskResultStatus.READY)
    return [row.args_kwargs["args"] for row in rows]


def import_layer(layer: Layer, django_capture_on_commit_callbacks) -> Layer:
    """Finish an import of `layer` as the import pipeline does (new version, downloads queued on commit)."""
    with django_capture_on_commit_callbacks(execute=True):
        layer_after_import(by=SYSTEM, layer=layer)
    layer.refresh_from_db()
    return layer


@pytest.fixture
def layer(django_capture_on_commit_callbacks):
    layer = LayerFactory(name="Baufelder Nord")
    FeatureFactory.create_batch(4, layer=layer)
    return import_layer(layer, django_capture_on_commit_callbacks)


def saved(response, path) -> str:
    path.write_bytes(b"".join(response.streaming_content))
    return str(path)


def test_download_waits_for_the_task_then_serves_the_file(client, layer, writes, tmp_path):
    url = reverse("geodata:layer_download", args=[layer.pk])
    epsg = layer.plan.municipality.crs_epsg
    assert sorted(args[2] for args in queued(build_layer_download)) == ["geojson", "gpkg", "shp"]
    assert queued(build_plan_download) == [[layer.plan_id, epsg]]

    response = client.get(url, {"format": "gpkg"})
    assert response.status_code == 202
    assert response["Retry-After"] == "60" and "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert WAIT_TEXT in page and f'href="{layer.plan.get_absolute_url()}"' in page
    assert len(queued(build_layer_download)) == 3  # already queued by the import: nothing added
    assert writes == [] and not default_storage.exists(storage.layer_export_name(layer.pk, layer.version, epsg, "gpkg"))

    run_worker()
    assert queued(build_layer_download) == [] and len(writes) == 4  # three layer files and the plan GeoPackage
    response = client.get(url, {"format": "gpkg"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    frame = gpd.read_file(saved(response, tmp_path / "layer.gpkg"))
    assert len(frame) == 4 and frame.crs.to_epsg() == epsg

    response = client.get(url, {"format": "shp"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    frame = gpd.read_file(f"/vsizip/{saved(response, tmp_path / 'layer.zip')}/Baufelder_Nord_polygons.shp")
    assert len(frame) == 4
    response = client.get(url, {"format": "geojson"})
    assert len(gpd.read_file(saved(response, tmp_path / "layer.geojson"))) == 4
    assert len(writes) == 4  # serving only reads


def test_many_requests_queue_one_build_and_never_build_in_the_request(client, layer, writes, tmp_path):
    run_worker()
    writes.clear()
    url = reverse("geodata:layer_download", args=[layer.pk])
    for _ in range(5):
        assert client.get(url, {"format": "geojson", "crs": "EPSG:4326"}).status_code == 202
    assert queued(build_layer_download) == [[layer.pk, layer.version, "geojson", 4326]]
    assert writes == []

    run_worker()
    response = client.get(url, {"format": "geojson", "crs": "EPSG:4326"})
    assert response.status_code == 200
    frame = gpd.read_file(saved(response, tmp_path / "wgs84.geojson"))
    assert frame.crs.to_epsg() == 4326 and len(frame) == 4
    assert writes == [storage.layer_export_name(layer.pk, layer.version, 4326, "geojson")]


def test_reimport_replaces_the_layer_file_and_the_plan_geopackage(
    client, layer, django_capture_on_commit_callbacks, tmp_path
):
    run_worker()
    epsg = layer.plan.municipality.crs_epsg
    old_file = storage.layer_export_name(layer.pk, layer.version, epsg, "gpkg")
    (old_plan_file,) = storage.files_under(storage.plan_export_prefix(layer.plan_id))
    assert default_storage.exists(old_file)

    FeatureFactory.create_batch(2, layer=layer)
    layer = import_layer(layer, django_capture_on_commit_callbacks)
    assert not default_storage.exists(old_file)
    url = reverse("geodata:layer_download", args=[layer.pk])
    plan_url = reverse("geodata:plan_layers_gpkg", args=[layer.plan_id])
    assert client.get(url).status_code == 202
    assert client.get(plan_url).status_code == 202  # the old GeoPackage holds the old version: not served

    run_worker()
    new_file = storage.layer_export_name(layer.pk, layer.version, epsg, "gpkg")
    assert default_storage.exists(new_file) and not default_storage.exists(old_file)
    assert len(gpd.read_file(saved(client.get(url), tmp_path / "new.gpkg"))) == 6
    (new_plan_file,) = storage.files_under(storage.plan_export_prefix(layer.plan_id))
    assert new_plan_file != old_plan_file
    assert len(gpd.read_file(saved(client.get(plan_url), tmp_path / "plan.gpkg"))) == 6


def test_plan_geopackage_has_one_table_per_layer_and_follows_deletions(
    client, django_capture_on_commit_callbacks, tmp_path
):
    plan = PlanFactory()
    first = LayerFactory(plan=plan, name="Baufelder")
    second = LayerFactory(plan=plan, name="Baufelder")  # same name: tables must still be distinct
    FeatureFactory.create_batch(2, layer=first)
    FeatureFactory.create_batch(3, layer=second)
    import_layer(first, django_capture_on_commit_callbacks)
    import_layer(second, django_capture_on_commit_callbacks)
    assert len(queued(build_plan_download)) == 2  # the plan's layers differ after each import
    run_worker()
    url = reverse("geodata:plan_layers_gpkg", args=[plan.pk])
    response = client.get(url)
    assert response.status_code == 200
    target = saved(response, tmp_path / "plan.gpkg")
    assert [name for name, _type in pyogrio.list_layers(target)] == ["Baufelder", "Baufelder_2"]
    assert len(gpd.read_file(target, layer="Baufelder_2")) == 3
    assert len(storage.files_under(storage.plan_export_prefix(plan.pk))) == 1  # the one-layer GeoPackage is gone

    with django_capture_on_commit_callbacks(execute=True):
        first.delete()
    assert client.get(url).status_code == 202
    run_worker()
    target = saved(client.get(url), tmp_path / "after-delete.gpkg")
    assert [name for name, _type in pyogrio.list_layers(target)] == ["Baufelder"]
    assert len(gpd.read_file(target)) == 3
    assert len(storage.files_under(storage.plan_export_prefix(plan.pk))) == 1

    with django_capture_on_commit_callbacks(execute=True):
        second.delete()
    run_worker()
    assert storage.files_under(storage.plan_export_prefix(plan.pk)) == []
    assert client.get(url).status_code == 404


def test_tasks_skip_stale_versions_and_existing_files(layer, writes, django_capture_on_commit_callbacks):
    epsg = layer.plan.municipality.crs_epsg
    assert build_layer_download.call(layer.pk, layer.version, "gpkg", epsg) == storage.layer_export_name(
        layer.pk, layer.version, epsg, "gpkg"
    )
    assert build_layer_download.call(layer.pk, layer.version, "gpkg", epsg) == storage.layer_export_name(
        layer.pk, layer.version, epsg, "gpkg"
    )
    assert build_plan_download.call(layer.plan_id, epsg) == build_plan_download.call(layer.plan_id, epsg)
    assert len(writes) == 2  # the second runs found their files

    stale = layer.version
    import_layer(layer, django_capture_on_commit_callbacks)
    assert build_layer_download.call(layer.pk, stale, "gpkg", epsg) == "skipped"
    assert build_layer_download.call(999999, 1, "gpkg", epsg) == "skipped"
    assert build_plan_download.call(999999, epsg) == "skipped"
    assert [name for name in writes if "export" in name or "/plans/" in name] == writes[:2]  # only the new GeoJSON


def test_plan_page_links_open_the_wait_page_instead_of_saving_it(client, layer):
    page = client.get(layer.plan.get_absolute_url()).content.decode()
    link = reverse("geodata:layer_download", args=[layer.pk]) + "?format=gpkg"
    assert f'href="{link}"' in page
    assert " download>" not in page  # a `download` link would save the wait page as the file
