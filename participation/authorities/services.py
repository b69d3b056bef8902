"""Actions of the § 4 BauGB rounds: the address book, invitations, extensions, reminders.

Every action takes the actor as `by`, asks `plans.rules.require()` first, validates, then writes in
one transaction; mails go out after the commit through the tasks (each once, see `operations.mail`).
"""

import dataclasses
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.models import Consultation
from participation.periods import local_date, regular_end
from plans import rules
from plans.models import Municipality

from . import csv_io
from .models import Authority, Invitation, InvitationAction, SubjectArea
from .tasks import send_extension_mail, send_invitation_mail, send_reminder_mail
from .tokens import new_key

Stage = Consultation.AuthorityStage
Kind = InvitationAction.Kind


def _enqueue_after_commit(task, *args) -> None:
    """Enqueue `task` so that it runs only if the surrounding transaction commits."""
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(task.get_backend(), DatabaseBackend):
        # The task row joins the transaction: the worker sees it only after the commit.
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))


def _log(invitation: Invitation, kind: str, *, by, reason: str = "", **fields) -> InvitationAction:
    return InvitationAction.objects.create(
        invitation=invitation, kind=kind, by=rules.user_or_none(by), reason=reason, **fields
    )


# --- Address book -----------------------------------------------------------------------------


@dataclasses.dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _clean_authority(*, municipality, organisation, department, emails, subject_areas, exclude_pk=None):
    errors: dict[str, list[ValidationError]] = {}
    if not organisation:
        errors["organisation"] = [ValidationError(_("Die Organisation fehlt."), code="no_organisation")]
    if not emails:
        errors["emails"] = [ValidationError(_("Bitte mindestens eine E-Mail-Adresse angeben."), code="no_email")]
    elif wrong := csv_io.invalid_emails(emails):
        errors["emails"] = [
            ValidationError(
                _("Ungültige E-Mail-Adresse: %(emails)s"), code="invalid_email", params={"emails": ", ".join(wrong)}
            )
        ]
    if unknown := [area for area in subject_areas if area not in SubjectArea.values]:
        errors["subject_areas"] = [
            ValidationError(
                _("Unbekannter Fachbereich: %(areas)s"), code="unknown_area", params={"areas": ", ".join(unknown)}
            )
        ]
    duplicates = Authority.objects.filter(
        municipality=municipality, organisation__iexact=organisation, department__iexact=department
    ).exclude(pk=exclude_pk)
    if duplicates.exists():
        errors["department"] = [
            ValidationError(
                _("Diese Behörde mit dieser Abteilung steht schon im Adressbuch."), code="duplicate_authority"
            )
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def authority_create(
    *,
    municipality: Municipality,
    by,
    organisation: str,
    department: str = "",
    emails: list[str],
    subject_areas: list[str] = (),  # type: ignore[assignment]
    active: bool = True,
    notes: str = "",
) -> Authority:
    """Add an authority to `municipality`'s address book."""
    rules.require(by, "manage", municipality)
    organisation, department = organisation.strip(), department.strip()
    _clean_authority(
        municipality=municipality,
        organisation=organisation,
        department=department,
        emails=emails,
        subject_areas=list(subject_areas),
    )
    return Authority.objects.create(
        municipality=municipality,
        organisation=organisation,
        department=department,
        emails=list(emails),
        subject_areas=list(subject_areas),
        active=active,
        notes=notes,
    )


@transaction.atomic
def authority_update(*, authority: Authority, by, **changes) -> Authority:
    """Change an address book entry (organisation, department, emails, subject_areas, active, notes)."""
    rules.require(by, "manage", authority.municipality)
    allowed = {"organisation", "department", "emails", "subject_areas", "active", "notes"}
    if unknown := set(changes) - allowed:
        raise TypeError(f"authority_update() cannot change {sorted(unknown)}")
    values = {field: getattr(authority, field) for field in allowed} | changes
    values["organisation"], values["department"] = values["organisation"].strip(), values["department"].strip()
    _clean_authority(
        municipality=authority.municipality,
        organisation=values["organisation"],
        department=values["department"],
        emails=values["emails"],
        subject_areas=list(values["subject_areas"]),
        exclude_pk=authority.pk,
    )
    for field, value in values.items():
        setattr(authority, field, list(value) if field in ("emails", "subject_areas") else value)
    authority.save()
    return authority


@transaction.atomic
def authority_delete(*, authority: Authority, by) -> None:
    """Delete an address book entry that was never invited; invited ones are only deactivated."""
    rules.require(by, "manage", authority.municipality)
    if authority.invitations.exists():
        raise ValidationError(
            _("Diese Behörde wurde bereits eingeladen und kann nicht gelöscht werden. Bitte stattdessen deaktivieren."),
            code="authority_invited",
        )
    authority.delete()


def address_book_import(*, municipality: Municipality, data: bytes, by) -> ImportResult:
    """Import an address book CSV: every row is checked first; then all are written, or none.

    Rows are matched to existing entries by organisation and department (case-insensitive).
    """
    rules.require(by, "manage", municipality)
    rows = csv_io.read_address_book(data)
    result = ImportResult()
    with transaction.atomic():
        existing = {
            (a.organisation.lower(), a.department.lower()): a
            for a in Authority.objects.select_for_update().filter(municipality=municipality)
        }
        new = []
        for row in rows:
            values = {
                "organisation": row.organisation,
                "department": row.department,
                "emails": row.emails,
                "subject_areas": row.subject_areas,
                "active": row.active,
                "notes": row.notes,
            }
            authority = existing.get((row.organisation.lower(), row.department.lower()))
            if authority is None:
                new.append(Authority(municipality=municipality, **values))
                result.created += 1
            elif all(getattr(authority, field) == value for field, value in values.items()):
                result.unchanged += 1
            else:
                for field, value in values.items():
                    setattr(authority, field, value)
                authority.save()
                result.updated += 1
        Authority.objects.bulk_create(new, batch_size=500)
    return result


# --- Invitations ------------------------------------------------------------------------------


def check_deadline(consultation: Consultation, invited_on: dt.date, deadline: dt.date, reason: str = "") -> None:
    """Raise ValidationError unless `deadline` is lawful for an invitation of `invited_on` to `consultation`.

    § 4 Abs. 2 BauGB: one month, at least 30 days; § 4a Abs. 3: shorter only with a reason; § 4 Abs. 1: no minimum.
    """
    if deadline < invited_on:
        raise ValidationError(
            {"deadline": ValidationError(_("Die Frist darf nicht in der Vergangenheit liegen."), code="deadline_past")}
        )
    regular = regular_end(invited_on)
    if consultation.authority_stage == Stage.FORMAL and deadline < regular:
        raise ValidationError(
            {
                "deadline": ValidationError(
                    _(
                        "Die Frist ist zu kurz: Sie dauert einen Monat, mindestens 30 Tage ab der Einladung "
                        "(§ 4 Abs. 2 BauGB). Frühestes zulässiges Fristende: %(earliest)s."
                    ),
                    code="period_too_short",
                    params={"earliest": f"{regular:%d.%m.%Y}"},
                )
            }
        )
    if consultation.authority_stage == Stage.CHANGES and deadline < regular and not (reason or "").strip():
        raise ValidationError(
            {
                "reason": ValidationError(
                    _(
                        "Eine Frist kürzer als einen Monat (bis %(regular)s) ist nur angemessen verkürzt zulässig "
                        "(§ 4a Abs. 3 BauGB): Bitte die Begründung angeben."
                    ),
                    code="short_period_reason_required",
                    params={"regular": f"{regular:%d.%m.%Y}"},
                )
            }
        )


def _refuse_unless_round_open(consultation: Consultation, at: dt.datetime) -> None:
    if consultation.kind != Consultation.Kind.AUTHORITIES:
        raise ValidationError(
            _("Behörden werden nur zu einer Beteiligung der Behörden (§ 4 BauGB) eingeladen."), code="not_authorities"
        )
    if consultation.state_at(at) == Consultation.State.CLOSED:
        raise ValidationError(_("Die Beteiligung ist bereits beendet."), code="already_closed")


@transaction.atomic
def invitations_send(
    *,
    consultation: Consultation,
    by,
    authorities=(),
    subject_areas=(),
    deadline: dt.date | None = None,
    reason: str = "",
    at: dt.datetime | None = None,
) -> list[Invitation]:
    """Invite the chosen authorities and all active ones of `subject_areas`; mail each its access link.

    Authorities already invited to this round are skipped. The deadline defaults to the consultation's end.
    """
    municipality = consultation.plan.municipality
    rules.require(by, "manage", municipality)
    at = at or timezone.now()
    _refuse_unless_round_open(consultation, at)
    deadline = deadline or consultation.end_date
    check_deadline(consultation, local_date(at), deadline, reason)
    chosen = {authority.pk: authority for authority in authorities}
    if any(a.municipality_id != municipality.pk or not a.active for a in chosen.values()):
        raise ValidationError(
            _("Nur aktive Behörden aus dem Adressbuch dieser Kommune können eingeladen werden."),
            code="foreign_authority",
        )
    areas = set(subject_areas)
    if areas:
        for authority in Authority.objects.filter(municipality=municipality, active=True):
            if areas & set(authority.subject_areas or []):
                chosen.setdefault(authority.pk, authority)
    if not chosen:
        raise ValidationError(
            _("Bitte mindestens eine Behörde oder einen Fachbereich mit aktiven Behörden auswählen."),
            code="nobody_chosen",
        )
    invited = set(Invitation.objects.filter(consultation=consultation).values_list("authority_id", flat=True))
    created = []
    for authority in sorted(chosen.values(), key=lambda a: (a.organisation, a.department)):
        if authority.pk in invited:
            continue
        invitation = Invitation.objects.create(
            consultation=consultation,
            authority=authority,
            emails=list(authority.emails),
            deadline=deadline,
            key=new_key(),
            invited_at=at,
            invited_by=rules.user_or_none(by),
        )
        _log(invitation, Kind.INVITE, by=by, reason=reason, deadline_after=deadline)
        _enqueue_after_commit(send_invitation_mail, invitation.pk, invitation.key)
        created.append(invitation)
    return created


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by, reason: str = "") -> InvitationAction:
    """Make the authority's access link stop working (a new key is stored, the old link no longer matches)."""
    rules.require(by, "manage", invitation.consultation.plan.municipality)
    if invitation.revoked_at is not None:
        raise ValidationError(_("Der Zugang ist bereits widerrufen."), code="already_revoked")
    invitation.key = new_key()
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["key", "revoked_at"])
    return _log(invitation, Kind.REVOKE, by=by, reason=reason)


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by, reason: str = "") -> InvitationAction:
    """Send the authority a new access link (the earlier one stops working); also undoes a revocation."""
    rules.require(by, "manage", invitation.consultation.plan.municipality)
    invitation.key = new_key()
    invitation.revoked_at = None
    invitation.emails = list(invitation.authority.emails) or invitation.emails
    invitation.save(update_fields=["key", "revoked_at", "emails"])
    action = _log(invitation, Kind.RESEND, by=by, reason=reason)
    _enqueue_after_commit(send_invitation_mail, invitation.pk, invitation.key)
    return action


@transaction.atomic
def invitation_extend(*, invitation: Invitation, by, deadline: dt.date, reason: str) -> InvitationAction:
    """Extend one authority's deadline for an important reason (§ 4 Abs. 2 BauGB); logged and mailed."""
    rules.require(by, "manage", invitation.consultation.plan.municipality)
    if not (reason or "").strip():
        raise ValidationError(
            {
                "reason": ValidationError(
                    _("Für die Fristverlängerung ist eine Begründung erforderlich."), code="reason_required"
                )
            }
        )
    if invitation.revoked_at is not None:
        raise ValidationError(_("Der Zugang ist widerrufen; bitte zuerst neu senden."), code="revoked")
    if deadline <= invitation.deadline:
        raise ValidationError(
            {
                "deadline": ValidationError(
                    _("Die neue Frist muss nach der bisherigen Frist (%(deadline)s) liegen."),
                    code="deadline_not_later",
                    params={"deadline": f"{invitation.deadline:%d.%m.%Y}"},
                )
            }
        )
    before = invitation.deadline
    invitation.deadline = deadline
    invitation.reminded_at = None  # a new deadline earns a new reminder
    invitation.save(update_fields=["deadline", "reminded_at"])
    action = _log(
        invitation, Kind.EXTEND, by=by, reason=reason.strip(), deadline_before=before, deadline_after=deadline
    )
    _enqueue_after_commit(send_extension_mail, action.pk)
    return action


def invitations_due_for_reminder(today: dt.date):
    """Return the invitations to remind on `today`: unanswered, not revoked, not reminded, deadline near."""
    days = settings.AUTHORITY_REMINDER_DAYS
    return (
        Invitation.objects.filter(
            answered_at__isnull=True,
            revoked_at__isnull=True,
            reminded_at__isnull=True,
            deadline__gte=today,
            deadline__lte=today + dt.timedelta(days=days),
            consultation__closed_at__isnull=True,
        )
        .exclude(statements__confirmed_at__isnull=False)
        .select_related("consultation__plan__municipality")
        .distinct()
    )


def invitation_reminders_send(*, by, at: dt.datetime | None = None) -> int:
    """Remind each authority whose deadline is within AUTHORITY_REMINDER_DAYS and that has not answered; once."""
    at = at or timezone.now()
    count = 0
    for invitation in invitations_due_for_reminder(local_date(at)):
        with transaction.atomic():
            rules.require(by, "manage", invitation.consultation.plan.municipality)
            updated = Invitation.objects.filter(pk=invitation.pk, reminded_at__isnull=True).update(reminded_at=at)
            if not updated:
                continue  # a parallel run took it
            _log(invitation, Kind.REMIND, by=by, deadline_after=invitation.deadline)
            _enqueue_after_commit(send_reminder_mail, invitation.pk, invitation.deadline.isoformat())
            count += 1
    return count
