"""Failed tasks (the dead letters) of the configured backend: list them, run one again, or discard it.

A task ends FAILED after a permanent error or after TASKS_MAX_ATTEMPTS attempts (operations.retry,
operations.recovery). Operators see them at /verwaltung/betrieb/aufgaben/ and decide per task.
"""

import dataclasses
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task_backends

from plans.rules import require

LIST_LIMIT = 200


@dataclasses.dataclass(frozen=True)
class FailedTask:
    """One failed task as the dead-letter view shows it."""

    id: str
    name: str
    arguments: str
    error: str
    attempts: int
    failed_at: datetime | None


def _is_rq() -> bool:
    return type(task_backends[DEFAULT_TASK_BACKEND_ALIAS]).__module__.startswith("django_tasks_rq")


def _short(value: Any) -> str:
    """Return a short text for an argument; long strings (links with tokens) are cut."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _summary(args: list, kwargs: dict) -> str:
    parts = [_short(value) for value in args]
    parts += [f"{name}={_short(value)}" for name, value in kwargs.items() if name != "attempt"]
    return ", ".join(parts)


def _last_line(traceback: str) -> str:
    lines = [line for line in (traceback or "").strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _attempts(kwargs: dict, runs: int) -> int:
    return max(int(kwargs.get("attempt", 1)), runs, 1)


def failed_tasks() -> list[FailedTask]:
    """Return the most recent failed tasks, newest first (at most LIST_LIMIT)."""
    if _is_rq():
        return _failed_rq_jobs()
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).order_by("-finished_at")[:LIST_LIMIT]
    return [
        FailedTask(
            id=str(row.pk),
            name=row.task_path,
            arguments=_summary(row.args_kwargs["args"], row.args_kwargs["kwargs"]),
            error=_last_line(row.traceback) or row.exception_class_path,
            attempts=_attempts(row.args_kwargs["kwargs"], len(row.worker_ids)),
            failed_at=row.finished_at,
        )
        for row in rows
    ]


def _rq_failed_registry():
    import django_rq
    from django_tasks_rq.backend import Job
    from rq.registry import FailedJobRegistry

    queue = django_rq.get_queue("default", job_class=Job)
    return queue, FailedJobRegistry(queue=queue)


def _failed_rq_jobs() -> list[FailedTask]:
    queue, registry = _rq_failed_registry()
    found = []
    for job_id in registry.get_job_ids(end=LIST_LIMIT - 1, desc=True):
        job = queue.fetch_job(job_id)
        if job is None:
            continue
        result = job.latest_result()
        found.append(
            FailedTask(
                id=job.id,
                name=job.func_name,
                arguments=_summary(list(job.args), dict(job.kwargs)),
                error=_last_line(result.exc_string if result else ""),
                attempts=_attempts(dict(job.kwargs), 1 + job.meta.get("recoveries", 0)),
                failed_at=job.ended_at,
            )
        )
    return found


def _not_found() -> ValidationError:
    return ValidationError(_("Diese Aufgabe gibt es nicht mehr."), code="task_not_found")


def _failed_rq_job(task_id: str):
    """Return rq's failed-job registry and the failed job `task_id` in it; raise if it is not there."""
    queue, registry = _rq_failed_registry()
    job = queue.fetch_job(task_id)
    if job is None or job.id not in registry.get_job_ids():
        raise _not_found()
    return registry, job


def failed_task_retry(*, task_id: str, by) -> None:
    """Queue a failed task again with fresh attempts, and remove the failed record."""
    require(by, "operate", None)
    if _is_rq():
        registry, job = _failed_rq_job(task_id)
        kwargs = {name: value for name, value in job.kwargs.items() if name != "attempt"}
        job.func.enqueue(*job.args, **kwargs)
        registry.remove(job, delete_job=True)
        return
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        row = _failed_row(DBTaskResult, task_id)
        kwargs = {name: value for name, value in row.args_kwargs["kwargs"].items() if name != "attempt"}
        row.task.using(run_after=None).enqueue(*row.args_kwargs["args"], **kwargs)
        row.delete()


def failed_task_discard(*, task_id: str, by) -> None:
    """Delete a failed task for good."""
    require(by, "operate", None)
    if _is_rq():
        registry, job = _failed_rq_job(task_id)
        registry.remove(job, delete_job=True)
        return
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        _failed_row(DBTaskResult, task_id).delete()


def _failed_row(model, task_id: str):
    try:
        row = model.objects.select_for_update().filter(pk=task_id, status=TaskResultStatus.FAILED).first()
    except ValidationError:  # not a UUID
        row = None
    if row is None:
        raise _not_found()
    return row
