"""Remove submitters' personal data once a procedure no longer needs it (DSGVO); the statement text stays.

The clock starts at the plan's Inkrafttreten (the recorded step "Bekanntgemacht / in Kraft",
§ 10 Abs. 3 BauGB), not at the end of a consultation: for one year after it, errors in the
procedure can be raised (§ 215 Abs. 1 BauGB) and a Normenkontrolle can be filed (§ 47 Abs. 2
VwGO), and the municipality may need to know who said what. Plans not in force (running,
resting or discontinued procedures) keep their submitters' data. See docs/participation.md.

Also: attachment files that no row refers to (a process died between writing a file and the commit).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from plans import rules
from plans.models import Plan
from plans.page_cache import bump_plan_pages

from ..models import Attachment, Consultation, Statement
from ..periods import local_date


def challenge_window_end(in_force_on: dt.date) -> dt.date:
    """Return the last day of the year after `in_force_on` (§ 215 Abs. 1 BauGB, § 47 Abs. 2 VwGO)."""
    try:
        return in_force_on.replace(year=in_force_on.year + 1)
    except ValueError:  # 29 February: the later day, to be on the safe side
        return dt.date(in_force_on.year + 1, 3, 1)


def plan_in_force_on(plan: Plan) -> dt.date | None:
    """Return the date the plan took effect (its latest in-force step), or None if it is not in force."""
    if plan.stage != Plan.Stage.IN_FORCE:
        return None
    return plan.stage_changes.filter(stage=Plan.Stage.IN_FORCE).aggregate(on=Max("date"))["on"]


def personal_data_purge_date(plan: Plan, *, grace_days: int = 0) -> dt.date | None:
    """Return the first day on which the plan's submitters' data may be removed, or None while it is not in force."""
    in_force_on = plan_in_force_on(plan)
    if in_force_on is None:
        return None
    return challenge_window_end(in_force_on) + dt.timedelta(days=1 + grace_days)


def _purgeable_plan_ids(today: dt.date, grace_days: int) -> list[int]:
    plans = (
        Plan.objects.filter(stage=Plan.Stage.IN_FORCE)
        .order_by()
        .annotate(in_force_on=Max("stage_changes__date", filter=Q(stage_changes__stage=Plan.Stage.IN_FORCE)))
        .exclude(in_force_on__isnull=True)
        .values_list("pk", "in_force_on")
    )
    return [pk for pk, on in plans if challenge_window_end(on) + dt.timedelta(days=1 + grace_days) <= today]


@transaction.atomic
def personal_data_purge(
    *,
    by,
    older_than_days: int | None = None,
    consultation: Consultation | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Remove names, e-mail, postal and IP addresses of statements on plans past their window; keep the text.

    A plan's window ends one year after its Inkrafttreten; `older_than_days` adds a grace period
    after that. Attachments of these statements (letters, photos, forms: personal data) are deleted
    with their files, except those of authorities (§ 4 BauGB), which are public bodies' documents.
    """
    rules.require(by, "operate")
    at = at or timezone.now()
    today = local_date(at)
    grace_days = older_than_days or 0
    if consultation is not None:
        purge_on = personal_data_purge_date(consultation.plan, grace_days=grace_days)
        if purge_on is None:
            raise ValidationError(
                _("Der Plan ist nicht in Kraft getreten; die Personendaten werden für das Verfahren noch benötigt."),
                code="plan_not_in_force",
            )
        if purge_on > today:
            raise ValidationError(
                _(
                    "Bis %(date)s können Fehler des Plans geltend gemacht und ein Normenkontrollantrag gestellt "
                    "werden (§ 215 BauGB, § 47 Abs. 2 VwGO); die Personendaten werden noch benötigt."
                ),
                code="challenge_window_open",
                params={"date": (purge_on - dt.timedelta(days=1)).strftime("%d.%m.%Y")},
            )
        consultations = Consultation.objects.filter(pk=consultation.pk)
    else:
        consultations = Consultation.objects.filter(plan__in=_purgeable_plan_ids(today, grace_days))
    statements = Statement.objects.filter(consultation__in=consultations, personal_data_purged_at__isnull=True)
    bump_plan_pages(statements.values_list("consultation__plan_id", flat=True).distinct())  # pseudonyms change
    # Each row's file is deleted once this purge commits (participation.attachments.delete_file_on_commit).
    Attachment.objects.filter(statement__in=statements).exclude(statement__channel=Statement.Channel.AUTHORITY).delete()
    return statements.update(
        user_name="",
        user_email="",
        user_url="",
        postal_address="",
        identity_subject="",
        ip_address=None,
        user=None,
        personal_data_purged_at=at,
    )


def attachment_orphans_purge(*, by, older_than_hours: int = 24, at: dt.datetime | None = None) -> int:
    """Delete attachment files older than `older_than_hours` that no attachment row refers to; return how many."""
    rules.require(by, "operate")
    at = at or timezone.now()
    storage = Attachment._meta.get_field("file").storage
    cutoff = at - dt.timedelta(hours=older_than_hours)
    known = set(Attachment.objects.values_list("file", flat=True))
    deleted = 0
    for name in _stored_names(storage):
        # Younger files may belong to a submission whose transaction has not committed yet.
        if name not in known and storage.get_modified_time(name) < cutoff:
            storage.delete(name)
            deleted += 1
    return deleted


def _stored_names(storage, directory: str = ""):
    """Yield the names of all files below `directory` (default: everything) in `storage`."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:  # nothing stored yet (local disk; S3 answers with empty lists)
        return
    for file in files:
        yield f"{directory}/{file}" if directory else file
    for sub in directories:
        yield from _stored_names(storage, f"{directory}/{sub}" if directory else sub)
