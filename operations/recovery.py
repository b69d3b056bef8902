"""Recovery of tasks whose worker died (visibility timeout), on the database and the Redis (RQ) backend.

A worker renews the lease of the task it runs (`started_at` on the database backend) every third of
`TASKS_VISIBILITY_TIMEOUT`; a RUNNING task whose lease is older than the timeout belonged to a worker that
was killed, so it is made READY again. After `TASKS_MAX_ATTEMPTS` runs (the worker ids it collected) it is
marked FAILED instead, so a task that kills its worker cannot loop forever.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

logger = logging.getLogger(__name__)


class TaskAbandoned(Exception):
    """The worker running the task stopped renewing its lease (killed) too many times."""


def recover_stale_tasks(*, now: datetime | None = None, timeout: float | None = None) -> int:
    """Make RUNNING database tasks with an expired lease READY again (or FAILED); return how many were recovered."""
    now = now or timezone.now()
    timeout = settings.TASKS_VISIBILITY_TIMEOUT if timeout is None else timeout
    stale = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - timedelta(seconds=timeout)
    )
    recovered = 0
    with exclusive_transaction(stale.db):
        for row in stale.select_for_update(skip_locked=True):
            if len(row.worker_ids) >= settings.TASKS_MAX_ATTEMPTS:
                logger.error(
                    "Task %s (%s) abandoned %d times; marked failed", row.pk, row.task_path, len(row.worker_ids)
                )
                row.set_failed(TaskAbandoned(f"Worker stopped during {len(row.worker_ids)} runs; gave up."))
                continue
            logger.warning(
                "Task %s (%s) was left RUNNING by worker %s; queued again", row.pk, row.task_path, row.worker_ids[-1:]
            )
            row.status, row.started_at = TaskResultStatus.READY, None
            row.save(update_fields=["status", "started_at"])
            recovered += 1
    return recovered


def renew_lease(task_id) -> None:
    """Extend the lease of the running database task `task_id`."""
    DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(started_at=timezone.now())


def recover_abandoned_rq_jobs(queue_name: str = "default") -> int:
    """Move jobs of dead RQ workers out of the started registry and queue them again; return how many.

    rq marks a job abandoned once its worker stopped sending heartbeats (execution TTL); without retries it lands
    in the FailedJobRegistry with an AbandonedJobError. Those are queued again up to TASKS_MAX_ATTEMPTS times.
    """
    import django_rq
    from django_tasks_rq.backend import Job
    from rq.registry import FailedJobRegistry, StartedJobRegistry

    queue = django_rq.get_queue(queue_name, job_class=Job)
    StartedJobRegistry(queue=queue).cleanup()
    failed = FailedJobRegistry(queue=queue)
    recovered = 0
    for job_id in failed.get_job_ids():
        job = queue.fetch_job(job_id)
        if job is None:
            continue
        result = job.latest_result()
        if result is None or "AbandonedJobError" not in (result.exc_string or ""):
            continue
        recoveries = job.meta.get("recoveries", 0)
        if recoveries + 1 >= settings.TASKS_MAX_ATTEMPTS:
            continue
        job.meta["recoveries"] = recoveries + 1
        job.save_meta()
        failed.requeue(job)
        recovered += 1
    return recovered
