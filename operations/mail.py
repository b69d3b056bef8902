"""Sending e-mail exactly once per idempotency key, also on one SMTP connection for a batch.

The order is: look up the key, hand the message to the SMTP server, record the key. The only window in
which a crash can cause a second copy is between the server's acceptance and the INSERT of the record
(one autocommitted statement, milliseconds); a crash before acceptance sends nothing and the retry sends
it. Recording before sending would instead lose the mail when the worker dies in between.
"""

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction

from plans.mail import templated_message

from .models import SentMail

__all__ = ["record_sent", "send_once", "templated_message", "was_sent"]


def was_sent(key: str) -> bool:
    """Return whether a mail under `key` was already accepted by the SMTP server."""
    return SentMail.objects.filter(key=key).exists()


def record_sent(key: str) -> None:
    """Record that the mail under `key` was accepted (a concurrent duplicate record is harmless)."""
    try:
        with transaction.atomic():
            SentMail.objects.create(key=key)
    except IntegrityError:
        pass


def send_once(*, key: str, message: EmailMessage) -> bool:
    """Send `message` unless a mail under `key` went out before; record it; return whether it was sent now.

    Errors of the mail backend propagate (the task's retry decides); nothing is recorded then.
    """
    if was_sent(key):
        return False
    message.send()
    record_sent(key)
    return True
