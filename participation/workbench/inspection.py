"""Bekanntgabe durch Einsichtnahme: the result of more than 50 essentially identical statements made available for
inspection (where and when) instead of telling each submitter; recorded per group of statements.

Planning practice follows § 3 Abs. 2 Satz 4 Halbsatz 2 BauGB (old numbering; the rule of thumb is "more than
50"): the submitters of such a group get no individual notice, and the public result page shows the notice.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plans import rules

from .models import StatementGroup

INSPECTION_MORE_THAN = 50  # statements in the group


@transaction.atomic
def group_inspection_notice_record(*, group: StatementGroup, by, place: str, times: str, at=None) -> StatementGroup:
    """Record that the result for `group` is made available for inspection at `place` during `times`."""
    rules.require(by, "manage", group.consultation.plan.municipality)
    group = StatementGroup.objects.select_for_update().get(pk=group.pk)
    count = group.weighings.count()
    if count <= INSPECTION_MORE_THAN:
        raise ValidationError(
            _(
                "Eine Bekanntgabe durch Einsichtnahme ist erst bei mehr als %(limit)s gleichartigen Stellungnahmen "
                "möglich; diese Gruppe hat %(count)s."
            ),
            code="group_too_small",
            params={"limit": INSPECTION_MORE_THAN, "count": count},
        )
    errors = {}
    if not (place or "").strip():
        errors["place"] = ValidationError(_("Bitte geben Sie den Ort der Einsichtnahme an."), code="place_missing")
    if not (times or "").strip():
        errors["times"] = ValidationError(
            _("Bitte geben Sie an, wann das Ergebnis eingesehen werden kann."), code="times_missing"
        )
    if errors:
        raise ValidationError(errors)
    group.inspection_place = place.strip()
    group.inspection_times = times.strip()
    group.inspection_recorded_at = at or timezone.now()
    group.inspection_recorded_by = rules.user_or_none(by)
    group.save(
        update_fields=["inspection_place", "inspection_times", "inspection_recorded_at", "inspection_recorded_by"]
    )
    return group


@transaction.atomic
def group_inspection_notice_withdraw(*, group: StatementGroup, by) -> StatementGroup:
    """Withdraw the inspection notice of `group`: its submitters are told individually again."""
    rules.require(by, "manage", group.consultation.plan.municipality)
    StatementGroup.objects.filter(pk=group.pk).update(
        inspection_place="", inspection_times="", inspection_recorded_at=None, inspection_recorded_by=None
    )
    group.refresh_from_db()
    return group
