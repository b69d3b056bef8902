"""Background sending of result notices (django_tasks)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from participation.models import Consultation

from .models import ResultNotification


@task()
def send_result_notifications(consultation_id: int) -> int:
    """Send every queued result notice of the consultation; record each outcome; return how many were sent."""
    consultation = Consultation.objects.select_related("plan__municipality").get(pk=consultation_id)
    sent = 0
    queued = (
        ResultNotification.objects.filter(
            statement__consultation_id=consultation_id, status=ResultNotification.Status.QUEUED
        )
        .select_related("statement__weighing")
        .order_by("id")
    )
    with translation.override(settings.LANGUAGE_CODE):
        for notice in queued.iterator(chunk_size=500):
            statement = notice.statement
            weighing = statement.weighing
            context = {
                "consultation": consultation,
                "plan": consultation.plan,
                "statement": statement,
                "weighing": weighing,
                "site_url": settings.SITE_URL,
            }
            message = EmailMessage(
                subject=render_to_string("workbench/email/result_subject.txt", context).strip(),
                body=render_to_string("workbench/email/result_body.txt", context),
                to=[statement.user_email],
            )
            try:
                message.send()
            except Exception as error:  # the record keeps the failure; staff can queue again
                notice.status = ResultNotification.Status.FAILED
                notice.error = str(error)[:1000]
            else:
                notice.status = ResultNotification.Status.SENT
                notice.sent_at = timezone.now()
                notice.error = ""
                sent += 1
            notice.save(update_fields=["status", "sent_at", "error"])
    return sent
