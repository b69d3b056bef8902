import json
import math
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from geodata.models import Feature, ImportRun, Layer
from geodata.services import staged_exists
from plans.models import Membership, Plan
from tests.factories import MembershipFactory, MunicipalityFactory, square

from .conftest import sample_frame

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data" / "geodata"


@pytest.fixture
def planner(plan):
    return MembershipFactory(municipality=plan.municipality, role=Membership.Role.PLANNER).user


def geojson_upload(tmp_path, name="baugebiete.geojson", count=3):
    path = tmp_path / name
    sample_frame("EPSG:4326", count=count).to_file(path, driver="GeoJSON")
    return SimpleUploadedFile(name, path.read_bytes(), content_type="application/geo+json")


def upload_for_preview(client, plan, upload, capture, **data):
    """Post an upload; the preview task runs when the request's transaction commits. Return the run."""
    with capture(execute=True):
        response = client.post(reverse("geodata:layer_import", args=[plan.pk]), {"file": upload, **data})
    run = ImportRun.objects.order_by("-pk").first()
    assert response.status_code == 302 and response.url == reverse("geodata:import_run", args=[run.pk])
    run.refresh_from_db()
    return run


def test_upload_preview_confirm_creates_layer(client, plan, planner, tmp_path, django_capture_on_commit_callbacks):
    client.force_login(planner)
    url = reverse("geodata:layer_import", args=[plan.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url, {"file": geojson_upload(tmp_path), "name": "Baugebiete", "kind": "building_areas"})
    run = ImportRun.objects.get()
    # The request only staged the upload; the preview is the worker's job.
    assert response.status_code == 302 and run.status == ImportRun.Status.PREVIEWING and staged_exists(run.file_path)
    page = client.get(response.url).content.decode()
    assert "Die Datei wird geprüft" in page and "import_status.js" in page
    assert client.get(reverse("geodata:import_run_status", args=[run.pk])).json()["status"] == "previewing"
    for callback in callbacks:
        callback()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.READY and run.preview["feature_count"] == 3

    html = client.get(response.url).content.decode()
    assert 'id="preview-count">3<' in html and "EPSG:4326" in html and "import_preview.js" in html
    data = re.search(r'id="import-preview-data"[^>]*>(.*?)</script>', html).group(1)
    bounds = json.loads(data)["bounds"]
    assert 8.5 < bounds[0] < bounds[2] < 8.6
    assert not Layer.objects.exists()

    confirm = reverse("geodata:import_run_confirm", args=[run.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm)
    assert response.status_code == 302 and response.url == reverse("geodata:import_run", args=[run.pk])
    run.refresh_from_db()
    assert run.status == ImportRun.Status.SUCCEEDED and run.created_by == planner
    layer = Layer.objects.get(plan=plan)
    assert (layer.name, layer.kind, layer.feature_count) == ("Baugebiete", "building_areas", 3)
    assert not staged_exists(run.file_path)

    page = client.get(response.url).content.decode()
    assert "Abgeschlossen" in page and "<dt>Angelegt</dt><dd>3</dd>" in page
    status = client.get(reverse("geodata:import_run_status", args=[run.pk])).json()
    assert status["finished"] and status["report"]["created"] == 3 and status["report"]["found"] == 3

    # A second confirm (a reloaded form) starts nothing.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm, follow=True)
    assert "bereits gestartet" in response.content.decode() and Layer.objects.count() == 1


def test_upload_with_bad_file_shows_error_and_saves_nothing(
    client, plan, planner, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(planner)
    bad = SimpleUploadedFile("kaputt.geojson", b'{"type": "FeatureCollection", "feat', content_type="application/json")
    run = upload_for_preview(client, plan, bad, django_capture_on_commit_callbacks, kind="other")
    assert run.status == ImportRun.Status.FAILED and "kein gültiges JSON" in run.error
    page = client.get(reverse("geodata:import_run", args=[run.pk])).content.decode()
    assert "kein gültiges JSON" in page and "Import starten" not in page
    assert not Layer.objects.exists() and not staged_exists(run.file_path)
    response = client.post(reverse("geodata:import_run_confirm", args=[run.pk]), follow=True)
    assert "bereits gestartet" in response.content.decode() and not Layer.objects.exists()


def test_upload_above_size_limit_is_refused(client, plan, planner, tmp_path, settings):
    settings.MAX_UPLOAD_SIZE_MB = 1
    client.force_login(planner)
    big = SimpleUploadedFile("gross.geojson", b" " * (1024 * 1024 + 10))
    response = client.post(reverse("geodata:layer_import", args=[plan.pk]), {"file": big, "kind": "other"})
    assert "Die Datei ist zu groß" in response.content.decode()
    assert not Layer.objects.exists() and not ImportRun.objects.exists()


def test_confirm_by_another_municipality_is_refused(
    client, plan, planner, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(planner)
    run = upload_for_preview(client, plan, geojson_upload(tmp_path), django_capture_on_commit_callbacks, kind="other")
    client.force_login(MembershipFactory(role=Membership.Role.PLANNER).user)
    assert client.post(reverse("geodata:import_run_confirm", args=[run.pk])).status_code == 404
    client.force_login(MembershipFactory(municipality=plan.municipality, role=Membership.Role.MODERATOR).user)
    assert client.post(reverse("geodata:import_run_confirm", args=[run.pk])).status_code == 403
    run.refresh_from_db()
    assert run.status == ImportRun.Status.READY and not Layer.objects.exists()


def test_failed_import_is_reported_and_saves_nothing(
    client, plan, planner, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    from geodata.errors import ImportRejected
    from geodata.services import layers

    client.force_login(planner)
    run = upload_for_preview(client, plan, geojson_upload(tmp_path), django_capture_on_commit_callbacks, kind="other")

    def broken_write(**kwargs):
        raise ImportRejected("Schreibfehler im Test")

    monkeypatch.setattr(layers, "write_features", broken_write)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("geodata:import_run_confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and run.error == "Schreibfehler im Test"
    assert not Layer.objects.exists()
    assert "Es wurde nichts gespeichert" in client.get(response.url).content.decode()


def test_permissions_on_layer_import(client, plan):
    url = reverse("geodata:layer_import", args=[plan.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/verwaltung/anmelden/" in response.url

    foreign = MembershipFactory(role=Membership.Role.PLANNER).user
    client.force_login(foreign)
    assert client.get(url).status_code == 404

    moderator = MembershipFactory(municipality=plan.municipality, role=Membership.Role.MODERATOR).user
    client.force_login(moderator)
    assert client.get(url).status_code == 403


def test_permissions_on_import_run(client, plan, planner):
    run = ImportRun.objects.create(municipality=plan.municipality, plan=plan, file_name="a.geojson", file_path="/x")
    for name in ("import_run", "import_run_status"):
        url = reverse(f"geodata:{name}", args=[run.pk])
        client.logout()
        assert client.get(url).status_code == 302
        client.force_login(MembershipFactory(role=Membership.Role.PLANNER).user)
        assert client.get(url).status_code == 404
        client.force_login(MembershipFactory(municipality=plan.municipality, role=Membership.Role.MODERATOR).user)
        assert client.get(url).status_code == 403
        client.force_login(planner)
        assert client.get(url).status_code == 200


def test_status_endpoint_reports_progress(client, plan, planner):
    from django.core.cache import cache

    from geodata.services import progress_key

    run = ImportRun.objects.create(
        municipality=plan.municipality,
        plan=plan,
        file_name="a.geojson",
        file_path="/x",
        status=ImportRun.Status.RUNNING,
    )
    cache.set(progress_key(run.pk), (2000, 50000))
    client.force_login(planner)
    data = client.get(reverse("geodata:import_run_status", args=[run.pk])).json()
    assert (data["status"], data["done"], data["total"], data["finished"]) == ("running", 2000, 50000, False)
    page = client.get(reverse("geodata:import_run", args=[run.pk])).content.decode()
    assert "import_status.js" in page and "<progress" in page


def test_xplan_upload_creates_plan(client, django_capture_on_commit_callbacks):
    usingen = MunicipalityFactory(name="Usingen", slug="usingen", ags="06434011", boundary=square(8.45, 50.28, 0.2))
    planner = MembershipFactory(municipality=usingen, role=Membership.Role.PLANNER).user
    client.force_login(planner)
    url = reverse("geodata:xplan_import")
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("bplan.gml", (DATA / "bplan_5_4_epsg25832.gml").read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": upload, "municipality": usingen.pk})
    run = ImportRun.objects.get()
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.READY, run.error  # the preview with its Prüfbericht comes first
    preview = client.get(response.url).content.decode()
    assert "Neuer Plan „Wohngebiet Am Riedborn“ (1. Fassung)" in preview and "Prüfbericht" in preview
    assert not Plan.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("geodata:import_run_confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    plan = Plan.objects.get(municipality=usingen)
    assert run.plan == plan and plan.layers.count() == 4 and Feature.objects.count() == 5  # with 1 label layer
    page = client.get(response.url).content.decode()
    assert "Baugebietsteilfläche (BP_BaugebietsTeilFlaeche): 2" in page and "nicht geschlossen" in page


def test_xplan_upload_for_foreign_municipality_fails(client, django_capture_on_commit_callbacks):
    MunicipalityFactory(ags="06434011", boundary=square(8.45, 50.28, 0.2))
    own = MunicipalityFactory(ags="06434007")
    planner = MembershipFactory(municipality=own, role=Membership.Role.PLANNER).user
    client.force_login(planner)
    upload = SimpleUploadedFile("bplan.gml", (DATA / "bplan_5_4_epsg25832.gml").read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("geodata:xplan_import"), {"file": upload, "municipality": own.pk})
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED and "passt nicht" in run.error
    assert not Plan.objects.exists()


def test_xplan_upload_cannot_pick_municipality_of_others(client):
    other = MunicipalityFactory()
    planner = MembershipFactory(role=Membership.Role.PLANNER).user
    client.force_login(planner)
    upload = SimpleUploadedFile("bplan.gml", (DATA / "bplan_5_4_epsg25832.gml").read_bytes())
    response = client.post(reverse("geodata:xplan_import"), {"file": upload, "municipality": other.pk})
    assert response.status_code == 200 and not ImportRun.objects.exists()


def test_xplan_page_permissions(client):
    url = reverse("geodata:xplan_import")
    response = client.get(url)
    assert response.status_code == 302 and "/verwaltung/anmelden/" in response.url
    client.force_login(MembershipFactory(role=Membership.Role.MODERATOR).user)
    assert client.get(url).status_code == 403


def test_stale_staged_uploads_are_purged(client, plan, planner, tmp_path, settings):
    import os
    import time

    client.force_login(planner)
    url = reverse("geodata:layer_import", args=[plan.pk])
    client.post(url, {"file": geojson_upload(tmp_path), "kind": "other"})
    user_root = Path(settings.IMPORT_STAGING_DIR) / str(planner.pk)
    (old,) = list(user_root.iterdir())
    day_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (day_ago, day_ago))
    client.post(url, {"file": geojson_upload(tmp_path), "kind": "other"})
    remaining = list(user_root.iterdir())
    assert len(remaining) == 1 and remaining[0] != old


def test_large_import_serves_live_tiles_until_the_archive_task_ran(
    client, plan, planner, tmp_path, settings, django_capture_on_commit_callbacks
):
    from geodata.tasks import build_layer_tiles

    settings.GEODATA_TILE_THRESHOLD = 5
    client.force_login(planner)
    url = reverse("geodata:layer_import", args=[plan.pk])
    run = upload_for_preview(
        client, plan, geojson_upload(tmp_path, count=8), django_capture_on_commit_callbacks, kind="other"
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("geodata:import_run_confirm", args=[run.pk]))
    callbacks[0]()  # the worker runs the import; the tile task it queues on commit has not run yet
    layer = Layer.objects.get(plan=plan)
    assert layer.feature_count == 8
    page = client.get(url).content.decode()
    assert "Vektorkacheln werden erstellt" in page

    feature = layer.features.first()
    lon, lat = feature.geometry.centroid.coords
    n = 1 << 14
    x, y = int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.PUBLISHED)
    assert client.get(reverse("geodata:tile", args=[layer.pk, 14, x, y])).status_code == 200  # rendered live

    build_layer_tiles.enqueue(layer.pk, layer.version)
    page = client.get(url).content.decode()
    assert "Vektorkacheln werden erstellt" not in page and ">Vektorkacheln<" in page
    assert client.get(reverse("geodata:tile", args=[layer.pk, 14, x, y])).status_code == 200
