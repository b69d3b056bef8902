"""The export bundle "ZIP mit Anhängen": the Abwägung table, every attachment by statement number, a manifest."""

import csv
import hashlib
import io
import zipfile

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse

from participation.models import Attachment
from participation.workbench.models import ExportJob, PersonalDataExportLog, Weighing
from participation.workbench.reports import bundle
from tests.workbench.conftest import add_attachment

BUCKET = "planbeteiligung-bundle-test"


@pytest.fixture(scope="module")
def s3_endpoint():
    """A moto S3 server with an empty bucket (moto's state is per process: a bucket of its own)."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test", region_name="eu-central-1"
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
    yield endpoint, client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)
    server.stop()


def _start(client, consultation, capture, **data):
    with capture(execute=True):
        return client.post(reverse("workbench:export", args=[consultation.pk, "zip"]), {"filters": "", **data})


def _bundle(client, job) -> zipfile.ZipFile:
    response = client.get(reverse("workbench:export_download", args=[job.consultation_id, job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _manifest(archive) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig")), delimiter=";"))


def _number(statement) -> int:
    return Weighing.objects.get(statement=statement).number


def test_bundle_holds_the_table_every_attachment_and_a_manifest(
    client, authority_round, immediate_tasks, django_capture_on_commit_callbacks
):
    world = authority_round
    consultation = world["consultation"]
    citizen = world["statements"][0]
    photo = add_attachment(citizen, "Foto Straße.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg")
    letter = add_attachment(citizen, "../../Brief an die Stadt.PDF", b"%PDF-1.4 letter")
    client.force_login(world["users"]["planner"])
    table = client.get(reverse("workbench:table", args=[consultation.pk])).content.decode()
    assert "ZIP mit Anhängen" in table
    response = _start(client, consultation, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("workbench:export_job", args=[consultation.pk, job.pk])
    assert (job.status, job.format, job.personal, job.rows) == ("succeeded", "zip", True, 10)
    assert job.file_name == "abwaegung-am-riedborn-publication-1-personendaten.zip"
    assert not PersonalDataExportLog.objects.exists()
    archive = _bundle(client, job)
    water, first = _number(world["water"]), _number(citizen)
    expected = {
        f"anhaenge/{water:04d}_1_gutachten-entwaesserung.pdf": world["pdf"],
        f"anhaenge/{first:04d}_1_foto-strasse.jpg": b"\xff\xd8\xff\xe0 not really a jpeg",
        f"anhaenge/{first:04d}_2_brief-an-die-stadt.pdf": b"%PDF-1.4 letter",
    }
    assert sorted(archive.namelist()) == sorted(["abwaegungstabelle.xlsx", "manifest.csv", *expected])
    for name, data in expected.items():
        assert archive.read(name) == data
    sheet = openpyxl.load_workbook(io.BytesIO(archive.read("abwaegungstabelle.xlsx")))["Abwägung"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 11 and "Erika Musterfrau0" in rows[first]  # the bundle is the variant with names
    manifest = _manifest(archive)
    assert [m["Datei im Archiv"] for m in manifest] == [
        "abwaegungstabelle.xlsx",
        *sorted(expected, key=lambda n: n.split("/")[1]),
    ]
    by_path = {m["Datei im Archiv"]: m for m in manifest}
    for name, data in expected.items():
        entry = by_path[name]
        assert entry["SHA-256"] == hashlib.sha256(data).hexdigest() and entry["Größe (Bytes)"] == str(len(data))
        assert entry["Status"] == "enthalten"
    assert by_path[f"anhaenge/{first:04d}_2_brief-an-die-stadt.pdf"]["Originalname"] == letter.original_name
    assert (
        by_path[f"anhaenge/{first:04d}_1_foto-strasse.jpg"]["Nr."] == str(first) == str(photo.statement.weighing.number)
    )
    # Downloading the bundle is logged as an export with personal data.
    assert list(PersonalDataExportLog.objects.values_list("format", "rows", "user__username")) == [
        ("zip", 10, "planer")
    ]


def test_bundle_follows_the_table_filters(client, authority_round, immediate_tasks, django_capture_on_commit_callbacks):
    world = authority_round
    add_attachment(world["statements"][0], "buerger.pdf", b"%PDF citizen")
    client.force_login(world["users"]["planner"])
    _start(client, world["consultation"], django_capture_on_commit_callbacks, filters="sender=public", personal="1")
    job = ExportJob.objects.get()
    assert job.rows == 8
    names = _bundle(client, job).namelist()
    assert [n for n in names if n.startswith("anhaenge/")] == [
        f"anhaenge/{_number(world['statements'][0]):04d}_1_buerger.pdf"
    ]


def test_missing_attachment_file_is_named_in_the_manifest(
    client, authority_round, immediate_tasks, django_capture_on_commit_callbacks, attachment_storage
):
    world = authority_round
    attachment_storage.delete(world["attachment"].file.name)
    client.force_login(world["users"]["planner"])
    _start(client, world["consultation"], django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert job.status == "succeeded"
    archive = _bundle(client, job)
    assert not [n for n in archive.namelist() if n.startswith("anhaenge/")]
    missing = [m for m in _manifest(archive) if m["Originalname"] == "Gutachten Entwässerung.pdf"]
    assert len(missing) == 1 and missing[0]["Status"] == "fehlt im Speicher" and missing[0]["Datei im Archiv"] == ""


def test_bundle_needs_the_personal_data_permission(
    client, authority_round, immediate_tasks, django_capture_on_commit_callbacks
):
    world = authority_round
    consultation = world["consultation"]
    client.force_login(world["users"]["moderator"])
    table = client.get(reverse("workbench:table", args=[consultation.pk])).content.decode()
    assert "ZIP mit Anhängen" not in table
    assert client.get(reverse("workbench:export", args=[consultation.pk, "zip"])).status_code == 403
    assert _start(client, consultation, django_capture_on_commit_callbacks).status_code == 403
    assert not ExportJob.objects.exists()
    # A planner's bundle stays closed to the moderator as well.
    client.force_login(world["users"]["planner"])
    _start(client, consultation, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    client.force_login(world["users"]["moderator"])
    for name in ("workbench:export_job", "workbench:export_download"):
        assert client.get(reverse(name, args=[consultation.pk, job.pk])).status_code == 403
    assert not PersonalDataExportLog.objects.exists()


@pytest.mark.parametrize("user", ["foreign_planner", "foreign_moderator", "no_membership"])
def test_bundle_of_another_municipality_is_refused(
    client, authority_round, immediate_tasks, django_capture_on_commit_callbacks, user
):
    world = authority_round
    consultation = world["consultation"]
    client.force_login(world["users"]["planner"])
    _start(client, consultation, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    client.force_login(world["users"][user])
    assert _start(client, consultation, django_capture_on_commit_callbacks).status_code in (403, 404)
    assert client.get(reverse("workbench:export", args=[consultation.pk, "zip"])).status_code in (403, 404)
    for name in ("workbench:export_job", "workbench:export_download"):
        assert client.get(reverse(name, args=[consultation.pk, job.pk])).status_code in (403, 404)
    assert ExportJob.objects.count() == 1 and not PersonalDataExportLog.objects.exists()


def test_foreign_planner_gets_404_not_403(client, authority_round, django_capture_on_commit_callbacks):
    world = authority_round
    client.force_login(world["users"]["foreign_planner"])
    assert _start(client, world["consultation"], django_capture_on_commit_callbacks).status_code == 404


def test_bundle_from_the_command_line(authority_round, tmp_path):
    world = authority_round
    target = tmp_path / "bundle.zip"
    args = ["export_comments", world["consultation"].pk, "--format", "zip", "-o", str(target)]
    with pytest.raises(CommandError, match="keine Berechtigung"):
        call_command(*args, "--user", "moderatorin", stdout=io.StringIO())
    assert not target.exists()
    out = io.StringIO()
    call_command(*args, "--user", "planer", stdout=out)
    assert "10 Stellungnahmen als ZIP mit Anhängen (mit Personendaten)" in out.getvalue()
    with zipfile.ZipFile(target) as archive:
        assert any(name.endswith("_1_gutachten-entwaesserung.pdf") for name in archive.namelist())
    assert list(PersonalDataExportLog.objects.values_list("format", "via")) == [("zip", "cli")]


def test_attachments_are_copied_in_chunks(authority_round, monkeypatch):
    """A large attachment is never read whole: the bundle copies it chunk by chunk."""
    world = authority_round
    data = bytes(range(256)) * 40  # 10 KiB
    big = add_attachment(world["statements"][1], "gross.pdf", data)
    reads = []
    storage = big.file.storage
    real_open = storage.open

    class Spy:
        def __init__(self, handle):
            self.handle = handle

        def read(self, size=-1):
            reads.append(size)
            return self.handle.read(size)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

    def spying_open(name, mode="rb"):
        return Spy(real_open(name, mode))

    monkeypatch.setattr(bundle, "CHUNK", 1024)
    monkeypatch.setattr(storage, "open", spying_open)
    out = io.BytesIO()
    bundle.write(out=out, rows=_report_rows(world), columns=_columns(), consultation=world["consultation"])
    assert reads and all(0 < size <= 1024 for size in reads)
    with zipfile.ZipFile(out) as archive:
        assert archive.read(next(n for n in archive.namelist() if n.endswith("_1_gross.pdf"))) == data


def _report_rows(world):
    from participation.workbench.reports.data import report_rows
    from participation.workbench.services import weighings_ensure
    from plans.rules import SYSTEM

    weighings_ensure(consultation=world["consultation"], by=SYSTEM)
    return report_rows(world["consultation"])


def _columns():
    from participation.workbench.reports.columns import columns_for

    return columns_for(personal=True)


@pytest.mark.parametrize(
    ("original", "content_type", "expected"),
    [
        ("Gutachten Lärm (final).PDF", "application/pdf", "gutachten-laerm-final.pdf"),
        ("../../etc/passwd", "", "passwd.bin"),
        ("C:\\Users\\x\\Foto.jpeg", "image/jpeg", "foto.jpeg"),
        ("ohne Endung", "application/pdf", "ohne-endung.pdf"),
        ("=HYPERLINK().pdf", "application/pdf", "hyperlink.pdf"),
        ("ßüß.docx", "", "ssuess.docx"),
        ("...", "image/png", "anhang.png"),
    ],
)
def test_archive_names_are_harmless(original, content_type, expected):
    assert bundle.safe_name(original, content_type) == expected


def test_bundle_streams_from_and_to_the_object_store(
    client,
    authority_round,
    immediate_tasks,
    django_capture_on_commit_callbacks,
    settings,
    monkeypatch,
    s3_endpoint,  # noqa: F811
):
    from storages.backends.s3 import S3Storage

    endpoint, s3 = s3_endpoint
    options = {
        "bucket_name": BUCKET,
        "endpoint_url": endpoint,
        "access_key": "test",
        "secret_key": "test",
        "region_name": "eu-central-1",
        "default_acl": "private",
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    attachments = S3Storage(**options, location="attachments")
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", attachments)
    world = authority_round
    data = b"%PDF-1.4 im Objektspeicher"
    stored = add_attachment(world["water"], "S3 Gutachten.pdf", data)
    assert stored.file.name in [
        k["Key"].removeprefix("attachments/") for k in s3.list_objects_v2(Bucket=BUCKET)["Contents"]
    ]
    client.force_login(world["users"]["planner"])
    _start(client, world["consultation"], django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert default_storage.exists(job.storage_name)
    archive = _bundle(client, job)
    assert archive.read(f"anhaenge/{_number(world['water']):04d}_2_s3-gutachten.pdf") == data
    # The local attachment of the fixture is not in the object store: named as missing, nothing invented.
    assert [m["Status"] for m in _manifest(archive) if m["Originalname"] == "Gutachten Entwässerung.pdf"] == [
        "fehlt im Speicher"
    ]
