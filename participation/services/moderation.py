"""Moderation of published statements: approve, hide, unhide (logged with reason)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plans import rules

from ..models import ModerationAction, Statement

MODERATION_ACTIONS = {"approve", "hide", "unhide"}


@transaction.atomic
def statement_moderate(
    *, statement: Statement, by, action: str, reason: str = "", at: dt.datetime | None = None
) -> ModerationAction:
    """Approve, hide or unhide a statement; hiding and unhiding need a reason."""
    rules.require(by, "moderate", statement.consultation.plan.municipality)
    at = at or timezone.now()
    if action not in MODERATION_ACTIONS:
        raise ValidationError(_("Unbekannte Moderationsaktion."), code="invalid_action")
    if action in {"hide", "unhide"} and not reason.strip():
        raise ValidationError(
            {"reason": ValidationError(_("Bitte geben Sie eine Begründung an."), code="reason_required")}
        )
    if statement.confirmed_at is None:
        raise ValidationError(_("Die Stellungnahme ist noch nicht per E-Mail bestätigt."), code="unconfirmed")
    # Without the submitter's opt-in a statement stays out of the public list, approved or not; a statement
    # its submitter withdrew (services.citizen) is never published again.
    publish = statement.consultation.publishes_statements and statement.public_opt_in and statement.withdrawn_at is None
    if action == "approve":
        statement.is_public, statement.is_removed = publish, False
    elif action == "hide":
        statement.is_removed = True
    else:
        statement.is_removed = False
        statement.is_public = publish
    statement.save(update_fields=["is_public", "is_removed"])
    return ModerationAction.objects.create(
        statement=statement, kind=action, by=rules.user_or_none(by), at=at, reason=reason.strip()
    )
