"""Documents, layer imports, GeoJSON, tiles and GeoPackage exports with media in an S3 bucket (moto server)."""

import gzip
import math
import re

import geopandas as gpd
import mapbox_vector_tile
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from geodata.models import ImportRun, Layer
from plans.models import Membership, Plan
from tests.factories import MembershipFactory, MunicipalityFactory, PlanFactory, minimal_pdf, square
from tests.geodata.conftest import sample_frame
from tests.storage.conftest import BUCKET

pytestmark = pytest.mark.django_db

BPLAN_54 = "tests/data/geodata/bplan_5_4_epsg25832.gml"


@pytest.fixture
def plan(db):
    return PlanFactory()


@pytest.fixture
def planner(plan):
    return MembershipFactory(municipality=plan.municipality, role=Membership.Role.PLANNER).user


def geojson_upload(tmp_path, count):
    path = tmp_path / "baugebiete.geojson"
    sample_frame("EPSG:4326", count=count).to_file(path, driver="GeoJSON")
    return SimpleUploadedFile("baugebiete.geojson", path.read_bytes(), content_type="application/geo+json")


def import_layer(client, plan, upload, s3, capture) -> Layer:
    """Upload, preview and confirm a layer import over HTTP; check the staged object's life in the bucket."""
    with capture(execute=False) as callbacks:
        response = client.post(reverse("geodata:layer_import", args=[plan.pk]), {"file": upload, "kind": "other"})
    assert response.status_code == 302
    staged = s3.keys("staging/")  # the request streamed the upload to the bucket, nothing more
    assert len(staged) == 1 and staged[0].endswith("-baugebiete.geojson")
    run = ImportRun.objects.get(plan=plan)
    assert run.status == ImportRun.Status.PREVIEWING
    for callback in callbacks:
        callback()  # the worker fetches the staged object and computes the preview
    run.refresh_from_db()
    assert run.status == ImportRun.Status.READY, run.error
    with capture(execute=True):
        client.post(reverse("geodata:import_run_confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    assert s3.keys("staging/") == []  # the worker deleted the staged upload
    return Layer.objects.get(pk=run.report["layer_id"])


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 1 << z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def test_document_upload_and_download(client, plan, planner, s3):
    client.force_login(planner)
    upload_url = reverse("plans:staff_document_upload", args=[plan.pk])
    pdf = minimal_pdf("Planzeichnung")
    client.post(upload_url, {"title": "Planzeichnung", "kind": "drawing", "file": SimpleUploadedFile("plan.pdf", pdf)})
    (document,) = plan.documents.current()
    key = f"media/{document.file.name}"
    assert s3.keys("media/documents/") == [key]
    assert s3.read(key) == pdf

    newer = minimal_pdf("Planzeichnung, 2. Fassung")
    replace_url = reverse("plans:staff_document_replace", args=[plan.pk, document.pk])
    client.post(replace_url, {"file": SimpleUploadedFile("plan.pdf", newer)})
    (current,) = plan.documents.current()
    assert current.file.name != document.file.name  # the old version's object is kept, not overwritten
    assert len(s3.keys("media/documents/")) == 2

    client.logout()
    for doc, body in ((document, pdf), (current, newer)):
        response = client.get(reverse("plans:document", args=[plan.municipality.slug, plan.slug, doc.pk]))
        assert response.status_code == 200 and b"".join(response.streaming_content) == body


def test_layer_import_stages_in_the_bucket_and_serves_geojson(
    client, plan, planner, s3, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(planner)
    layer = import_layer(client, plan, geojson_upload(tmp_path, 3), s3, django_capture_on_commit_callbacks)
    keys = s3.keys(f"media/layers/{layer.pk}/")  # the served GeoJSON and the three downloads, built after the import
    assert [key for key in keys if "-export-" not in key] == [f"media/layers/{layer.pk}/v{layer.version}.geojson.gz"]
    assert len(keys) == 4

    url = reverse("geodata:layer_geojson", args=[layer.pk])
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    data = gzip.decompress(response.content)
    assert data.count(b'"Feature"') == 3
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"], HTTP_ACCEPT_ENCODING="gzip").status_code == 304
    plain = client.get(url)
    assert plain.status_code == 200 and plain.json()["type"] == "FeatureCollection"


def test_tiles_are_read_from_the_archive_by_byte_range(
    client, plan, planner, s3, tmp_path, settings, django_capture_on_commit_callbacks, get_object_calls
):
    settings.GEODATA_TILE_THRESHOLD = 20
    client.force_login(planner)
    layer = import_layer(client, plan, geojson_upload(tmp_path, 40), s3, django_capture_on_commit_callbacks)
    archive_key = f"media/layers/{layer.pk}/v{layer.version}.pmtiles"
    keys = s3.keys(f"media/layers/{layer.pk}/")  # the archive and the three downloads, built after the import
    assert [key for key in keys if "-export-" not in key] == [archive_key] and len(keys) == 4
    archive_size = len(s3.read(archive_key))

    lon, lat = layer.features.order_by("pk").first().geometry.centroid.coords
    x, y = tile_of(lon, lat, 15)
    response = client.get(reverse("geodata:tile", args=[layer.pk, 15, x, y]), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    decoded = mapbox_vector_tile.decode(gzip.decompress(response.content))
    assert decoded["features"]["features"]
    assert client.get(reverse("geodata:tile", args=[layer.pk, 15, 0, 0])).status_code == 204

    reads = [call for call in get_object_calls if call["Key"] == archive_key]
    assert reads and all(call.get("Range", "").startswith("bytes=") for call in reads)
    spans = [tuple(map(int, call["Range"].removeprefix("bytes=").split("-"))) for call in reads]
    tile_reads = [end - start + 1 for start, end in spans if start > 0]
    assert tile_reads and max(tile_reads) < archive_size  # a tile is one range, never the whole archive

    # The archive vanishes under a process that has it open (a newer version replaced it): tiles are rendered live.
    s3.client.delete_object(Bucket=BUCKET, Key=archive_key)
    response = client.get(reverse("geodata:tile", args=[layer.pk, 15, x, y]), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert mapbox_vector_tile.decode(gzip.decompress(response.content))["features"]["features"]


def test_xplan_reimport_and_plan_geopackage_keep_only_current_objects(
    client, s3, tmp_path, django_capture_on_commit_callbacks
):
    usingen = MunicipalityFactory(
        name="Stadt Usingen", slug="usingen", ags="06434011", boundary=square(8.45, 50.28, 0.2)
    )
    planner = MembershipFactory(municipality=usingen, role=Membership.Role.PLANNER).user
    client.force_login(planner)
    gml = open(BPLAN_54, "rb").read()

    def upload_xplan(content: bytes) -> ImportRun:
        upload = SimpleUploadedFile("bplan.gml", content, content_type="application/gml+xml")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("geodata:xplan_import"), {"file": upload, "municipality": usingen.pk})
        assert response.status_code == 302
        run = ImportRun.objects.order_by("-pk").first()
        assert run.status == ImportRun.Status.READY, run.error  # previewed (with its Prüfbericht) first
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("geodata:import_run_confirm", args=[run.pk]))
        run.refresh_from_db()
        assert run.status == ImportRun.Status.SUCCEEDED, run.error
        assert s3.keys("staging/") == []
        return run

    upload_xplan(gml)
    plan = Plan.objects.get()
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.PUBLISHED, published_at=timezone.now())
    first_layers = set(plan.layers.values_list("pk", flat=True))
    assert {key.split("/")[2] for key in s3.keys("media/layers/") if "/plans/" not in key} == {
        str(pk) for pk in first_layers
    }

    url = reverse("geodata:plan_layers_gpkg", args=[plan.pk])
    first = client.get(url)
    target = tmp_path / "first.gpkg"
    target.write_bytes(b"".join(first.streaming_content))
    assert len(gpd.list_layers(target)) == 4  # 3 content classes and the label layer
    (first_export,) = s3.keys(f"media/layers/plans/{plan.pk}/")

    changed = gml.replace(b"<xplan:GRZ>0.4</xplan:GRZ>", b"<xplan:GRZ>0.45</xplan:GRZ>")
    with django_capture_on_commit_callbacks(execute=True):
        upload_xplan(changed)
    # Re-import makes a new plan version with new layers; version 1's layers keep their files (still readable) ...
    current_layers = set(plan.layers.filter(current=True).values_list("pk", flat=True))
    assert current_layers and not current_layers & first_layers
    versions = {layer.pk: layer.version for layer in plan.layers.all()}
    layer_keys = [key for key in s3.keys("media/layers/") if "/plans/" not in key]
    assert {key.split("/")[2] for key in layer_keys} == {str(pk) for pk in first_layers | current_layers}
    # ... each layer has only the files of its own current file version.
    assert all(f"/v{versions[int(key.split('/')[2])]}" in key for key in layer_keys), layer_keys

    second = client.get(url)
    b"".join(second.streaming_content)
    (second_export,) = s3.keys(f"media/layers/plans/{plan.pk}/")
    assert second_export != first_export  # the outdated GeoPackage was removed


def test_plan_area_from_a_file_staged_in_the_bucket(client, s3):
    """The confirming web request fetches the staged upload from the bucket; the object is gone afterwards."""
    usingen = MunicipalityFactory(
        name="Stadt Usingen", slug="usingen", ags="06434011", boundary=square(8.45, 50.28, 0.2)
    )
    plan = PlanFactory(municipality=usingen)
    planner = MembershipFactory(municipality=usingen, role=Membership.Role.PLANNER).user
    client.force_login(planner)
    url = reverse("geodata:plan_area_upload", args=[plan.pk])
    data = open("tests/data/geodata/area_4326.geojson", "rb").read()
    response = client.post(url, {"file": SimpleUploadedFile("bereich.geojson", data)})
    assert response.status_code == 200
    (staged,) = s3.keys("staging/")
    assert staged.startswith(f"staging/{planner.pk}/") and s3.read(staged) == data
    token = re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)
    response = client.post(reverse("geodata:plan_area_confirm", args=[plan.pk]), {"token": token})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.area.num_geom == 1
    assert s3.keys("staging/") == []
    # A second confirm with the same token finds no staged upload and changes nothing.
    again = client.post(reverse("geodata:plan_area_confirm", args=[plan.pk]), {"token": token})
    assert again.status_code == 400
