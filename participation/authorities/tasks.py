"""Background tasks of the § 4 rounds: the mails (each sent once) and the daily reminders."""

from django.utils import timezone
from django_tasks import task

from operations.mail import send_once
from operations.retry import retry_transient


@task()
@retry_transient
def send_invitation_mail(invitation_id: int, key: str) -> bool:
    """Send the invitation with the access link of `key`, once; skip it if the link was replaced meanwhile."""
    from .mail import invitation_message
    from .models import Invitation

    invitation = (
        Invitation.objects.select_related("authority", "consultation__plan__municipality")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.key != key or invitation.revoked_at is not None:
        return False
    sent = send_once(key=f"authority-invitation:{invitation_id}:{key}", message=invitation_message(invitation))
    if sent:
        Invitation.objects.filter(pk=invitation_id).update(last_sent_at=timezone.now())
    return sent


@task()
@retry_transient
def send_extension_mail(action_id: int) -> bool:
    """Tell the authority about its extended deadline, once."""
    from .mail import extension_message
    from .models import InvitationAction

    action = (
        InvitationAction.objects.select_related("invitation__authority", "invitation__consultation__plan__municipality")
        .filter(pk=action_id)
        .first()
    )
    if action is None:
        return False
    return send_once(key=f"authority-extension:{action_id}", message=extension_message(action))


@task()
@retry_transient
def send_reminder_mail(invitation_id: int, deadline: str) -> bool:
    """Remind the authority of its deadline `deadline` (ISO date), once; skip it if it answered or was revoked."""
    from .mail import reminder_message
    from .models import Invitation

    invitation = (
        Invitation.objects.select_related("authority", "consultation__plan__municipality")
        .filter(pk=invitation_id)
        .first()
    )
    if (
        invitation is None
        or invitation.revoked_at is not None
        or invitation.answered_at is not None
        or invitation.deadline.isoformat() != deadline
    ):
        return False
    return send_once(key=f"authority-reminder:{invitation_id}:{deadline}", message=reminder_message(invitation))


@task()
def send_authority_reminders() -> int:
    """Remind every authority whose deadline is near and that has not answered (the installation acts)."""
    from plans.rules import SYSTEM

    from .services import invitation_reminders_send

    return invitation_reminders_send(by=SYSTEM)
