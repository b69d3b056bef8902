"""The Redis backend (django-tasks-rq): a confirmation mail enqueued there is sent by `run_worker --batch`."""

import datetime as dt

import pytest
import redis
from django.core.management import call_command
from django.utils import timezone

from participation.tasks import send_confirmation_mail
from tests.factories import StatementFactory

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/2"  # this helper's Redis database in tests
URL = "http://testserver/bestaetigen/abc/"


@pytest.fixture
def rq_tasks(settings, database_tasks):
    """Queue tasks in Redis through django-tasks-rq; the in-process rq worker sees the test's transaction."""
    import django_rq

    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    settings.RQ = {"WORKER_CLASS": "rq.worker.SimpleWorker"}  # no fork: the job runs in the test's transaction
    queue = django_rq.get_queue("default")
    _empty(queue)
    yield queue
    _empty(queue)


def _empty(queue) -> None:
    """Remove this queue's jobs and registries from Redis (only the rq keys of the test database)."""
    connection = redis.Redis.from_url(REDIS_URL)
    keys = list(connection.scan_iter("rq:*"))
    if keys:
        connection.delete(*keys)


def test_confirmation_mail_via_redis_is_sent_by_the_worker(smtp, rq_tasks):
    statement = StatementFactory(confirmed_at=None, user_email="redis@example.org")
    result = send_confirmation_mail.enqueue(statement.pk, URL)
    assert rq_tasks.count == 1
    call_command("run_worker", "--batch", verbosity=0)
    assert len(smtp.mailbox.to("redis@example.org")) == 1
    assert send_confirmation_mail.get_result(result.id).return_value is True


def test_retry_is_scheduled_in_redis_with_run_after(smtp, rq_tasks):
    from rq.registry import ScheduledJobRegistry

    smtp.stop()
    statement = StatementFactory(confirmed_at=None, user_email="redis@example.org")
    send_confirmation_mail.enqueue(statement.pk, URL)
    call_command("run_worker", "--batch", verbosity=0)
    scheduled = ScheduledJobRegistry(queue=rq_tasks)
    [job_id] = scheduled.get_job_ids()
    job = rq_tasks.fetch_job(job_id)
    assert job.kwargs == {"attempt": 2}
    at = scheduled.get_scheduled_time(job)
    assert timezone.now() + dt.timedelta(seconds=50) < at < timezone.now() + dt.timedelta(seconds=61)
    assert rq_tasks.count == 0  # not run before its time

    smtp.start()
    scheduled.add(job, 0)  # due now: the worker's scheduler moves it to the queue
    call_command("run_worker", "--batch", verbosity=0)
    assert len(smtp.mailbox.to("redis@example.org")) == 1


def test_job_of_a_dead_rq_worker_is_queued_again_and_sent_once(smtp, rq_tasks):
    from rq.job import JobStatus
    from rq.registry import StartedJobRegistry

    from operations.recovery import recover_abandoned_rq_jobs

    statement = StatementFactory(confirmed_at=None, user_email="redis@example.org")
    result = send_confirmation_mail.enqueue(statement.pk, URL)
    job = rq_tasks.fetch_job(result.id)
    rq_tasks.remove(job)  # a worker took it ...
    job.set_status(JobStatus.STARTED)
    started = StartedJobRegistry(queue=rq_tasks)
    started.connection.zadd(started.key, {f"{job.id}:dead-execution": 1})  # ... and died: its execution expired
    assert recover_abandoned_rq_jobs("default") == 1
    assert rq_tasks.job_ids == [job.id]
    call_command("run_worker", "--batch", verbosity=0)
    assert len(smtp.mailbox.to("redis@example.org")) == 1


def test_failed_rq_job_is_listed_and_can_be_run_again(smtp, rq_tasks):
    from operations import dead_letters
    from plans.rules import SYSTEM

    statement = StatementFactory(confirmed_at=None, user_email="kaputt@example.org")
    smtp.mailbox.refuse["kaputt@example.org"] = "550 5.1.1 Unbekannter Empfänger"
    result = send_confirmation_mail.enqueue(statement.pk, URL)
    call_command("run_worker", "--batch", verbosity=0)
    [failed] = dead_letters.failed_tasks()
    assert (failed.id, failed.name, failed.attempts) == (result.id, "participation.tasks.send_confirmation_mail", 1)
    assert "SMTPRecipientsRefused" in failed.error

    smtp.mailbox.refuse.clear()
    dead_letters.failed_task_retry(task_id=failed.id, by=SYSTEM)
    assert dead_letters.failed_tasks() == []
    call_command("run_worker", "--batch", verbosity=0)
    assert len(smtp.mailbox.to("kaputt@example.org")) == 1
