"""Remove submitters' personal data once a procedure no longer needs it (DSGVO); the statement text stays.

Also: attachment files that no row refers to (a process died between writing a file and the commit).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plans import rules
from plans.page_cache import bump_plan_pages

from ..models import Attachment, Consultation, Statement


@transaction.atomic
def personal_data_purge(
    *,
    by,
    older_than_days: int | None = None,
    consultation: Consultation | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Remove names, e-mail and postal addresses and IP addresses of ended procedures' statements; keep the text.

    Attachments of these statements (letters, photos, forms: personal data) are deleted with their files,
    except those of authorities (§ 4 BauGB), which are public bodies' documents.
    """
    rules.require(by, "operate")
    at = at or timezone.now()
    consultations = Consultation.objects.all()
    if consultation is not None:
        consultations = consultations.filter(pk=consultation.pk)
    cutoff = at - dt.timedelta(days=older_than_days or 0)
    ended = [c.pk for c in consultations if c.state_at(at) == Consultation.State.CLOSED and c.ends_at <= cutoff]
    if consultation is not None and not ended:
        raise ValidationError(
            _("Die Beteiligung ist noch nicht beendet; Personendaten werden noch benötigt."), code="not_ended"
        )
    statements = Statement.objects.filter(consultation__in=ended, personal_data_purged_at__isnull=True)
    bump_plan_pages(statements.values_list("consultation__plan_id", flat=True).distinct())  # pseudonyms change
    # Each row's file is deleted once this purge commits (participation.attachments.delete_file_on_commit).
    Attachment.objects.filter(statement__in=statements).exclude(statement__channel=Statement.Channel.AUTHORITY).delete()
    return statements.update(
        user_name="",
        user_email="",
        user_url="",
        postal_address="",
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
    for name in _stored_names(storage, "attachments"):
        # Younger files may belong to a submission whose transaction has not committed yet.
        if name not in known and storage.get_modified_time(name) < cutoff:
            storage.delete(name)
            deleted += 1
    return deleted


def _stored_names(storage, directory: str):
    """Yield the names of all files below `directory` in `storage`."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:  # nothing stored yet (local disk; S3 answers with empty lists)
        return
    for file in files:
        yield f"{directory}/{file}"
    for sub in directories:
        yield from _stored_names(storage, f"{directory}/{sub}")
