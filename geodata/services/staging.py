"""Staged uploads and import runs: keep an upload until it is confirmed, then import it in a task.

Uploads wait in the staging storage (STORAGES["staging"], a private S3 prefix in production, else
IMPORT_STAGING_DIR); nothing is shared between nodes but that storage: whoever reads a staged
upload (the worker) fetches its own local copy for GDAL and removes it afterwards.

A run is checked when it starts (`import_run_start`). When the task executes it, the
import acts as the user who started it, so a planner whose role was withdrawn in
between is refused again; a run without a recorded user (started by the installation,
or its user deleted since) acts as `plans.rules.SYSTEM`.
"""

import datetime as dt
import logging
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from operations.retry import is_final_attempt, is_transient
from plans import rules
from plans.models import Municipality, Plan

from ..errors import ImportRejected
from ..models import ImportRun
from ..tasks import preview_import, run_import
from .layers import check_key_attribute, import_preview, layer_import
from .versions import plan_current_version
from .xplan import xplan_import
from .xplan_preview import xplan_preview

logger = logging.getLogger(__name__)

STAGED_MAX_AGE_S = 24 * 3600


def staging_storage() -> Storage:
    """Return the private storage of uploads waiting for their import: STORAGES["staging"], else a local dir."""
    if "staging" in settings.STORAGES:
        return storages["staging"]
    return FileSystemStorage(location=settings.IMPORT_STAGING_DIR)


def _actor_prefix(by) -> str:
    return f"{by.pk if by.pk is not None else 'system'}/"


def stage_upload(*, upload, by, municipality: Municipality) -> str:
    """Store an upload for `municipality` under the actor's private staging prefix and return its name."""
    rules.require(by, "manage", municipality)
    storage = staging_storage()
    prefix = _actor_prefix(by)
    purge_stale_uploads(prefix=prefix)
    filename = get_valid_filename(Path(upload.name).name)[-120:] or "upload"
    upload.seek(0)
    return storage.save(f"{prefix}{uuid.uuid4().hex}-{filename}", upload)


@contextmanager
def upload_copy(upload) -> Iterator[Path]:
    """Yield a local path of an uploaded file: Django's own temporary file, else a private copy."""
    temporary = getattr(upload, "temporary_file_path", None)
    if temporary is not None:
        yield Path(temporary())
        return
    with tempfile.TemporaryDirectory(prefix="pb-upload-") as workdir:
        path = Path(workdir) / "upload"
        with open(path, "wb") as sink:
            for chunk in upload.chunks():
                sink.write(chunk)
        yield path


def staged_exists(name: str) -> bool:
    """Return True if the staged upload `name` is still there."""
    try:
        return staging_storage().exists(name)
    except SuspiciousFileOperation:
        return False


@contextmanager
def staged_copy(name: str) -> Iterator[Path]:
    """Yield a private local copy of the staged upload `name` for GDAL; it is removed afterwards."""
    storage = staging_storage()
    with tempfile.TemporaryDirectory(prefix="pb-staged-") as workdir:
        path = Path(workdir) / (Path(name).name.split("-", 1)[-1] or "upload")
        with storage.open(name, "rb") as source, open(path, "wb") as sink:
            shutil.copyfileobj(source, sink, 1024 * 1024)
        yield path


def purge_stale_uploads(*, prefix: str, max_age_s: int = STAGED_MAX_AGE_S) -> int:
    """Remove staged uploads under `prefix` older than `max_age_s` (previews never confirmed)."""
    storage = staging_storage()
    try:
        _dirs, names = storage.listdir(prefix)
    except FileNotFoundError:
        return 0
    limit = timezone.now() - dt.timedelta(seconds=max_age_s)
    removed = 0
    for name in names:
        if storage.get_modified_time(prefix + name) < limit:
            storage.delete(prefix + name)
            removed += 1
    return removed


def discard_staged(name: str) -> None:
    """Remove a staged upload."""
    try:
        staging_storage().delete(name)
    except SuspiciousFileOperation:
        logger.warning("Refused to delete %r outside the staging storage", name)


def import_run_start(
    *,
    source: str,
    municipality: Municipality,
    staged: str,
    file_name: str,
    options: dict,
    by,
    plan: Plan | None = None,
) -> ImportRun:
    """Record an import and queue it as a background task once the row is committed."""
    rules.require(by, "manage", municipality)
    if plan is not None and plan.municipality_id != municipality.pk:
        raise PermissionDenied(_("Sie haben für diese Aktion keine Berechtigung."))
    run = ImportRun.objects.create(
        source=source,
        municipality=municipality,
        plan=plan,
        file_path=staged,
        file_name=file_name[:300],
        options=options,
        created_by=rules.user_or_none(by),
    )
    transaction.on_commit(lambda: run_import.enqueue(run.pk))
    return run


def import_preview_start(*, plan: Plan, upload, options: dict, by) -> ImportRun:
    """Stage a layer upload and queue its preview (count, CRS, fields, bounding box) as a background task.

    The web request only streams the upload to the staging storage; GDAL reads it in the worker.
    """
    rules.require(by, "manage", plan.municipality)
    name = stage_upload(upload=upload, by=by, municipality=plan.municipality)
    run = ImportRun.objects.create(
        source=ImportRun.Source.LAYER,
        status=ImportRun.Status.PREVIEWING,
        municipality=plan.municipality,
        plan=plan,
        file_path=name,
        file_name=upload.name[:300],
        options=options,
        created_by=rules.user_or_none(by),
    )
    transaction.on_commit(lambda: preview_import.enqueue(run.pk))
    return run


def xplan_preview_start(*, municipality: Municipality, upload, plan: Plan | None, by) -> ImportRun:
    """Stage an XPlanGML upload and queue its preview: which plan it updates (Fassung n → n+1) and what changes."""
    rules.require(by, "manage", municipality)
    if plan is not None and plan.municipality_id != municipality.pk:
        raise PermissionDenied(_("Sie haben für diese Aktion keine Berechtigung."))
    name = stage_upload(upload=upload, by=by, municipality=municipality)
    run = ImportRun.objects.create(
        source=ImportRun.Source.XPLAN,
        status=ImportRun.Status.PREVIEWING,
        municipality=municipality,
        plan=plan,
        file_path=name,
        file_name=upload.name[:300],
        options={},
        created_by=rules.user_or_none(by),
    )
    transaction.on_commit(lambda: preview_import.enqueue(run.pk))
    return run


def _preview(run: ImportRun, path: Path) -> dict:
    options = run.options or {}
    if run.source == ImportRun.Source.XPLAN:
        return xplan_preview(
            path=path,
            by=run.created_by or rules.SYSTEM,
            municipality=run.municipality,
            plan=run.plan,
            original_name=run.file_name,
        )
    preview = import_preview(
        path=path,
        original_name=run.file_name,
        layer_name=options.get("layer_name") or None,
        crs=options.get("crs") or None,
    )
    check_key_attribute(options.get("key_attribute") or None, preview.fields)
    result = preview.as_dict()
    assert run.plan is not None, "a layer import run always has a plan"
    name = (options.get("name") or Path(run.file_name).stem or preview.layer)[:200]
    current = plan_current_version(run.plan)
    result["layer_target"] = name
    result["replaces"] = run.plan.layers.filter(current=True, name=name).exists()
    result["version_from"] = current.number if current is not None else None
    result["version_to"] = (result["version_from"] or 0) + 1
    return result


def import_preview_execute(*, run: ImportRun) -> None:
    """Read what a staged upload holds and keep it on the run; a file that fails the checks fails the run."""
    if run.status != ImportRun.Status.PREVIEWING:
        return
    try:
        with staged_copy(run.file_path) as path:
            preview = _preview(run, path)
    except (ImportRejected, PermissionDenied) as exc:
        run.status, run.error = ImportRun.Status.FAILED, str(exc)
    except FileNotFoundError:
        run.status = ImportRun.Status.FAILED
        run.error = _("Die hochgeladene Datei ist nicht mehr vorhanden; bitte erneut hochladen.")
    except Exception as exc:
        if is_transient(exc) and not is_final_attempt():
            raise  # still PREVIEWING; the task runs again later (operations.retry)
        logger.exception("Preview of import %s failed", run.pk)
        run.status = ImportRun.Status.FAILED
        run.error = _("Der Import ist wegen eines internen Fehlers fehlgeschlagen; es wurde nichts gespeichert.")
    else:
        run.status, run.preview = ImportRun.Status.READY, preview
    if run.status == ImportRun.Status.FAILED:
        run.finished_at = timezone.now()
        discard_staged(run.file_path)
    run.save()


def import_run_confirm(*, run: ImportRun, by) -> ImportRun:
    """Start the import of a previewed upload as a background task."""
    rules.require(by, "manage", run.municipality)
    if not ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.READY).update(status=ImportRun.Status.PENDING):
        raise ImportRejected(
            _("Dieser Import wurde bereits gestartet oder ist nicht mehr möglich."), code="run_not_ready"
        )
    run.status = ImportRun.Status.PENDING
    transaction.on_commit(lambda: run_import.enqueue(run.pk))
    return run


def import_run_execute(*, run: ImportRun) -> None:
    """Run a recorded import as its user, keeping its status, progress and report up to date."""
    if run.finished or run.status in (ImportRun.Status.PREVIEWING, ImportRun.Status.READY):
        return
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING)

    def progress(done, total):
        # The import runs in one transaction, so progress goes to the cache, not the row.
        cache.set(progress_key(run.pk), (done, total), 3600)

    by = run.created_by or rules.SYSTEM
    options = run.options or {}
    try:
        with staged_copy(run.file_path) as path:
            report = _execute(run, path=path, by=by, options=options, progress=progress)
    except (ImportRejected, PermissionDenied) as exc:
        run.status, run.error = ImportRun.Status.FAILED, str(exc)
    except FileNotFoundError:
        logger.warning("Import %s: staged upload %s is gone", run.pk, run.file_path)
        run.status = ImportRun.Status.FAILED
        run.error = _("Die hochgeladene Datei ist nicht mehr vorhanden; bitte erneut hochladen.")
    except Exception as exc:
        if is_transient(exc) and not is_final_attempt():
            # Database or storage unavailable: the task runs again later (operations.retry); nothing was kept.
            ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.PENDING)
            raise
        logger.exception("Import %s failed", run.pk)
        run.status = ImportRun.Status.FAILED
        run.error = _("Der Import ist wegen eines internen Fehlers fehlgeschlagen; es wurde nichts gespeichert.")
    else:
        run.status, run.report = ImportRun.Status.SUCCEEDED, report.as_dict()
        run.progress_done = run.progress_total = report.created
        if report.plan_id and run.plan_id is None:
            run.plan_id = report.plan_id
    run.finished_at = timezone.now()
    run.save()
    discard_staged(run.file_path)


def _execute(run: ImportRun, *, path: Path, by, options: dict, progress):
    if run.source == ImportRun.Source.XPLAN:
        return xplan_import(
            path=path,
            municipality=run.municipality,
            plan=run.plan,
            by=by,
            original_name=run.file_name,
            progress=progress,
            import_run=run,
        )
    assert run.plan is not None, "a layer import run always has a plan"
    return layer_import(
        plan=run.plan,
        path=path,
        by=by,
        layer_name=options.get("layer_name") or None,
        crs=options.get("crs") or None,
        name=options.get("name") or None,
        kind=options.get("kind") or None,
        original_name=run.file_name,
        progress=progress,
        key_attribute=options.get("key_attribute") or None,
        import_run=run,
    )


def progress_key(run_id: int) -> str:
    """Return the cache key holding a running import's (done, total)."""
    return f"geodata:import-progress:{run_id}"
