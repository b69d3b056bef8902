"""Background tasks of the participation app (django_tasks)."""

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from operations.mail import send_once, templated_message
from operations.retry import retry_transient


@task()
@retry_transient
def send_confirmation_mail(statement_id: int, url: str, resend: int = 0) -> bool:
    """Send the guest the link that confirms their statement, once per `resend` (a re-run after a crash sends nothing).

    The mail carries the text, the reference number and the link to the "Meine Stellungnahme" page.
    """
    from .models import Statement
    from .my_statement import my_statement_url
    from .receipts import reference_number

    statement = Statement.objects.select_related("consultation__plan").filter(pk=statement_id).first()
    if statement is None or not statement.user_email or statement.confirmed_at is not None:
        return False
    message = templated_message(
        to=[statement.user_email],
        subject=_("Bitte bestätigen Sie Ihre Stellungnahme"),
        body_template="participation/email/confirm.txt",
        context={
            "statement": statement,
            "plan": statement.consultation.plan,
            "url": url,
            "reference": reference_number(statement),
            "my_statement_url": my_statement_url(statement),
        },
    )
    key = f"statement-confirmation:{statement_id}" + (f":{resend}" if resend else "")
    return send_once(key=key, message=message)


@task()
@retry_transient
def send_change_mails(consultation_id: int) -> int:
    """Mail earlier submitters whose statement touched a change of this round (once per address)."""
    from .models import Consultation
    from .services.change_rounds import change_mails_send

    consultations = Consultation.objects.select_related("plan__municipality", "comparison")
    consultation = consultations.filter(pk=consultation_id).first()
    if consultation is None:
        return 0
    return change_mails_send(consultation=consultation)
