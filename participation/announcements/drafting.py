"""Drafting announcements: templates and rendering, drafts for procedure events, staff review, retiring stale ones."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from participation.periods import BERLIN
from plans import rules
from plans.links import absolute_url

from .channels import channel_config
from .models import Announcement, AnnouncementTemplate, ChannelKind, Delivery, Event
from .outbox import enqueue_delivery_run
from .text import fit

DEFAULT_TEMPLATES: dict[str, str] = {
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
        "Nur noch {{ days_left }} Tage: Bis {{ end_date }}, 24 Uhr, können Sie {{ plan_about }} "
        "({{ municipality }}) Stellung nehmen."
    ),
    Event.CONSULTATION_CLOSED: (
        "Beteiligung beendet: {{ plan_name }} ({{ municipality }}). Vielen Dank für Ihre Stellungnahmen! "
        "Sie werden nun geprüft und abgewogen."
    ),
    Event.RESULT_PUBLISHED: (
        "Ergebnis online: Die Stellungnahmen {{ plan_about }} ({{ municipality }}) wurden abgewogen. "
        "Das Ergebnis finden Sie auf der Plan-Seite."
    ),
}
DATED_EVENTS = (Event.CONSULTATION_SCHEDULED, Event.CONSULTATION_OPENED, Event.CONSULTATION_REMINDER)

_ENGINE = Engine(autoescape=False)


# --- Templates and rendering ------------------------------------------------------------------


def compile_template(body: str):
    """Return the compiled announcement template or raise ValidationError (code `template_syntax`)."""
    try:
        return _ENGINE.from_string(body)
    except TemplateSyntaxError as error:
        raise ValidationError(
            _("Die Vorlage enthält einen Fehler: %(error)s"), code="template_syntax", params={"error": str(error)}
        ) from error


def template_for(municipality, event: str) -> AnnouncementTemplate:
    """Return the municipality's template for `event`, or an unsaved one with the shipped default text."""
    template = AnnouncementTemplate.objects.filter(municipality=municipality, event=event).first()
    return template or AnnouncementTemplate(municipality=municipality, event=event, body=DEFAULT_TEMPLATES[event])


@transaction.atomic
def announcement_template_save(*, template: AnnouncementTemplate, by) -> AnnouncementTemplate:
    """Save a municipality's announcement template after checking its syntax."""
    rules.require(by, "manage", template.municipality)
    compile_template(template.body)
    template.full_clean()
    template.save()
    return template


def _date(value) -> str:
    return formats.date_format(value, "d.m.Y") if value else ""


def render_context(*, plan, consultation=None, reminder_days: int = 7) -> dict:
    """Return the plain-string context templates may use (no model objects: nothing to leak)."""
    return {
        "plan_title": plan.title,
        "plan_number": plan.number,
        "plan_kind": plan.get_kind_display(),
        "plan_name": plan.display_name,
        "plan_about": plan.about_phrase,
        "plan_summary": plan.summary,
        "municipality": plan.municipality.name,
        "start_date": _date(consultation.start_date) if consultation else "",
        "end_date": _date(consultation.end_date) if consultation else "",
        "consultation_kind": consultation.get_kind_display() if consultation else "",
        "days_left": str(reminder_days),
        "link": absolute_url(plan.get_absolute_url()),
    }


def render_body(body: str, context: dict) -> str:
    """Render an announcement template to plain text with collapsed spaces."""
    text = compile_template(body).render(Context(context, autoescape=False))
    return "\n".join(" ".join(line.split()) for line in text.strip().splitlines()).strip()


def reminder_time(consultation, days: int) -> dt.datetime:
    """Return 09:00 Berlin time `days` days before the consultation ends."""
    day = consultation.end_date - dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=BERLIN)


# --- Drafts for procedure events --------------------------------------------------------------


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


def _draft_reminder(consultation, at: dt.datetime) -> Announcement | None:
    reminder = template_for(consultation.plan.municipality, Event.CONSULTATION_REMINDER)
    when = reminder_time(consultation, reminder.reminder_days)
    if not reminder.enabled or when <= at:
        return None
    return _draft(
        event=Event.CONSULTATION_REMINDER,
        plan=consultation.plan,
        consultation=consultation,
        template=reminder,
        scheduled_for=when,
    )


@transaction.atomic
def announcement_drafts_for_event(*, event: str, plan, consultation=None, at=None) -> list[Announcement]:
    """Create (once) the draft announcements for a procedure event; scheduling and opening also draft the reminder."""
    if event not in Event.values:
        raise ValueError(f"Unknown announcement event {event!r}")
    if event.startswith("consultation_") and consultation is None:
        raise ValueError(f"Event {event!r} needs a consultation")
    if consultation is not None and not consultation.is_public:
        return []  # the § 4 authorities' round is not announced to the public
    at = at or timezone.now()
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
        reminder = _draft_reminder(consultation, at)
        if reminder is not None:
            drafts.append(reminder)
    return drafts


def pending_announcements(*, consultation, at=None):
    """Return the announcements of `consultation` nobody has seen yet: drafts, and approved ones not yet out."""
    at = at or timezone.now()
    gone_out = Delivery.objects.filter(status__in=[Delivery.Status.SENT, Delivery.Status.SENDING]).values(
        "announcement_id"
    )
    return Announcement.objects.filter(consultation=consultation).filter(
        Q(status=Announcement.Status.DRAFT)
        | Q(status=Announcement.Status.APPROVED, published_at__gt=at) & ~Q(pk__in=gone_out)
    )


def _discard(announcement: Announcement, *, reason: str, at: dt.datetime) -> Announcement:
    announcement.deliveries.all().delete()
    announcement.status = Announcement.Status.DISCARDED
    announcement.published_at = None
    announcement.discarded_at = at
    announcement.discard_reason = reason[:300]
    announcement.save()
    return announcement


@transaction.atomic
def announcements_retire(*, consultation, events, reason: str, at=None) -> list[Announcement]:
    """Discard the pending announcements of `events` for `consultation` that a period change made wrong."""
    at = at or timezone.now()
    stale = pending_announcements(consultation=consultation, at=at).filter(event__in=list(events))
    return [_discard(announcement, reason=reason, at=at) for announcement in stale.select_for_update()]


@transaction.atomic
def announcements_consultation_changed(*, consultation, at=None) -> int:
    """Bring the pending announcements of `consultation` in line with its new dates (e.g. an extension).

    Drafts are re-rendered and their reminder rescheduled; approved ones not yet out name the old
    dates, so they are retired and drafted again for a new approval. Returns how many were updated.
    """
    at = at or timezone.now()
    approved = pending_announcements(consultation=consultation, at=at).filter(
        status=Announcement.Status.APPROVED, event__in=DATED_EVENTS
    )
    reason = _("Der Zeitraum wurde geändert; ein neuer Entwurf mit den neuen Daten wurde angelegt.")
    retired = set()
    for announcement in approved.select_for_update():
        _discard(announcement, reason=reason, at=at)
        retired.add(announcement.event)
    for event in retired - {Event.CONSULTATION_REMINDER}:
        announcement_drafts_for_event(event=event, plan=consultation.plan, consultation=consultation, at=at)
    if Event.CONSULTATION_REMINDER in retired:
        _draft_reminder(consultation, at)
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


# --- Staff review -----------------------------------------------------------------------------


@transaction.atomic
def announcement_update(*, announcement: Announcement, by, title: str, body: str, scheduled_for=None) -> Announcement:
    """Change a draft's text and planned time."""
    rules.require(by, "manage", announcement.municipality)
    if announcement.status != Announcement.Status.DRAFT:
        raise ValidationError(_("Nur Entwürfe können bearbeitet werden."), code="not_draft")
    announcement.title = title
    announcement.body = body
    announcement.scheduled_for = scheduled_for
    announcement.full_clean(exclude=["link", "plan", "consultation", "municipality"])
    announcement.save()
    return announcement


@transaction.atomic
def announcement_approve(*, announcement: Announcement, by, scheduled_for=None) -> Announcement:
    """Approve a draft and put one delivery per channel into the outbox (unconfigured channels: skipped)."""
    rules.require(by, "manage", announcement.municipality)
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if announcement.status != Announcement.Status.DRAFT:
        raise ValidationError(_("Diese Ankündigung ist kein Entwurf mehr."), code="not_draft")
    now = timezone.now()
    when = scheduled_for or announcement.scheduled_for
    when = max(when, now) if when else now
    announcement.status = Announcement.Status.APPROVED
    announcement.scheduled_for = when if when > now else None
    announcement.published_at = when
    announcement.approved_by = rules.user_or_none(by)
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
def announcement_discard(*, announcement: Announcement, by, reason: str = "") -> Announcement:
    """Discard a draft, or an approved announcement none of whose deliveries has gone out yet."""
    rules.require(by, "manage", announcement.municipality)
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if announcement.status == Announcement.Status.DISCARDED:
        return announcement
    if announcement.deliveries.filter(status__in=[Delivery.Status.SENT, Delivery.Status.SENDING]).exists():
        raise ValidationError(
            _("Die Ankündigung wurde bereits gesendet und kann nicht mehr verworfen werden."), code="already_sent"
        )
    return _discard(announcement, reason=reason or _("Von Hand verworfen."), at=timezone.now())
