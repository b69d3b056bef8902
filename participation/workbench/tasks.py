"""Background sending of result notices (django_tasks): one e-mail per submitter address."""

from itertools import groupby

from django.core.mail import get_connection
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from operations.mail import templated_message
from operations.retry import is_final_attempt, is_transient, retry_transient
from participation.models import Consultation
from plans.links import absolute_url

from .models import ConsultationResult, ResultNotification

MAILS_PER_CONNECTION = 100  # many SMTP servers close a session after ~100 messages


@task()
@retry_transient
def send_result_notifications(consultation_id: int) -> int:
    """Send the queued result notices, one mail per address; record each outcome; return how many mails went out.

    Only QUEUED notices are sent and each is marked SENT right after the server accepted its mail, so a
    re-run after a crash or a transient error (retried with backoff) sends nothing twice. One SMTP
    connection carries up to MAILS_PER_CONNECTION mails; an address the server refuses for good is FAILED.
    """
    consultation = Consultation.objects.select_related("plan__municipality").get(pk=consultation_id)
    result = ConsultationResult.objects.filter(consultation=consultation).first()
    # A list, not .iterator(): server-side cursors break under PgBouncer's transaction pooling.
    queued = list(
        ResultNotification.objects.filter(
            statement__consultation_id=consultation_id,
            status=ResultNotification.Status.QUEUED,
            channel=ResultNotification.Channel.EMAIL,  # letters are printed by an export job (letters.py)
        )
        .select_related("statement__weighing")
        .prefetch_related("statement__weighing__segments")
        .order_by("email_sha256", "statement__weighing__number")
    )
    context = {
        "consultation": consultation,
        "plan": consultation.plan,
        "result": result,
        "result_url": absolute_url(reverse("workbench:public_result", args=[consultation.pk])),
    }
    groups = [list(group) for _address, group in groupby(queued, key=lambda notice: notice.email_sha256)]
    sent = 0
    for start in range(0, len(groups), MAILS_PER_CONNECTION):
        batch = groups[start : start + MAILS_PER_CONNECTION]
        try:
            connection = get_connection()
            connection.open()
        except Exception as error:
            if is_transient(error) and not is_final_attempt():
                raise  # every remaining notice stays QUEUED for the retry
            _record(groups[start:], error)
            raise
        with connection:
            for notices in batch:
                sent += _send_group(notices, context, connection)
    return sent


def _record(groups: list[list[ResultNotification]], error: BaseException | None) -> None:
    """Mark the notices of `groups` SENT (no error) or FAILED with the error text."""
    if error is None:
        status, sent_at, text = ResultNotification.Status.SENT, timezone.now(), ""
    else:
        status, sent_at, text = ResultNotification.Status.FAILED, None, str(error)[:1000]
    ResultNotification.objects.filter(pk__in=[notice.pk for group in groups for notice in group]).update(
        status=status, sent_at=sent_at, error=text
    )


def _send_group(notices: list[ResultNotification], context: dict, connection) -> int:
    """Send one address its notice over the open `connection` and record the outcome; 1 if sent.

    A transient error is re-raised (this and the remaining notices stay QUEUED for the retry) unless this is
    the task's final attempt; any other error marks only this address's notices FAILED.
    """
    message = templated_message(
        to=[notices[0].statement.user_email],
        subject_template="workbench/email/result_subject.txt",
        body_template="workbench/email/result_body.txt",
        context={**context, "items": [(notice.statement, notice.statement.weighing) for notice in notices]},
        connection=connection,
    )
    try:
        message.send()  # over `connection`: the message carries it
    except Exception as error:
        if is_transient(error) and not is_final_attempt():
            raise
        _record([notices], error)
        return 0
    _record([notices], None)
    return 1


@task()
@retry_transient
def group_similar_statements(consultation_id: int, threshold: float) -> dict:
    """Group the identical and near-identical statements of a consultation; return the counts."""
    from plans.rules import SYSTEM

    from .grouping import grouping_run

    consultation = Consultation.objects.select_related("plan__municipality").get(pk=consultation_id)
    return grouping_run(consultation=consultation, by=SYSTEM, threshold=threshold)


@task()
@retry_transient
def run_export_job(job_id: str) -> int:
    """Produce the file of an export job (a job that already succeeded is left alone); return its row count."""
    from plans.rules import SYSTEM

    from .export_jobs import export_job_run
    from .models import ExportJob

    job = ExportJob.objects.select_related("consultation__plan__municipality").get(pk=job_id)
    return export_job_run(job=job, by=SYSTEM).rows or 0
