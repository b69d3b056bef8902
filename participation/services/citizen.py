"""What submitters do with their own statements: resend the confirmation link, withdraw, ask for erasure.

The submitter acts through a signed link (confirmation mail, "Meine Stellungnahme" page): holding the
token is the permission, so these services take the token, not a user. Decisions (docs/participation.md,
"Rückmeldung an Einsendende"):

- A statement may be withdrawn until the period ends. It is marked, taken off the public list and left
  out of the Abwägung; its text stays in the procedure file, marked as withdrawn.
- A request to erase personal data (Art. 17 DSGVO) is logged for staff. Name, addresses and
  attachments go at once when the procedure no longer needs them (the statement was never confirmed or
  was withdrawn); otherwise they are needed to communicate the result and for the review windows
  (Art. 17 Abs. 3 lit. b and e DSGVO) and go with the regular purge (`personal_data_purge`).
"""

import datetime as dt
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Attachment, CitizenRequest, Statement
from ..my_statement import statement_for_token
from ..tasks import send_confirmation_mail
from .ratelimit import RateLimited, _count, address_key, mail_key
from .statements import confirmation_url

# Resend requests per e-mail address and per client address within RESEND_WINDOW seconds.
RESEND_LIMIT = 3
RESEND_WINDOW = 60 * 60


def _statement_or_error(token: str) -> Statement:
    statement = statement_for_token(token)
    if statement is None:
        raise ValidationError(_("Der Link ist ungültig."), code="invalid_token")
    return statement


def can_withdraw(statement: Statement, at: dt.datetime | None = None) -> bool:
    """Return whether the submitter may still withdraw `statement`: not yet withdrawn and the period not ended."""
    at = at or timezone.now()
    return statement.withdrawn_at is None and at < statement.consultation.ends_at


def erasure_possible_now(statement: Statement) -> bool:
    """Return whether personal data may go at once: the procedure does not need it (unconfirmed or withdrawn)."""
    return statement.confirmed_at is None or statement.withdrawn_at is not None


@transaction.atomic
def statement_withdraw(*, token: str, reason: str = "", at: dt.datetime | None = None) -> Statement:
    """Withdraw the statement named by `token`: mark it, unpublish it and log the request for staff."""
    at = at or timezone.now()
    statement = _statement_or_error(token)
    if statement.withdrawn_at is not None:
        raise ValidationError(_("Die Stellungnahme ist bereits zurückgezogen."), code="already_withdrawn")
    if not can_withdraw(statement, at):
        raise ValidationError(
            _("Die Beteiligung ist beendet. Die Stellungnahme kann nicht mehr zurückgezogen werden."),
            code="period_ended",
        )
    statement.withdrawn_at = at
    statement.is_public = False
    statement.save(update_fields=["withdrawn_at", "is_public"])  # the save signal refreshes the plan page
    CitizenRequest.objects.create(
        statement=statement, kind=CitizenRequest.Kind.WITHDRAW, at=at, reason=(reason or "").strip()[:1000]
    )
    return statement


@transaction.atomic
def statement_erasure_request(*, token: str, reason: str = "", at: dt.datetime | None = None) -> CitizenRequest:
    """Record a request to erase the submitter's personal data; erase at once where the procedure allows it."""
    at = at or timezone.now()
    statement = _statement_or_error(token)
    if statement.erasure_requested_at is not None:
        raise ValidationError(_("Die Löschung ist bereits beantragt."), code="already_requested")
    statement.erasure_requested_at = at
    fields = ["erasure_requested_at"]
    outcome = CitizenRequest.Outcome.DEFERRED
    if erasure_possible_now(statement) and statement.personal_data_purged_at is None:
        Attachment.objects.filter(statement=statement).delete()  # files go once this commits
        statement.user_name = statement.user_email = statement.user_url = statement.postal_address = ""
        statement.ip_address = None
        statement.user = None
        statement.personal_data_purged_at = at
        fields += ["user_name", "user_email", "user_url", "postal_address", "ip_address", "user"]
        fields.append("personal_data_purged_at")
        outcome = CitizenRequest.Outcome.DONE
    statement.save(update_fields=fields)
    return CitizenRequest.objects.create(
        statement=statement,
        kind=CitizenRequest.Kind.ERASURE,
        outcome=outcome,
        at=at,
        reason=(reason or "").strip()[:1000],
    )


def statement_confirmation_resend(*, email: str, ip_address: str | None = None, at: dt.datetime | None = None) -> int:
    """Send a fresh confirmation link for each unconfirmed statement of `email`; return how many.

    The caller shows the same answer whatever the result, so that nobody learns whether an address
    submitted anything. Raises RateLimited past RESEND_LIMIT requests per address or client.
    """
    at = at or timezone.now()
    email = (email or "").strip()
    keys = [f"pb:resend:mail:{mail_key(email)}"] + ([f"pb:resend:ip:{address_key(ip_address)}"] if ip_address else [])
    if any(count > RESEND_LIMIT for count in _count(keys, RESEND_WINDOW)):
        raise RateLimited
    if not email:
        return 0
    since = at - dt.timedelta(seconds=settings.PARTICIPATION_CONFIRM_MAX_AGE)
    statements = list(
        Statement.objects.unconfirmed().filter(
            user_email__iexact=email,
            channel=Statement.Channel.ONLINE,
            withdrawn_at__isnull=True,
            personal_data_purged_at__isnull=True,
            submit_date__gte=since,
        )
    )
    attempt = int(time.time())  # a new idempotency key per resend: send_once would skip the first one's key
    links = [(statement.pk, confirmation_url(statement)) for statement in statements]
    transaction.on_commit(lambda: _enqueue_links(links, attempt))
    return len(statements)


def _enqueue_links(links: list[tuple[int, str]], attempt: int) -> None:
    for pk, url in links:
        send_confirmation_mail.enqueue(pk, url, attempt)
