"""Exports of the Abwägungstabelle as background jobs: start, run into the storage, download, purge.

The file is written through Django's storage API under the private prefix `exports/<job id>/`
(local disk for `make run`, the object store in production); it is served only through the
permission-checked download view and deleted a day later by `manage.py purge_expired_exports`.
"""

import datetime as dt
import logging
import tempfile
import time

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.models import Consultation
from plans import rules

from . import letters
from .forms import BY_SECTION, FilterForm
from .models import ExportJob
from .reports import FORMATS, export_filename, export_report_to, is_personal
from .selectors import weighed_statements
from .services import _number_new_statements, personal_data_export_log
from .tasks import run_export_job

logger = logging.getLogger(__name__)

KEEP = dt.timedelta(days=1)
PREFIX = "exports"
PROGRESS_SECONDS = 1.0  # at most one progress write per second


def _permission(personal: bool) -> rules.Permission:
    return "export_personal_data" if personal else "moderate"


def _by_section(filters: str) -> bool:
    return QueryDict(filters).get("order") == BY_SECTION


def clean_filters(consultation: Consultation, query: str) -> str:
    """Return the table filters of `query` that are valid, as a query string ('' for none)."""
    form = FilterForm(QueryDict(query), consultation=consultation)
    form.is_valid()
    kept = QueryDict(mutable=True)
    for name, value in form.cleaned_data.items():
        if value not in (None, ""):
            kept[name] = str(value)
    return kept.urlencode()


@transaction.atomic
def export_job_start(*, consultation: Consultation, by, format: str, personal: bool = False, filters: str = ""):
    """Queue an export of `consultation` (narrowed by the table `filters`); return the job.

    The same user asking for the same export while it is still queued or running gets that job again.
    A format that may carry personal data (the ZIP with attachments) is always a personal-data export.
    """
    if format not in FORMATS:
        rules.require(by, "moderate", consultation.plan.municipality)
        raise ValidationError(_("Dieses Exportformat gibt es nicht."), code="unknown_format")
    personal = is_personal(format, personal)
    rules.require(by, _permission(personal), consultation.plan.municipality)
    filters = clean_filters(consultation, filters)
    user = rules.user_or_none(by)
    same = ExportJob.objects.filter(
        consultation=consultation,
        created_by=user,
        format=format,
        personal=personal,
        filters=filters,
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
    ).first()
    if same is not None:
        return same
    job = ExportJob.objects.create(
        consultation=consultation,
        created_by=user,
        format=format,
        personal=personal,
        filters=filters,
        file_name=export_filename(consultation, format, personal),
        expires_at=timezone.now() + KEEP,
    )
    transaction.on_commit(lambda: run_export_job.enqueue(job_id=str(job.pk)))
    return job


def _statement_ids(job: ExportJob) -> list[int] | None:
    if not job.filters:
        return None
    form = FilterForm(QueryDict(job.filters), consultation=job.consultation)
    return list(form.apply(weighed_statements(job.consultation, annotate_late=False)).values_list("id", flat=True))


def _delete_files(job_id) -> None:
    folder = f"{PREFIX}/{job_id}"
    try:
        _dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        default_storage.delete(f"{folder}/{name}")


def export_job_run(*, job: ExportJob, by) -> ExportJob:
    """Produce the job's file (the task's body); a job that already succeeded is left alone.

    Each step is its own short write: claim, progress (throttled), the result. A re-run after a
    crash replaces the files of the earlier attempt instead of adding a second one.
    """
    consultation = job.consultation
    rules.require(by, _permission(is_personal(job.format, job.personal)), consultation.plan.municipality)
    claimable = [ExportJob.Status.QUEUED, ExportJob.Status.RUNNING, ExportJob.Status.FAILED]
    if not ExportJob.objects.filter(pk=job.pk, status__in=claimable).update(
        status=ExportJob.Status.RUNNING, started_at=timezone.now(), progress_done=0, error=""
    ):
        job.refresh_from_db()
        return job
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done in (0, total) or now - last[0] >= PROGRESS_SECONDS:
            last[0] = now
            ExportJob.objects.filter(pk=job.pk).update(progress_done=done, progress_total=total)

    try:
        with transaction.atomic():
            _number_new_statements(consultation)
        _delete_files(job.pk)
        # Rendered into a temporary file and copied to the storage in chunks (the bundle can be large).
        with tempfile.TemporaryFile() as spool:
            if job.format == letters.FORMAT:
                printed = letters.letters_write(spool, consultation=consultation, progress=progress)
                rows = len(printed)
            else:
                rows = export_report_to(
                    spool,
                    consultation=consultation,
                    format=job.format,
                    personal=job.personal,
                    statement_ids=_statement_ids(job),
                    by_section=_by_section(job.filters),
                    progress=progress,
                )
            size = spool.tell()
            spool.seek(0)
            stored = default_storage.save(f"{PREFIX}/{job.pk}/{job.file_name}", File(spool, name=job.file_name))
    except Exception as error:
        # The page says that it failed; the log has the details (never shown: they may name server paths).
        logger.exception("Export job %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=type(error).__name__, finished_at=timezone.now()
        )
        raise
    finished = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.SUCCEEDED,
        rows=rows,
        progress_done=rows,
        progress_total=rows,
        size=size,
        storage_name=stored,
        finished_at=finished,
        expires_at=finished + KEEP,
    )
    if job.format == letters.FORMAT:
        letters.letters_mark_printed(notice_ids=printed, at=finished)
    job.refresh_from_db()
    return job


def export_job_open(*, job: ExportJob, by):
    """Open the job's file for download; names and addresses need the permission again and are logged."""
    consultation = job.consultation
    personal = is_personal(job.format, job.personal)
    rules.require(by, _permission(personal), consultation.plan.municipality)
    if job.status != ExportJob.Status.SUCCEEDED or job.expires_at <= timezone.now():
        raise ValidationError(_("Dieser Export ist nicht (mehr) verfügbar."), code="export_unavailable")
    handle = default_storage.open(job.storage_name, "rb")
    if personal:
        personal_data_export_log(consultation=consultation, by=by, via="web", format=job.format, rows=job.rows or 0)
    return handle


def export_jobs_purge_expired(*, by, at: dt.datetime | None = None) -> int:
    """Delete the files and records of export jobs past their time; return how many jobs."""
    rules.require(by, "operate")
    at = at or timezone.now()
    purged = 0
    while True:
        ids = list(ExportJob.objects.expired(at).values_list("pk", flat=True)[:500])
        if not ids:
            return purged
        for job_id in ids:
            _delete_files(job_id)
        purged += ExportJob.objects.filter(pk__in=ids).delete()[0]
