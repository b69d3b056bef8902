"""The delivery outbox: claim one due row at a time, send it, record the outcome, back off and retry."""

import datetime as dt
import logging
import random
from collections import Counter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from plans import rules

from .channels import ChannelClient, DeliveryError, Posted, channel_config, client_for
from .models import Announcement, Delivery
from .tasks import send_due_deliveries

logger = logging.getLogger(__name__)


def enqueue_delivery_run(*, run_after: dt.datetime | None = None) -> None:
    """Enqueue the worker task, deferred to `run_after` where the backend supports it."""
    if run_after is not None and run_after > timezone.now():
        if not send_due_deliveries.get_backend().supports_defer:
            return  # the periodic `send_announcements` run picks it up
        send_due_deliveries.using(run_after=run_after).enqueue()
    else:
        send_due_deliveries.enqueue()


@transaction.atomic
def delivery_retry(*, delivery: Delivery, by) -> Delivery:
    """Put a failed delivery back into the outbox now."""
    rules.require(by, "manage", delivery.announcement.municipality)
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status not in (Delivery.Status.FAILED, Delivery.Status.SKIPPED):
        raise ValidationError(
            _("Nur fehlgeschlagene oder übersprungene Zustellungen können wiederholt werden."), code="not_retryable"
        )
    if delivery.announcement.status != Announcement.Status.APPROVED:
        raise ValidationError(_("Die Ankündigung ist nicht freigegeben."), code="not_approved")
    delivery.status = Delivery.Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save()
    transaction.on_commit(lambda: enqueue_delivery_run())
    return delivery


def delivery_check(*, delivery: Delivery, by) -> Delivery:
    """Look for the post of a failed delivery at the network and mark the delivery sent if it is there.

    For a delivery that failed after the request may have reached the server (e.g. a 502 from a
    proxy). Nothing changes if the network cannot tell or the post is not there.
    """
    rules.require(by, "manage", delivery.announcement.municipality)
    if delivery.status != Delivery.Status.FAILED:
        raise ValidationError(_("Nur fehlgeschlagene Zustellungen können geprüft werden."), code="not_checkable")
    config = channel_config(delivery.announcement.municipality, delivery.channel)
    if config is None:
        raise ValidationError(_("Kanal ist für diese Kommune nicht eingerichtet."), code="not_configured")
    client = client_for(config)
    if type(client).find_existing is ChannelClient.find_existing:
        raise ValidationError(
            _("Bei diesem Netzwerk kann nicht nachgesehen werden, ob der Beitrag existiert."), code="not_checkable"
        )
    try:
        posted = client.find_existing(text=delivery.text, delivery=delivery)
    except DeliveryError as error:
        raise ValidationError(
            _("Prüfung nicht möglich: %(error)s") % {"error": error.message}, code="check_failed"
        ) from error
    if posted is None:
        raise ValidationError(
            _("Der Beitrag wurde beim Netzwerk nicht gefunden. Bitte erneut versuchen."), code="not_found"
        )
    # Only the row as staff saw it: a retry started meanwhile keeps its own course.
    if not _record_success(delivery, posted, timezone.now(), only_if=Delivery.Status.FAILED):
        raise ValidationError(_("Nur fehlgeschlagene Zustellungen können geprüft werden."), code="not_checkable")
    delivery.refresh_from_db()
    return delivery


def backoff_seconds(attempts: int) -> float:
    """Return the delay before the next attempt: exponential with jitter, capped."""
    delay = min(settings.ANNOUNCEMENTS_BACKOFF_MAX, settings.ANNOUNCEMENTS_BACKOFF_BASE * 2 ** max(0, attempts - 1))
    return delay * random.uniform(0.5, 1.0)


def _claim_next(now: dt.datetime) -> Delivery | None:
    """Claim one due delivery (or one abandoned by a dead worker) for this worker, atomically."""
    stale_before = now - dt.timedelta(seconds=settings.ANNOUNCEMENTS_CLAIM_TIMEOUT)
    due = Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Delivery.Status.SENDING, claimed_at__lt=stale_before
    )
    candidates = Delivery.objects.filter(due, announcement__status=Announcement.Status.APPROVED).order_by(
        "next_attempt_at", "id"
    )
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            row = candidates.select_for_update(skip_locked=True, of=("self",)).first()
            rows = [row] if row else []
        else:
            rows = list(candidates[:20])
        for row in rows:
            # Conditional claim: only succeeds if nobody changed the row since we read it (SpatiaLite path).
            claimed = Delivery.objects.filter(pk=row.pk, status=row.status, claimed_at=row.claimed_at).update(
                status=Delivery.Status.SENDING,
                claimed_at=now,
                attempts=F("attempts") + 1,
                uncertain=row.uncertain or row.status == Delivery.Status.SENDING,
                updated_at=now,
            )
            if claimed:
                row.refresh_from_db()
                return row
    return None


def _record_success(delivery: Delivery, posted: Posted, now: dt.datetime, *, only_if: str | None = None) -> int:
    rows = Delivery.objects.filter(pk=delivery.pk)
    if only_if is not None:
        rows = rows.filter(status=only_if)
    with transaction.atomic():
        return rows.update(
            remote_id=posted.remote_id,
            remote_url=posted.remote_url[:500],
            status=Delivery.Status.SENT,
            sent_at=now,
            last_error="",
            uncertain=False,
            updated_at=now,
        )


def _record_failure(delivery: Delivery, error: DeliveryError, now: dt.datetime) -> str:
    uncertain = delivery.uncertain or error.ambiguous
    if error.retryable and delivery.attempts < settings.ANNOUNCEMENTS_MAX_ATTEMPTS:
        delay = error.retry_after if error.retry_after else backoff_seconds(delivery.attempts)
        next_at = now + dt.timedelta(seconds=delay)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.PENDING,
            next_attempt_at=next_at,
            last_error=error.message,
            uncertain=uncertain,
            updated_at=now,
        )
        transaction.on_commit(lambda: enqueue_delivery_run(run_after=next_at))
        return Delivery.Status.PENDING
    message = error.message
    if error.retryable:
        message = _("%(error)s Aufgegeben nach %(attempts)d Versuchen.") % {
            "error": error.message,
            "attempts": delivery.attempts,
        }
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED, last_error=message, uncertain=uncertain, updated_at=now
    )
    return Delivery.Status.FAILED


def delivery_send(*, delivery: Delivery, now: dt.datetime | None = None) -> str:
    """Send one claimed delivery; check for an earlier post first if a previous attempt was unclear."""
    now = now or timezone.now()
    config = channel_config(delivery.announcement.municipality, delivery.channel)
    if config is None:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.SKIPPED,
            last_error=_("Kanal ist für diese Kommune nicht eingerichtet."),
            updated_at=now,
        )
        return Delivery.Status.SKIPPED
    if delivery.attempts > settings.ANNOUNCEMENTS_MAX_ATTEMPTS:
        # Only reachable when workers kept dying on this row: stop instead of looping forever.
        interrupted = DeliveryError(
            _("Zustellung wurde wiederholt unterbrochen."), retryable=True, ambiguous=True, code="interrupted"
        )
        return _record_failure(delivery, interrupted, now)
    client = client_for(config)
    try:
        posted = client.find_existing(text=delivery.text, delivery=delivery) if delivery.uncertain else None
        if posted is None:
            posted = client.post(text=delivery.text, delivery=delivery)
    except DeliveryError as error:
        logger.warning("Delivery %s to %s failed (%s): %s", delivery.pk, delivery.channel, error.code, error.message)
        return _record_failure(delivery, error, now)
    except Exception as exc:  # a library bug or an unexpected answer must not stall the outbox
        logger.exception("Delivery %s to %s failed unexpectedly", delivery.pk, delivery.channel)
        unexpected = DeliveryError(
            _("Unerwarteter Fehler (%(error)s). Neuer Versuch später.") % {"error": type(exc).__name__},
            retryable=True,
            ambiguous=True,
            code="unexpected",
        )
        return _record_failure(delivery, unexpected, now)
    _record_success(delivery, posted, now)
    return Delivery.Status.SENT


def deliveries_send_due(*, now: dt.datetime | None = None, limit: int = 200) -> Counter:
    """Send every due delivery, one claimed row at a time; return counts per resulting status."""
    counts: Counter = Counter()
    for _i in range(limit):
        when = now or timezone.now()
        delivery = _claim_next(when)
        if delivery is None:
            break
        counts[delivery_send(delivery=delivery, now=when)] += 1
    return counts


def next_delivery_due() -> dt.datetime | None:
    """Return when the next pending delivery is due."""
    return Delivery.objects.filter(
        status=Delivery.Status.PENDING, announcement__status=Announcement.Status.APPROVED
    ).aggregate(next=Min("next_attempt_at"))["next"]
