"""Background tasks of the participation app (django_tasks)."""

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from operations.mail import send_once, templated_message
from operations.retry import retry_transient


@task()
@retry_transient
def send_confirmation_mail(statement_id: int, url: str) -> bool:
    """Send the guest the link that confirms their statement, once (a re-run after a crash sends nothing)."""
    from .models import Statement

    statement = Statement.objects.select_related("consultation__plan").filter(pk=statement_id).first()
    if statement is None or not statement.user_email or statement.confirmed_at is not None:
        return False
    message = templated_message(
        to=[statement.user_email],
        subject=_("Bitte bestätigen Sie Ihre Stellungnahme"),
        body_template="participation/email/confirm.txt",
        context={"statement": statement, "plan": statement.consultation.plan, "url": url},
    )
    return send_once(key=f"statement-confirmation:{statement_id}", message=message)
