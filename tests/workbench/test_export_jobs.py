"""Exports as background jobs over HTTP: start, progress page, download with the row count, permissions, purge."""

import dataclasses
import datetime as dt
import io

import openpyxl
import pyogrio
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from participation.workbench import export_jobs
from participation.workbench.models import ExportJob, PersonalDataExportLog
from participation.workbench.tasks import run_export_job
from plans.rules import SYSTEM


def _start(client, consultation, format, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("workbench:export", args=[consultation.pk, format]), {"filters": "", **data})


def _download(client, job):
    response = client.get(reverse("workbench:export_download", args=[job.consultation_id, job.pk]))
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def test_filtered_xlsx_export_reports_and_contains_exactly_its_rows(
    client, world, immediate_tasks, django_capture_on_commit_callbacks
):
    consultation = world["consultation"]
    client.force_login(world["users"]["moderator"])
    table = client.get(reverse("workbench:table", args=[consultation.pk]), {"topic": "traffic"}).content.decode()
    assert 'name="filters" value="topic=traffic"' in table  # the table's filters travel with the export button
    assert "4 Stellungnahmen gefunden" in table
    response = _start(client, consultation, "xlsx", django_capture_on_commit_callbacks, filters="topic=traffic&page=2")
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("workbench:export_job", args=[consultation.pk, job.pk])
    assert (job.status, job.rows, job.filters, job.personal) == ("succeeded", 4, "topic=traffic", False)
    assert job.storage_name == f"exports/{job.pk}/{job.file_name}" and default_storage.exists(job.storage_name)
    assert job.expires_at - job.finished_at == dt.timedelta(days=1)
    page = client.get(response["Location"]).content.decode()
    assert "4 Zeilen exportiert." in page and "Thema: Verkehr" in page
    assert 'http-equiv="refresh"' not in page
    sheet = openpyxl.load_workbook(io.BytesIO(_download(client, job)))["Abwägung"]
    assert sheet.max_row == 1 + 4


def test_pdf_and_geopackage_are_produced_in_the_background(
    client, world, immediate_tasks, django_capture_on_commit_callbacks, tmp_path
):
    consultation = world["consultation"]
    client.force_login(world["users"]["planner"])
    _start(client, consultation, "pdf", django_capture_on_commit_callbacks)
    _start(client, consultation, "gpkg", django_capture_on_commit_callbacks)
    pdf_job, gpkg_job = ExportJob.objects.get(format="pdf"), ExportJob.objects.get(format="gpkg")
    assert pdf_job.rows == gpkg_job.rows == 8
    pdf = PdfReader(io.BytesIO(_download(client, pdf_job)))
    assert "Am Riedborn" in pdf.pages[0].extract_text()
    path = tmp_path / "s.gpkg"
    path.write_bytes(_download(client, gpkg_job))
    assert len(pyogrio.read_dataframe(path, layer="stellungnahmen")) == 8


def test_queued_export_shows_a_self_refreshing_progress_page(client, world, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # waits for a worker
    consultation = world["consultation"]
    client.force_login(world["users"]["planner"])
    client.post(reverse("workbench:export", args=[consultation.pk, "csv"]), {"filters": ""})
    job = ExportJob.objects.get()
    page = client.get(reverse("workbench:export_job", args=[consultation.pk, job.pk])).content.decode()
    assert "Der Export wartet auf den Hintergrunddienst." in page
    assert '<meta http-equiv="refresh" content="2">' in page and "<script>" not in page
    download = client.get(reverse("workbench:export_download", args=[consultation.pk, job.pk]))
    assert download["Location"] == reverse("workbench:export_job", args=[consultation.pk, job.pk])
    # The same request again while it waits returns the same job.
    client.post(reverse("workbench:export", args=[consultation.pk, "csv"]), {"filters": ""})
    assert ExportJob.objects.count() == 1


def test_running_the_job_twice_writes_one_file(world, immediate_tasks, django_capture_on_commit_callbacks):
    consultation = world["consultation"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = export_jobs.export_job_start(consultation=consultation, by=SYSTEM, format="csv")
    assert len(callbacks) == 1
    assert run_export_job.call(job_id=str(job.pk)) == 8
    first = ExportJob.objects.get()
    assert run_export_job.call(job_id=str(job.pk)) == 8  # e.g. a worker re-running it after a crash
    again = ExportJob.objects.get()
    assert (again.finished_at, again.storage_name) == (first.finished_at, first.storage_name)
    assert default_storage.listdir(f"exports/{job.pk}")[1] == [job.file_name]
    # A crash after the claim (status still "running") is finished by the re-run, replacing the partial file.
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    run_export_job.call(job_id=str(job.pk))
    assert default_storage.listdir(f"exports/{job.pk}")[1] == [job.file_name]


@pytest.mark.parametrize("role,expected", [("foreign_planner", 404), ("foreign_moderator", 404), ("anonymous", 302)])
def test_other_municipalities_staff_get_neither_page_nor_file(
    client, world, immediate_tasks, django_capture_on_commit_callbacks, role, expected
):
    consultation = world["consultation"]
    client.force_login(world["users"]["planner"])
    _start(client, consultation, "csv", django_capture_on_commit_callbacks, personal="1")
    job = ExportJob.objects.get()
    client.logout()
    if role != "anonymous":
        client.force_login(world["users"][role])
    for name in ("workbench:export_job", "workbench:export_download"):
        response = client.get(reverse(name, args=[consultation.pk, job.pk]))
        assert response.status_code == expected
        assert b"Erika" not in response.content
    # Another consultation's URL with this job's id finds nothing either.
    if role == "foreign_planner":
        other = world["foreign_consultation"]
        assert client.get(reverse("workbench:export_download", args=[other.pk, job.pk])).status_code == 404
    assert not PersonalDataExportLog.objects.exists()


def test_moderator_may_not_fetch_a_personal_data_export(
    client, world, immediate_tasks, django_capture_on_commit_callbacks
):
    consultation = world["consultation"]
    client.force_login(world["users"]["planner"])
    _start(client, consultation, "csv", django_capture_on_commit_callbacks, personal="1")
    job = ExportJob.objects.get()
    client.force_login(world["users"]["moderator"])
    assert client.get(reverse("workbench:export_job", args=[consultation.pk, job.pk])).status_code == 403
    assert client.get(reverse("workbench:export_download", args=[consultation.pk, job.pk])).status_code == 403
    assert not PersonalDataExportLog.objects.exists()
    client.force_login(world["users"]["planner"])
    assert b"Erika Musterfrau0" in _download(client, job)
    assert PersonalDataExportLog.objects.get().rows == 8


def test_expired_exports_are_purged_with_their_files(
    client, world, immediate_tasks, django_capture_on_commit_callbacks
):
    consultation = world["consultation"]
    client.force_login(world["users"]["planner"])
    _start(client, consultation, "csv", django_capture_on_commit_callbacks)
    _start(client, consultation, "xlsx", django_capture_on_commit_callbacks)
    old, fresh = ExportJob.objects.get(format="csv"), ExportJob.objects.get(format="xlsx")
    ExportJob.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.get(reverse("workbench:export_download", args=[consultation.pk, old.pk]), follow=True)
    assert "Dieser Export ist nicht (mehr) verfügbar." in response.content.decode()
    out = io.StringIO()
    call_command("purge_expired_exports", stdout=out)
    assert "1 abgelaufene Exporte gelöscht." in out.getvalue()
    assert list(ExportJob.objects.all()) == [fresh]
    assert not default_storage.exists(old.storage_name) and default_storage.exists(fresh.storage_name)
    assert client.get(reverse("workbench:export_job", args=[consultation.pk, old.pk])).status_code == 404


def test_failed_export_says_so_without_details(
    client, world, immediate_tasks, django_capture_on_commit_callbacks, monkeypatch
):
    from participation.workbench.reports import FORMATS

    def broken(**kwargs):
        raise OSError("/srv/planbeteiligung/tmp/xyz nicht beschreibbar")

    monkeypatch.setitem(FORMATS, "csv", dataclasses.replace(FORMATS["csv"], render=broken))
    consultation = world["consultation"]
    client.force_login(world["users"]["planner"])
    _start(client, consultation, "csv", django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert (job.status, job.error) == ("failed", "OSError")
    page = client.get(reverse("workbench:export_job", args=[consultation.pk, job.pk])).content.decode()
    assert "Der Export ist fehlgeschlagen." in page and "/srv/" not in page


def test_unknown_format_is_refused(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        export_jobs.export_job_start(consultation=world["consultation"], by=SYSTEM, format="doc")
    assert error.value.code == "unknown_format" and not ExportJob.objects.exists()
