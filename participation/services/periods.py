"""Consultation periods: create, update, schedule, open, extend, close, reopen; each checked, validated and logged.

Every entry point (staff UI, admin, management commands) calls these functions; each asks
`plans.rules.require()` first, then applies the period law of `participation.periods`, writes,
logs one `ConsultationAction` and sends `period_changed` inside the transaction.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from geodata.models import PlanVersion
from plans import rules
from plans.models import Plan

from ..models import Consultation, ConsultationAction
from ..periods import check_period, is_shortened, local_date
from ..signals import period_changed
from .change_rounds import apply_changes, change_mails_schedule

State = Consultation.State
Kind = Consultation.Kind


def _log(consultation: Consultation, kind: str, *, by, at: dt.datetime, reason: str, **details) -> ConsultationAction:
    return ConsultationAction.objects.create(
        consultation=consultation,
        kind=kind,
        by=rules.user_or_none(by),
        at=at,
        reason=(reason or "").strip(),
        start_date=consultation.start_date,
        end_date=consultation.end_date,
        closed_at=consultation.closed_at,
        details={key: str(value) for key, value in details.items()},
    )


def _changed(consultation: Consultation, action: ConsultationAction) -> ConsultationAction:
    period_changed.send(sender=Consultation, consultation=consultation, action=action)
    return action


def _apply_period(consultation: Consultation, start: dt.date, end: dt.date, reason: str) -> None:
    """Check `start`–`end` against the law and set it; a shortened § 4a Abs. 3 period keeps its reason."""
    check_period(consultation.kind, start, end, reason)
    consultation.short_period_reason = (reason or "").strip() if is_shortened(consultation.kind, start, end) else ""
    consultation.start_date, consultation.end_date, consultation.closed_at = start, end, None


def _reset_bekanntmachung(consultation: Consultation) -> bool:
    """Forget a recorded Bekanntmachung whose announced period no longer holds; return whether one was reset.

    The Bekanntmachung names the period (§ 3 Abs. 2 Satz 4 BauGB): new dates need a new one
    before the period may open.
    """
    if not (consultation.needs_bekanntmachung and consultation.bekanntmachung_date):
        return False
    consultation.bekanntmachung_date = None
    consultation.bekanntmachung_media = []
    consultation.bekanntmachung_text = ""
    return True


def _refuse_past_start(start: dt.date, at: dt.datetime) -> None:
    if start < local_date(at):
        raise ValidationError(
            {
                "start_date": ValidationError(
                    _("Der Beginn darf nicht in der Vergangenheit liegen."), code="start_in_past"
                )
            }
        )


@transaction.atomic
def consultation_create(
    *,
    plan: Plan,
    by,
    kind: str,
    start_date: dt.date,
    end_date: dt.date,
    round: int = 1,  # noqa: A002 - the domain's word (1. Runde, 2. Runde)
    title: str = "",
    reason: str = "",
    moderation: str = Consultation.Moderation.PRE,
    access_routes: str = "",
    contact: str = "",
    authority_stage: str = "",
    old_version: PlanVersion | None = None,
    new_version: PlanVersion | None = None,
    limited_to_changes: bool = False,
    at: dt.datetime | None = None,
) -> Consultation:
    """Create a consultation for `plan` and schedule its period (logged as "Zeitraum festgelegt").

    A round after changes (§ 4a Abs. 3) names the compared versions: the comparison is computed and stored
    with it; `limited_to_changes` needs at least one change.
    """
    rules.require(by, "manage", plan.municipality)
    at = at or timezone.now()
    if kind not in Kind.values:
        raise ValidationError({"kind": ValidationError(_("Unbekannte Art der Beteiligung."), code="invalid_kind")})
    _refuse_past_start(start_date, at)
    consultation = Consultation(
        plan=plan,
        kind=kind,
        round=round,
        title=title.strip(),
        moderation=moderation,
        access_routes=access_routes.strip(),
        contact=contact.strip(),
        created_by=rules.user_or_none(by),
    )
    if authority_stage:
        consultation.authority_stage = authority_stage
    apply_changes(consultation, by=by, old_version=old_version, new_version=new_version, limited=limited_to_changes)
    _apply_period(consultation, start_date, end_date, reason)
    consultation.full_clean()
    consultation.save()
    _changed(consultation, _log(consultation, ConsultationAction.Kind.SCHEDULE, by=by, at=at, reason=reason))
    return consultation


UPDATABLE = ("title", "moderation", "access_routes", "contact")
CHANGES_UNSET = object()


@transaction.atomic
def consultation_update(
    *,
    consultation: Consultation,
    by,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    reason: str = "",
    at: dt.datetime | None = None,
    old_version=CHANGES_UNSET,
    new_version=CHANGES_UNSET,
    limited_to_changes: bool | None = None,
    **details: str,
) -> ConsultationAction | None:
    """Change dates and details of a consultation that has not started; new dates are logged as a reschedule.

    Passing the versions (or None for both) or `limited_to_changes` sets the compared versions and the limitation.
    """
    rules.require(by, "manage", consultation.plan.municipality)
    at = at or timezone.now()
    unknown = set(details) - set(UPDATABLE)
    if unknown:
        raise TypeError(f"consultation_update() got unexpected fields: {sorted(unknown)}")
    if consultation.state_at(at) != State.SCHEDULED:
        raise ValidationError(
            _("Die Beteiligung hat bereits begonnen; ihre Angaben können nicht mehr geändert werden."),
            code="already_started",
        )
    start, end = start_date or consultation.start_date, end_date or consultation.end_date
    dates_changed = (start, end) != (consultation.start_date, consultation.end_date)
    changed = [name for name, value in details.items() if getattr(consultation, name) != value.strip()]
    reset = False
    if dates_changed:
        _refuse_past_start(start, at)
        _apply_period(consultation, start, end, reason)
        reset = _reset_bekanntmachung(consultation)
    elif is_shortened(consultation.kind, start, end) and reason.strip():
        consultation.short_period_reason = reason.strip()
    for name in changed:
        setattr(consultation, name, details[name].strip())
    if old_version is not CHANGES_UNSET or limited_to_changes is not None:
        before = (consultation.comparison_id, consultation.limited_to_changes)
        if old_version is CHANGES_UNSET:
            comparison = consultation.comparison
            old_version = comparison.old_version if comparison else None
            new_version = comparison.new_version if comparison else None
        limited = consultation.limited_to_changes if limited_to_changes is None else limited_to_changes
        apply_changes(consultation, by=by, old_version=old_version, new_version=new_version, limited=limited)
        if (consultation.comparison_id, consultation.limited_to_changes) != before:
            changed += ["comparison"]
    if not (dates_changed or changed):
        return None
    consultation.full_clean()
    consultation.save()
    if dates_changed:
        details = {"bekanntmachung_reset": "1"} if reset else {}
        action = _log(consultation, ConsultationAction.Kind.SCHEDULE, by=by, at=at, reason=reason, **details)
        return _changed(consultation, action)
    return _log(consultation, ConsultationAction.Kind.UPDATE, by=by, at=at, reason=reason, fields=",".join(changed))


@transaction.atomic
def consultation_schedule(
    *, consultation: Consultation, by, start_date: dt.date, end_date: dt.date, reason: str = "", at=None
) -> ConsultationAction:
    """Set the period of a consultation that has not started yet (or reschedule it)."""
    rules.require(by, "manage", consultation.plan.municipality)
    at = at or timezone.now()
    if consultation.pk and consultation.state_at(at) != State.SCHEDULED and consultation.actions.exists():
        raise ValidationError(
            _("Der Zeitraum hat bereits begonnen. Bitte verlängern, beenden oder wieder öffnen."),
            code="already_started",
        )
    _refuse_past_start(start_date, at)
    moved = (start_date, end_date) != (consultation.start_date, consultation.end_date)
    _apply_period(consultation, start_date, end_date, reason)
    details = {"bekanntmachung_reset": "1"} if moved and _reset_bekanntmachung(consultation) else {}
    consultation.save()
    action = _log(consultation, ConsultationAction.Kind.SCHEDULE, by=by, at=at, reason=reason, **details)
    return _changed(consultation, action)


def _refuse_not_public(consultation: Consultation) -> None:
    if consultation.kind == Kind.AUTHORITIES:
        raise ValidationError(
            _("Die Beteiligung der Behörden (§ 4 BauGB) ist nicht öffentlich."), code="authorities_not_public"
        )


def check_bekanntmachung_before(consultation: Consultation, start: dt.date) -> None:
    """Raise ValidationError unless a public period starting on `start` has its Bekanntmachung on or before it."""
    if not consultation.needs_bekanntmachung:
        return
    if consultation.bekanntmachung_date is None:
        raise ValidationError(
            _("Vor dem Öffnen muss die ortsübliche Bekanntmachung erfasst sein (§ 3 Abs. 2 Satz 4 BauGB)."),
            code="no_bekanntmachung",
        )
    if consultation.bekanntmachung_date > start:
        raise ValidationError(
            _(
                "Die Bekanntmachung vom %(date)s liegt nach dem Beginn %(start)s; "
                "die Beteiligung kann noch nicht öffnen."
            ),
            code="bekanntmachung_after_start",
            params={"date": f"{consultation.bekanntmachung_date:%d.%m.%Y}", "start": f"{start:%d.%m.%Y}"},
        )


@transaction.atomic
def consultation_open(
    *, consultation: Consultation, by, end_date: dt.date | None = None, reason: str = "", at=None
) -> ConsultationAction:
    """Open the consultation now (start today), optionally with a new end date."""
    rules.require(by, "manage", consultation.plan.municipality)
    at = at or timezone.now()
    _refuse_not_public(consultation)
    state = consultation.state_at(at)
    if state == State.OPEN:
        raise ValidationError(_("Die Beteiligung läuft bereits."), code="already_open")
    if state == State.CLOSED:
        raise ValidationError(
            _("Die Beteiligung ist beendet. Zum erneuten Öffnen ist eine Begründung nötig."), code="already_closed"
        )
    today = local_date(at)
    if consultation.needs_bekanntmachung:
        raise ValidationError(
            _(
                "Eine Veröffentlichung beginnt an dem Tag, den ihre ortsübliche Bekanntmachung nennt, und öffnet "
                "dann von selbst. Für einen früheren Beginn bitte die Daten ändern und die Bekanntmachung neu "
                "erfassen."
            ),
            code="opens_on_announced_start",
        )
    previous = consultation.start_date
    _apply_period(consultation, today, end_date or consultation.end_date, reason)
    consultation.save()
    action = _log(consultation, ConsultationAction.Kind.OPEN, by=by, at=at, reason=reason, previous_start=previous)
    return _changed(consultation, action)


@transaction.atomic
def consultation_extend(
    *, consultation: Consultation, by, end_date: dt.date, reason: str = "", at=None
) -> ConsultationAction:
    """Move the end of a scheduled or running consultation to a later day (always allowed)."""
    rules.require(by, "manage", consultation.plan.municipality)
    at = at or timezone.now()
    if consultation.state_at(at) == State.CLOSED:
        raise ValidationError(
            _("Die Beteiligung ist bereits beendet. Bitte mit Begründung wieder öffnen."), code="already_closed"
        )
    if end_date <= consultation.end_date:
        raise ValidationError(
            {
                "end_date": ValidationError(
                    _("Das neue Ende muss nach dem bisherigen Ende liegen."), code="end_not_later"
                )
            }
        )
    previous = consultation.end_date
    consultation.end_date = end_date
    consultation.save()
    action = _log(consultation, ConsultationAction.Kind.EXTEND, by=by, at=at, reason=reason, previous_end=previous)
    return _changed(consultation, action)


def close_needs_confirmation(consultation: Consultation) -> bool:
    """Return whether an early close shortens a statutory period (§ 3 Abs. 2, § 4a Abs. 3) and risks § 214."""
    return consultation.kind in (Kind.PUBLICATION, Kind.REPUBLICATION)


@transaction.atomic
def consultation_close(
    *, consultation: Consultation, by, reason: str = "", confirm_legal_risk: bool = False, at=None
) -> ConsultationAction:
    """End a running consultation early; a statutory period needs a reason and the confirmed legal risk."""
    rules.require(by, "manage", consultation.plan.municipality)
    at = at or timezone.now()
    if not consultation.is_open_at(at):
        raise ValidationError(_("Die Beteiligung läuft nicht und kann daher nicht beendet werden."), code="not_open")
    if close_needs_confirmation(consultation):
        if not (reason or "").strip():
            raise ValidationError(
                {
                    "reason": ValidationError(
                        _("Für das vorzeitige Beenden ist eine Begründung erforderlich."), code="reason_required"
                    )
                }
            )
        if not confirm_legal_risk:
            raise ValidationError(
                {
                    "confirm_legal_risk": ValidationError(
                        _(
                            "Bitte bestätigen Sie, dass Ihnen das Risiko bewusst ist: Eine verkürzte Frist kann den "
                            "Plan fehlerhaft machen (§ 214 Abs. 1 Nr. 2 BauGB)."
                        ),
                        code="legal_risk_not_confirmed",
                    )
                }
            )
    consultation.closed_at = at
    consultation.save()
    action = _log(
        consultation,
        ConsultationAction.Kind.CLOSE,
        by=by,
        at=at,
        reason=reason,
        legal_risk_confirmed=confirm_legal_risk,
    )
    return _changed(consultation, action)


@transaction.atomic
def consultation_reopen(
    *, consultation: Consultation, by, reason: str, end_date: dt.date | None = None, at=None
) -> ConsultationAction:
    """Open an ended consultation again; a reason is required."""
    rules.require(by, "manage", consultation.plan.municipality)
    at = at or timezone.now()
    if not (reason or "").strip():
        raise ValidationError(
            {
                "reason": ValidationError(
                    _("Zum erneuten Öffnen ist eine Begründung erforderlich."), code="reason_required"
                )
            }
        )
    _refuse_not_public(consultation)
    if consultation.state_at(at) != State.CLOSED:
        raise ValidationError(_("Nur eine beendete Beteiligung kann wieder geöffnet werden."), code="not_closed")
    check_bekanntmachung_before(consultation, consultation.start_date)
    end = end_date or consultation.end_date
    if end < local_date(at):
        raise ValidationError(
            {
                "end_date": ValidationError(
                    _("Bitte ein neues Ende angeben, das heute oder später liegt."), code="end_in_past"
                )
            }
        )
    previous_end, previous_close = consultation.end_date, consultation.closed_at
    consultation.end_date, consultation.closed_at = end, None
    consultation.save()
    action = _log(
        consultation,
        ConsultationAction.Kind.REOPEN,
        by=by,
        at=at,
        reason=reason,
        previous_end=previous_end,
        previous_close=previous_close or "",
    )
    change_mails_schedule(consultation)  # sent once per address: a reopened round mails only those not mailed yet
    return _changed(consultation, action)
