"""Background tasks of the participation app (django_tasks)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django_tasks import task


@task()
def send_confirmation_mail(statement_id: int, url: str) -> bool:
    """Send the guest the link that confirms their statement."""
    from .models import Statement

    statement = Statement.objects.select_related("consultation__plan").filter(pk=statement_id).first()
    if statement is None or not statement.user_email or statement.confirmed_at is not None:
        return False
    context = {"statement": statement, "plan": statement.consultation.plan, "url": url}
    send_mail(
        _("Bitte bestätigen Sie Ihre Stellungnahme"),
        render_to_string("participation/email/confirm.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        [statement.user_email],
    )
    return True
