"""Remove submitters' personal data once a procedure no longer needs it (DSGVO); the statement text stays."""

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
