"""The default task backend: django-tasks-db with a one-INSERT enqueue (operations.task_backend)."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks.signals import task_enqueued
from django_tasks_db.models import DBTaskResult, get_date_max

from participation.tasks import send_confirmation_mail

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def backend(settings):
    settings.TASKS = {"default": {"BACKEND": "operations.task_backend.DatabaseBackend"}}


def test_enqueue_stores_the_row_the_orm_would_store(backend):
    """The row has every column as django-tasks-db writes it: ready, args, path, queue, no run_after date."""
    before = timezone.now()
    result = send_confirmation_mail.enqueue(4711)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "READY"
    assert row.args_kwargs == {"args": [4711], "kwargs": {}}
    assert row.task_path == "participation.tasks.send_confirmation_mail"
    assert (row.queue_name, row.backend_name, row.priority) == ("default", "default", 0)
    assert row.run_after == get_date_max()  # "as soon as possible", set by django-tasks-db's pre_save handler
    assert before <= row.enqueued_at <= timezone.now()
    assert row.worker_ids == [] and row.return_value is None
    assert DBTaskResult.objects.ready().filter(pk=result.id).exists()  # a worker claims it
    assert result.task.func is send_confirmation_mail.func


def test_enqueue_with_run_after_and_signal(backend):
    """A delayed task keeps its date, and task_enqueued is sent as by the library."""
    seen = []

    def receiver(sender, task_result, **kwargs):
        seen.append(task_result.id)

    later = timezone.now() + dt.timedelta(hours=1)
    task_enqueued.connect(receiver)
    try:
        result = send_confirmation_mail.using(run_after=later).enqueue(1)
    finally:
        task_enqueued.disconnect(receiver)
    assert seen == [result.id]
    row = DBTaskResult.objects.get(pk=result.id)
    assert abs((row.run_after - later).total_seconds()) < 1
    assert not DBTaskResult.objects.ready().filter(pk=result.id).exists()


def test_enqueue_joins_the_transaction(backend):
    """Rolled back with the surrounding transaction: no mail for a statement that was never stored."""
    with transaction.atomic():
        result = send_confirmation_mail.enqueue(1)
        transaction.set_rollback(True)
    assert not DBTaskResult.objects.filter(pk=result.id).exists()


def test_default_setting_is_this_backend(settings):
    """Without TASKS_BACKEND in the environment the installation uses this backend."""
    assert settings.TASKS_BACKEND == "operations.task_backend.DatabaseBackend"
