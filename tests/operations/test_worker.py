"""The worker: tasks of a dead worker are recovered after the visibility timeout; a dropped database is survived."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from operations.heartbeat import latest_heartbeat
from operations.models import SentMail
from operations.worker import DatabaseWorker
from participation.tasks import send_confirmation_mail
from tests.factories import StatementFactory

URL = "http://testserver/bestaetigen/abc/"
MANAGE = str(Path(__file__).resolve().parents[2] / "manage.py")


def run_worker(*args: str) -> None:
    call_command("run_worker", "--batch", "--interval=0", *args, verbosity=0)


def left_running(result_id, *, seconds_ago: float, workers: int = 1) -> None:
    """Mark a task RUNNING since `seconds_ago`, as a worker killed mid-task leaves it."""
    DBTaskResult.objects.filter(pk=result_id).update(
        status=TaskResultStatus.RUNNING,
        started_at=timezone.now() - dt.timedelta(seconds=seconds_ago),
        worker_ids=[f"dead-{i}" for i in range(workers)],
    )


@pytest.mark.django_db
@pytest.mark.parametrize("sent_before_the_crash", [False, True])
def test_task_of_a_dead_worker_runs_again_once_after_the_timeout(smtp, database_tasks, sent_before_the_crash):
    statement = StatementFactory(confirmed_at=None, user_email="gast@example.org")
    result = send_confirmation_mail.enqueue(statement.pk, URL)
    left_running(result.id, seconds_ago=901)  # TASKS_VISIBILITY_TIMEOUT = 900
    if sent_before_the_crash:
        SentMail.objects.create(key=f"statement-confirmation:{statement.pk}")
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL and len(row.worker_ids) == 2
    assert len(smtp.mailbox.to("gast@example.org")) == (0 if sent_before_the_crash else 1)
    run_worker()
    assert len(smtp.mailbox.to("gast@example.org")) == (0 if sent_before_the_crash else 1)
    assert latest_heartbeat() is not None


@pytest.mark.django_db
def test_a_running_task_within_its_lease_is_left_alone(smtp, database_tasks):
    statement = StatementFactory(confirmed_at=None, user_email="gast@example.org")
    result = send_confirmation_mail.enqueue(statement.pk, URL)
    left_running(result.id, seconds_ago=30)
    run_worker("--visibility-timeout=60")
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.RUNNING
    assert smtp.mailbox.messages == []


@pytest.mark.django_db
def test_a_task_that_kills_its_worker_every_time_ends_failed(smtp, database_tasks):
    statement = StatementFactory(confirmed_at=None, user_email="gast@example.org")
    result = send_confirmation_mail.enqueue(statement.pk, URL)
    left_running(result.id, seconds_ago=1000, workers=3)  # TASKS_MAX_ATTEMPTS = 3
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "operations.recovery.TaskAbandoned"
    assert smtp.mailbox.messages == []


@pytest.mark.django_db(transaction=True)
def test_the_lease_of_a_long_task_is_renewed_while_it_runs(database_tasks, monkeypatch):
    statement = StatementFactory(confirmed_at=None, user_email="gast@example.org")
    result = send_confirmation_mail.enqueue(statement.pk, URL)
    started = timezone.now() - dt.timedelta(seconds=10)
    left_running(result.id, seconds_ago=10)
    worker = DatabaseWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        excluded_queue_names=[],
        visibility_timeout=1.5,  # renewed every 0.5 s (at least 1 s)
        recover_every=60,
    )
    with worker._lease(DBTaskResult.objects.get(pk=result.id)):
        time.sleep(1.6)
    assert DBTaskResult.objects.get(pk=result.id).started_at > started + dt.timedelta(seconds=9)


@pytest.fixture
def worker_process(smtp, database_tasks):
    """Start `manage.py run_worker` on the test database, sending to the SMTP server; stop it afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("pg_terminate_backend needs PostgreSQL; SQLite has no server connection to drop")
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}?application_name=pb_tasks_worker",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    process = subprocess.Popen(
        [sys.executable, MANAGE, "run_worker", "--interval=0.2", "--recover-every=1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _worker_backends() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = 'pb_tasks_worker'")
        return [row[0] for row in cursor.fetchall()]


def _wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_worker_survives_a_terminated_database_connection(worker_process, smtp):
    assert _wait_for(lambda: bool(_worker_backends())), "the worker never connected"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s", ["pb_tasks_worker"]
        )
    statement = StatementFactory(confirmed_at=None, user_email="nach-abbruch@example.org")
    send_confirmation_mail.enqueue(statement.pk, URL)
    assert _wait_for(lambda: DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).exists())
    assert worker_process.poll() is None, "the worker exited"
    assert len(smtp.mailbox.to("nach-abbruch@example.org")) == 1
    worker_process.send_signal(signal.SIGTERM)
    output = worker_process.communicate(timeout=10)[0].decode()
    assert "Database unavailable" in output  # it met the dropped connection and carried on
