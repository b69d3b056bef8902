"""E-mail tasks against a real SMTP server: sent once even when a task runs twice, retried while SMTP is down."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from operations.models import SentMail
from participation.tasks import send_confirmation_mail
from tests.factories import StatementFactory

pytestmark = pytest.mark.django_db

URL = "http://testserver/bestaetigen/abc/"


def run_worker() -> None:
    call_command("run_worker", "--batch", "--interval=0", verbosity=0)


def crash_after_sending(task_result) -> None:
    """Put a finished task back to READY, as if its worker died after the mail went out."""
    DBTaskResult.objects.filter(pk=task_result.id).update(status=TaskResultStatus.READY, finished_at=None)


@pytest.fixture
def guest_statement():
    return StatementFactory(confirmed_at=None, user_email="gast@example.org")


def test_confirmation_mail_goes_out_once_when_the_task_runs_twice(smtp, database_tasks, guest_statement):
    result = send_confirmation_mail.enqueue(guest_statement.pk, URL)
    run_worker()
    crash_after_sending(result)
    run_worker()
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL
    messages = smtp.mailbox.to("gast@example.org")
    assert len(messages) == 1
    assert URL in messages[0].get_payload(decode=True).decode()
    assert SentMail.objects.filter(key=f"statement-confirmation:{guest_statement.pk}").count() == 1


def test_a_second_enqueue_sends_nothing(smtp, database_tasks, guest_statement):
    send_confirmation_mail.enqueue(guest_statement.pk, URL)
    send_confirmation_mail.enqueue(guest_statement.pk, URL)
    run_worker()
    assert len(smtp.mailbox.to("gast@example.org")) == 1
    assert [row.return_value for row in DBTaskResult.objects.order_by("enqueued_at")] == [True, False]


def _due_now(result_id) -> None:
    DBTaskResult.objects.filter(pk=result_id).update(run_after=timezone.now() - dt.timedelta(seconds=1))


def test_smtp_down_schedules_a_retry_with_backoff_then_sends_once(smtp, database_tasks, guest_statement):
    smtp.stop()
    first = send_confirmation_mail.enqueue(guest_statement.pk, URL)
    before = timezone.now()
    run_worker()
    assert DBTaskResult.objects.get(pk=first.id).return_value["retry"] == 2
    retry = DBTaskResult.objects.exclude(pk=first.id).get()
    assert retry.status == TaskResultStatus.READY
    assert retry.args_kwargs == {"args": [guest_statement.pk, URL], "kwargs": {"attempt": 2}}
    assert before + dt.timedelta(seconds=59) <= retry.run_after <= timezone.now() + dt.timedelta(seconds=61)
    run_worker()  # not due yet: nothing happens
    assert DBTaskResult.objects.get(pk=retry.pk).status == TaskResultStatus.READY

    smtp.start()
    _due_now(retry.pk)
    run_worker()
    assert DBTaskResult.objects.get(pk=retry.pk).status == TaskResultStatus.SUCCESSFUL
    assert DBTaskResult.objects.count() == 2
    assert len(smtp.mailbox.to("gast@example.org")) == 1


def test_backoff_doubles_and_the_last_attempt_stays_failed(smtp, database_tasks, guest_statement):
    smtp.stop()
    send_confirmation_mail.enqueue(guest_statement.pk, URL)
    delays = []
    for _attempt in range(3):  # TASKS_MAX_ATTEMPTS = 3
        start = timezone.now()
        run_worker()
        pending = DBTaskResult.objects.filter(status=TaskResultStatus.READY).first()
        if pending is None:
            break
        delays.append(round((pending.run_after - start).total_seconds() / 60))
        _due_now(pending.pk)
    assert delays == [1, 2]  # 60 s, then 120 s
    failed = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
    assert failed.args_kwargs["kwargs"] == {"attempt": 3}
    assert failed.exception_class_path == "builtins.ConnectionRefusedError"
    assert not SentMail.objects.exists()


def test_temporary_smtp_refusal_is_retried_but_a_permanent_one_fails(smtp, database_tasks, guest_statement):
    smtp.mailbox.refuse["gast@example.org"] = "451 4.3.0 Bitte später erneut versuchen"
    send_confirmation_mail.enqueue(guest_statement.pk, URL)
    run_worker()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1  # the retry

    other = StatementFactory(confirmed_at=None, user_email="unbekannt@example.org")
    smtp.mailbox.refuse["unbekannt@example.org"] = "550 5.1.1 Unbekannter Empfänger"
    permanent = send_confirmation_mail.enqueue(other.pk, URL)
    run_worker()
    row = DBTaskResult.objects.get(pk=permanent.id)
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "smtplib.SMTPRecipientsRefused"
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1  # no retry for it


def test_old_sent_mail_records_are_pruned():
    from io import StringIO

    old, recent = SentMail.objects.create(key="alt"), SentMail.objects.create(key="neu")
    SentMail.objects.filter(pk=old.pk).update(sent_at=timezone.now() - dt.timedelta(days=31))
    out = StringIO()
    call_command("prune_sent_mails", stdout=out)
    assert list(SentMail.objects.values_list("key", flat=True)) == ["neu"]
    assert "1 sent-mail records" in out.getvalue()
    assert recent.pk
