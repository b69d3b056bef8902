"""Result notices over one SMTP connection per batch, each recorded, nothing sent twice."""

import datetime as dt

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from participation.workbench import services
from participation.workbench.models import Decision, ResultNotification, Weighing
from plans.rules import SYSTEM
from tests.workbench.conftest import world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def run_worker() -> None:
    call_command("run_worker", "--batch", "--interval=0", verbosity=0)


@pytest.fixture
def published(world, smtp, database_tasks, django_capture_on_commit_callbacks):  # noqa: F811
    """The result of the closed consultation published; its notices queued as one task."""
    services.weighings_ensure(consultation=world["consultation"], by=SYSTEM)
    Weighing.objects.update(decision=Decision.CONSIDERED, response="Antwort A")
    consultation = world["consultation"]
    with django_capture_on_commit_callbacks(execute=True):
        services.result_publish(
            consultation=consultation,
            by=SYSTEM,
            council_body="Stadtverordnetenversammlung",
            decided_on=consultation.end_date + dt.timedelta(days=3),
        )
    return world


ADDRESSES = {f"erika{i}@example.org" for i in range(5)} | {"spaet@example.org", "gruen@example.org"}


def test_one_connection_one_mail_per_address_recorded_and_not_repeated(published, smtp):
    task = DBTaskResult.objects.get(task_path__endswith="send_result_notifications")
    run_worker()
    assert {recipients[0] for recipients, _message in smtp.mailbox.messages} == ADDRESSES
    assert len(smtp.mailbox.messages) == len(ADDRESSES)
    assert smtp.mailbox.sessions == 1  # one SMTP connection for the batch
    assert set(ResultNotification.objects.values_list("status", flat=True)) == {"sent"}

    DBTaskResult.objects.filter(pk=task.pk).update(status=TaskResultStatus.READY)  # as if re-run after a crash
    run_worker()
    assert len(smtp.mailbox.messages) == len(ADDRESSES)


def test_a_refused_address_fails_alone(published, smtp):
    smtp.mailbox.refuse["erika2@example.org"] = "550 5.1.1 Unbekannter Empfänger"
    run_worker()
    assert len(smtp.mailbox.messages) == len(ADDRESSES) - 1
    failed = ResultNotification.objects.get(status="failed")
    assert failed.statement.user_email == "erika2@example.org" and "Unbekannter" in failed.error
    assert DBTaskResult.objects.get().return_value == len(ADDRESSES) - 1


def test_smtp_down_keeps_notices_queued_for_the_retry(published, smtp):
    smtp.stop()
    run_worker()
    assert set(ResultNotification.objects.values_list("status", flat=True)) == {"queued"}
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    smtp.start()
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=retry.enqueued_at)
    run_worker()
    assert set(ResultNotification.objects.values_list("status", flat=True)) == {"sent"}
    assert len(smtp.mailbox.messages) == len(ADDRESSES)
