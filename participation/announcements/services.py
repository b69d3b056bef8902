"""Write operations: drafting, approving and delivering announcements; channel checks; e-mail alerts."""

import datetime as dt
import logging
import random
from collections import Counter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Min, Q
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from participation.periods import BERLIN

from .channels import DeliveryError, channel_config, client_for
from .models import (
    Announcement,
    AnnouncementTemplate,
    ChannelAccount,
    ChannelKind,
    Delivery,
    Event,
    Subscription,
    SubscriptionNotification,
)
from .text import fit

logger = logging.getLogger(__name__)

DEFAULT_TEMPLATES = {
    Event.PLAN_PUBLISHED: (
        "Neu online: {{ plan_name }} ({{ municipality }}). {{ plan_summary }} "
        "Ziele, Karte und Unterlagen finden Sie auf der Plan-Seite."
    ),
    Event.CONSULTATION_SCHEDULED: (
        "Beteiligung angekündigt: {{ plan_name }} ({{ municipality }}). Vom {{ start_date }} bis {{ end_date }} "
        "können Sie online Stellung nehmen – {{ consultation_kind }}."
    ),
    Event.CONSULTATION_OPENED: (
        "Die Beteiligung hat begonnen: {{ plan_name }} ({{ municipality }}). Bis {{ end_date }}, 24 Uhr, "
        "können Sie online Stellung nehmen – {{ consultation_kind }}."
    ),
    Event.CONSULTATION_REMINDER: (
        "Nur noch {{ days_left }} Tage: Bis {{ end_date }}, 24 Uhr, können Sie zum Plan {{ plan_name }} "
        "({{ municipality }}) Stellung nehmen."
    ),
    Event.CONSULTATION_CLOSED: (
        "Die Beteiligung zu {{ plan_name }} ({{ municipality }}) ist beendet. Vielen Dank für Ihre Stellungnahmen! "
        "Sie werden nun geprüft und abgewogen."
    ),
    Event.RESULT_PUBLISHED: (
        "Ergebnis online: Die Stellungnahmen zu {{ plan_name }} ({{ municipality }}) wurden abgewogen. "
        "Das Ergebnis finden Sie auf der Plan-Seite."
    ),
}

_ENGINE = Engine(autoescape=False)


def compile_template(body: str):
    """Return the compiled announcement template or raise ValidationError with a German message."""
    try:
        return _ENGINE.from_string(body)
    except TemplateSyntaxError as error:
        raise ValidationError(_("Die Vorlage enthält einen Fehler: %(error)s") % {"error": error}) from error


def template_for(municipality, event: str) -> AnnouncementTemplate:
    """Return the municipality's template for `event`, or an unsaved one with the shipped default text."""
    template = AnnouncementTemplate.objects.filter(municipality=municipality, event=event).first()
    return template or AnnouncementTemplate(municipality=municipality, event=event, body=DEFAULT_TEMPLATES[event])


def plan_link(plan) -> str:
    """Return the plan's stable public address."""
    return settings.SITE_URL.rstrip("/") + plan.get_absolute_url()


def _date(value) -> str:
    return formats.date_format(value, "d.m.Y") if value else ""


def render_context(*, plan, consultation=None, reminder_days: int = 7) -> dict:
    """Return the plain-string context templates may use (no model objects: nothing to leak)."""
    name = " ".join(part for part in (plan.get_kind_display(), plan.number) if part)
    return {
        "plan_title": plan.title,
        "plan_number": plan.number,
        "plan_kind": plan.get_kind_display(),
        "plan_name": f"{name}: {plan.title}" if name else plan.title,
        "plan_summary": plan.summary,
        "municipality": plan.municipality.name,
        "start_date": _date(consultation.start_date) if consultation else "",
        "end_date": _date(consultation.end_date) if consultation else "",
        "consultation_kind": consultation.get_kind_display() if consultation else "",
        "days_left": str(reminder_days),
        "link": plan_link(plan),
    }


def render_body(body: str, context: dict) -> str:
    """Render an announcement template to plain text with collapsed spaces."""
    text = compile_template(body).render(Context(context, autoescape=False))
    return "\n".join(" ".join(line.split()) for line in text.strip().splitlines()).strip()


def _draft(*, event, plan, consultation, template, scheduled_for=None) -> Announcement:
    existing = (
        Announcement.objects.filter(plan=plan, consultation=consultation, event=event)
        .exclude(status=Announcement.Status.DISCARDED)
        .first()
    )
    if existing:
        return existing
    context = render_context(plan=plan, consultation=consultation, reminder_days=template.reminder_days)
    return Announcement.objects.create(
        municipality=plan.municipality,
        plan=plan,
        consultation=consultation,
        event=event,
        title=f"{Event(event).label}: {plan}",
        body=render_body(template.body, context),
        link=context["link"],
        scheduled_for=scheduled_for,
    )


@transaction.atomic
def announcement_drafts_for_event(*, event: str, plan, consultation=None) -> list[Announcement]:
    """Create (once) the draft announcements for a procedure event; opening also drafts the reminder."""
    if event not in Event.values:
        raise ValueError(f"Unknown announcement event {event!r}")
    if event.startswith("consultation_") and consultation is None:
        raise ValueError(f"Event {event!r} needs a consultation")
    if consultation is not None and not consultation.is_public:
        return []  # the § 4 authorities' round is not announced to the public
    drafts = []
    template = template_for(plan.municipality, event)
    if template.enabled:
        scheduled_for = None
        if event == Event.CONSULTATION_REMINDER:
            scheduled_for = reminder_time(consultation, template.reminder_days)
        drafts.append(
            _draft(event=event, plan=plan, consultation=consultation, template=template, scheduled_for=scheduled_for)
        )
    if event in (Event.CONSULTATION_SCHEDULED, Event.CONSULTATION_OPENED):
        reminder = template_for(plan.municipality, Event.CONSULTATION_REMINDER)
        when = reminder_time(consultation, reminder.reminder_days)
        if reminder.enabled and when > timezone.now():
            drafts.append(
                _draft(
                    event=Event.CONSULTATION_REMINDER,
                    plan=plan,
                    consultation=consultation,
                    template=reminder,
                    scheduled_for=when,
                )
            )
    return drafts


@transaction.atomic
def announcements_consultation_changed(*, consultation) -> int:
    """Re-render the unapproved drafts of `consultation` after its dates changed (e.g. an extension)."""
    updated = 0
    drafts = Announcement.objects.select_for_update().filter(
        consultation=consultation, status=Announcement.Status.DRAFT
    )
    for announcement in drafts:
        template = template_for(consultation.plan.municipality, announcement.event)
        context = render_context(
            plan=consultation.plan, consultation=consultation, reminder_days=template.reminder_days
        )
        announcement.body = render_body(template.body, context)
        if announcement.event == Event.CONSULTATION_REMINDER:
            announcement.scheduled_for = reminder_time(consultation, template.reminder_days)
        announcement.save()
        updated += 1
    return updated


def reminder_time(consultation, days: int) -> dt.datetime:
    """Return 09:00 Berlin time `days` days before the consultation ends."""
    day = consultation.end_date - dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=BERLIN)


@transaction.atomic
def announcement_update(*, announcement: Announcement, title: str, body: str, scheduled_for=None) -> Announcement:
    """Change a draft's text and planned time."""
    if announcement.status != Announcement.Status.DRAFT:
        raise ValidationError(_("Nur Entwürfe können bearbeitet werden."))
    announcement.title = title
    announcement.body = body
    announcement.scheduled_for = scheduled_for
    announcement.full_clean(exclude=["link", "plan", "consultation", "municipality"])
    announcement.save()
    return announcement


@transaction.atomic
def announcement_approve(*, announcement: Announcement, by, scheduled_for=None) -> Announcement:
    """Approve a draft and put one delivery per channel into the outbox (unconfigured channels: skipped)."""
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if announcement.status != Announcement.Status.DRAFT:
        raise ValidationError(_("Diese Ankündigung ist kein Entwurf mehr."))
    now = timezone.now()
    when = scheduled_for or announcement.scheduled_for
    when = max(when, now) if when else now
    announcement.status = Announcement.Status.APPROVED
    announcement.scheduled_for = when if when > now else None
    announcement.published_at = when
    announcement.approved_by = by
    announcement.approved_at = now
    announcement.save()
    for kind in ChannelKind.values:
        configured = channel_config(announcement.municipality, kind) is not None
        Delivery.objects.create(
            announcement=announcement,
            channel=kind,
            text=fit(announcement.body, announcement.link, kind).text,
            status=Delivery.Status.PENDING if configured else Delivery.Status.SKIPPED,
            next_attempt_at=when if configured else None,
            last_error="" if configured else _("Kanal ist für diese Kommune nicht eingerichtet."),
        )
    transaction.on_commit(lambda: enqueue_delivery_run(run_after=when))
    return announcement


@transaction.atomic
def announcement_discard(*, announcement: Announcement, by) -> Announcement:
    """Discard a draft, or an approved announcement none of whose deliveries has gone out yet."""
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if announcement.status == Announcement.Status.DISCARDED:
        return announcement
    if announcement.deliveries.filter(status__in=[Delivery.Status.SENT, Delivery.Status.SENDING]).exists():
        raise ValidationError(_("Die Ankündigung wurde bereits gesendet und kann nicht mehr verworfen werden."))
    announcement.deliveries.all().delete()
    announcement.status = Announcement.Status.DISCARDED
    announcement.published_at = None
    announcement.save()
    return announcement


@transaction.atomic
def delivery_retry(*, delivery: Delivery, by) -> Delivery:
    """Put a failed delivery back into the outbox now."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status not in (Delivery.Status.FAILED, Delivery.Status.SKIPPED):
        raise ValidationError(_("Nur fehlgeschlagene oder übersprungene Zustellungen können wiederholt werden."))
    if delivery.announcement.status != Announcement.Status.APPROVED:
        raise ValidationError(_("Die Ankündigung ist nicht freigegeben."))
    delivery.status = Delivery.Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save()
    transaction.on_commit(lambda: enqueue_delivery_run())
    return delivery


# --- Outbox worker ---------------------------------------------------------------------------


def enqueue_delivery_run(*, run_after: dt.datetime | None = None) -> None:
    """Enqueue the worker task, deferred to `run_after` where the backend supports it."""
    from .tasks import send_due_deliveries

    if run_after is not None and run_after > timezone.now():
        if not send_due_deliveries.get_backend().supports_defer:
            return  # the periodic `send_announcements` run picks it up
        send_due_deliveries.using(run_after=run_after).enqueue()
    else:
        send_due_deliveries.enqueue()


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


def _record_success(delivery: Delivery, posted, now: dt.datetime) -> None:
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
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
        error = DeliveryError(_("Zustellung wurde wiederholt unterbrochen."), retryable=True, ambiguous=True)
        return _record_failure(delivery, error, now)
    client = client_for(config)
    try:
        posted = client.find_existing(text=delivery.text, delivery=delivery) if delivery.uncertain else None
        if posted is None:
            posted = client.post(text=delivery.text, delivery=delivery)
    except DeliveryError as error:
        logger.warning("Delivery %s to %s failed: %s", delivery.pk, delivery.channel, error.message)
        return _record_failure(delivery, error, now)
    except Exception as exc:  # a library bug or an unexpected answer must not stall the outbox
        logger.exception("Delivery %s to %s failed unexpectedly", delivery.pk, delivery.channel)
        error = DeliveryError(
            _("Unerwarteter Fehler (%(error)s). Neuer Versuch später.") % {"error": type(exc).__name__},
            retryable=True,
            ambiguous=True,
        )
        return _record_failure(delivery, error, now)
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


# --- Channel accounts ---------------------------------------------------------------------------


@transaction.atomic
def channel_account_save(*, account: ChannelAccount, secrets: dict) -> ChannelAccount:
    """Save `account`, replacing only the secrets that were entered (blank keeps the stored value)."""
    account.set_secrets(secrets)
    account.full_clean()
    account.save()
    return account


def channel_account_test(*, account: ChannelAccount) -> tuple[bool, str]:
    """Try the account's credentials against the network and record the result."""
    from .channels import account_config

    config = account_config(account)
    if config is None:
        ok, message = False, _("Zugangsdaten unvollständig oder Kanal deaktiviert.")
    else:
        try:
            name = client_for(config).test_connection()
            ok, message = True, _("Verbindung erfolgreich: angemeldet als %(name)s.") % {"name": name}
        except DeliveryError as error:
            ok, message = False, error.message
    ChannelAccount.objects.filter(pk=account.pk).update(
        last_checked_at=timezone.now(), last_check_ok=ok, last_check_message=message[:500]
    )
    return ok, message


# --- E-mail alerts --------------------------------------------------------------------------------


@transaction.atomic
def subscription_create(*, email: str, municipality=None, point=None, radius_m: int | None = None) -> Subscription:
    """Store an unconfirmed subscription and mail the double opt-in link."""
    email = email.strip().lower()
    recent = Subscription.objects.filter(
        email=email, confirmed_at__isnull=True, created_at__gte=timezone.now() - dt.timedelta(hours=1)
    )
    if recent.count() >= 3:
        # Someone keeps requesting mails for this address: do not become a mail cannon.
        raise ValidationError(
            _("Für diese Adresse wurden gerade mehrere Bestätigungen verschickt. Bitte prüfen Sie Ihr Postfach.")
        )
    subscription = Subscription(email=email, municipality=municipality, point=point, radius_m=radius_m)
    subscription.full_clean()
    subscription.save()
    from .tasks import send_subscription_confirmation

    transaction.on_commit(lambda: send_subscription_confirmation.enqueue(subscription.pk))
    return subscription


@transaction.atomic
def subscription_confirm(*, subscription: Subscription) -> Subscription:
    """Activate a subscription (idempotent)."""
    if subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])
    return subscription


@transaction.atomic
def subscription_delete(*, subscription: Subscription) -> None:
    """Remove a subscription and its e-mail address."""
    subscription.delete()


def subscriptions_matching(*, plan) -> list[Subscription]:
    """Return confirmed subscriptions for `plan`: its municipality, or a point within the radius of its area."""
    from django.contrib.gis.geos import Polygon

    from .geo import distance_m

    confirmed = Subscription.objects.filter(confirmed_at__isnull=False)
    matches = list(confirmed.filter(municipality=plan.municipality, point__isnull=True))
    # Coarse bounding box in the database (10 km is the largest radius), exact distance in metres after.
    xmin, ymin, xmax, ymax = plan.area.extent
    box = Polygon.from_bbox((xmin - 0.15, ymin - 0.1, xmax + 0.15, ymax + 0.1))
    box.srid = 4326
    for subscription in confirmed.filter(point__isnull=False, point__intersects=box):
        if distance_m(subscription.point, plan.area, plan.municipality.crs_epsg) <= subscription.radius_m:
            matches.append(subscription)
    return matches


def subscriptions_notify_plan_published(*, plan) -> None:
    """Mail every matching subscriber about the newly published `plan` (after commit, via the task queue)."""
    from .tasks import send_plan_alerts

    transaction.on_commit(lambda: send_plan_alerts.enqueue(plan.pk))


def plan_alerts_send(*, plan) -> int:
    """Send the alert mails for `plan` once per subscription; return how many went out."""
    from .mail import send_plan_alert

    if not plan.is_public:
        return 0
    sent = 0
    for subscription in subscriptions_matching(plan=plan):
        with transaction.atomic():
            _notification, created = SubscriptionNotification.objects.get_or_create(
                subscription=subscription, plan=plan
            )
            if created:
                send_plan_alert(subscription=subscription, plan=plan)
                sent += 1
    return sent
