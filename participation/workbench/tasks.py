"""Background sending of result notices (django_tasks): one e-mail per submitter address."""

from itertools import groupby

from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from participation.models import Consultation
from plans.links import absolute_url
from plans.mail import send_templated_mail

from .models import ConsultationResult, ResultNotification


@task()
def send_result_notifications(consultation_id: int) -> int:
    """Send the queued result notices, one mail per address; record each outcome; return how many mails went out."""
    consultation = Consultation.objects.select_related("plan__municipality").get(pk=consultation_id)
    result = ConsultationResult.objects.filter(consultation=consultation).first()
    queued = (
        ResultNotification.objects.filter(
            statement__consultation_id=consultation_id, status=ResultNotification.Status.QUEUED
        )
        .select_related("statement__weighing")
        .order_by("email_sha256", "statement__weighing__number")
    )
    context = {
        "consultation": consultation,
        "plan": consultation.plan,
        "result": result,
        "result_url": absolute_url(reverse("workbench:public_result", args=[consultation.pk])),
    }
    sent = 0
    for _address, group in groupby(queued.iterator(chunk_size=500), key=lambda notice: notice.email_sha256):
        notices = list(group)
        items = [(notice.statement, notice.statement.weighing) for notice in notices]
        try:
            send_templated_mail(
                to=[notices[0].statement.user_email],
                subject_template="workbench/email/result_subject.txt",
                body_template="workbench/email/result_body.txt",
                context={**context, "items": items},
            )
        except Exception as error:  # the record keeps the failure; staff can queue again
            status, sent_at, message = ResultNotification.Status.FAILED, None, str(error)[:1000]
        else:
            status, sent_at, message = ResultNotification.Status.SENT, timezone.now(), ""
            sent += 1
        ResultNotification.objects.filter(pk__in=[notice.pk for notice in notices]).update(
            status=status, sent_at=sent_at, error=message
        )
    return sent


@task()
def group_similar_statements(consultation_id: int, threshold: float) -> dict:
    """Group the identical and near-identical statements of a consultation; return the counts."""
    from plans.rules import SYSTEM

    from .grouping import grouping_run

    consultation = Consultation.objects.select_related("plan__municipality").get(pk=consultation_id)
    return grouping_run(consultation=consultation, by=SYSTEM, threshold=threshold)


@task()
def run_export_job(job_id: str) -> int:
    """Produce the file of an export job (a job that already succeeded is left alone); return its row count."""
    from plans.rules import SYSTEM

    from .export_jobs import export_job_run
    from .models import ExportJob

    job = ExportJob.objects.select_related("consultation__plan__municipality").get(pk=job_id)
    return export_job_run(job=job, by=SYSTEM).rows or 0
