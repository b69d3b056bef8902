"""Staged uploads and import runs: keep an upload until it is confirmed, then import it in a task.

A run is checked when it starts (`import_run_start`). When the task executes it, the
import acts as the user who started it, so a planner whose role was withdrawn in
between is refused again; a run without a recorded user (started by the installation,
or its user deleted since) acts as `plans.rules.SYSTEM`.
"""

import logging
import time
import uuid
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from plans import rules
from plans.models import Municipality, Plan

from ..errors import ImportRejected
from ..importers import files
from ..models import ImportRun
from ..tasks import run_import
from .layers import layer_import
from .xplan import xplan_import

logger = logging.getLogger(__name__)

STAGED_MAX_AGE_S = 24 * 3600


def stage_upload(*, upload, by, municipality: Municipality) -> Path:
    """Store an upload for `municipality` in the actor's private staging directory and return its path."""
    rules.require(by, "manage", municipality)
    actor_root = files.staging_root() / (str(by.pk) if by.pk is not None else "system")
    purge_stale_uploads(root=actor_root)
    directory = actor_root / uuid.uuid4().hex
    directory.mkdir(parents=True)
    filename = get_valid_filename(Path(upload.name).name)[-120:] or "upload"
    path = directory / filename
    with open(path, "wb") as sink:
        for chunk in upload.chunks():
            sink.write(chunk)
    return path


def purge_stale_uploads(*, root: Path, max_age_s: int = STAGED_MAX_AGE_S) -> int:
    """Remove staged uploads under `root` older than `max_age_s` (previews never confirmed)."""
    if not root.is_dir():
        return 0
    removed = 0
    limit = time.time() - max_age_s
    for directory in root.iterdir():
        if directory.is_dir() and directory.stat().st_mtime < limit:
            files.remove_tree(directory)
            removed += 1
    return removed


def discard_staged(path: Path) -> None:
    """Remove a staged upload and its directory."""
    path = Path(path)
    root = files.staging_root().resolve()
    if root in path.resolve().parents:
        files.remove_tree(path.parent)


def import_run_start(
    *,
    source: str,
    municipality: Municipality,
    path: Path,
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
        file_path=str(path),
        file_name=file_name[:300],
        options=options,
        created_by=rules.user_or_none(by),
    )
    transaction.on_commit(lambda: run_import.enqueue(run.pk))
    return run


def import_run_execute(*, run: ImportRun) -> None:
    """Run a recorded import as its user, keeping its status, progress and report up to date."""
    if run.finished:
        return
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING)

    def progress(done, total):
        # The import runs in one transaction, so progress goes to the cache, not the row.
        cache.set(progress_key(run.pk), (done, total), 3600)

    by = run.created_by or rules.SYSTEM
    options = run.options or {}
    try:
        if run.source == ImportRun.Source.XPLAN:
            report = xplan_import(
                path=Path(run.file_path),
                municipality=run.municipality,
                by=by,
                original_name=run.file_name,
                progress=progress,
            )
        else:
            assert run.plan is not None, "a layer import run always has a plan"
            report = layer_import(
                plan=run.plan,
                path=Path(run.file_path),
                by=by,
                layer_name=options.get("layer_name") or None,
                crs=options.get("crs") or None,
                name=options.get("name") or None,
                kind=options.get("kind") or None,
                original_name=run.file_name,
                progress=progress,
            )
    except (ImportRejected, PermissionDenied) as exc:
        run.status, run.error = ImportRun.Status.FAILED, str(exc)
    except Exception:
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
    discard_staged(Path(run.file_path))


def progress_key(run_id: int) -> str:
    """Return the cache key holding a running import's (done, total)."""
    return f"geodata:import-progress:{run_id}"
