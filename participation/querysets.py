"""The queries of consultations and statements (open, announced, published, awaiting moderation …).

Split from participation/models.py by job; the models use them as managers and models.py re-exports them.
"""

import datetime as dt

from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_comments_xtd.models import XtdCommentManager

from plans.models import Municipality

from .periods import local_date


class ConsultationQuerySet(models.QuerySet):
    def public(self):
        """Return consultations that the public takes part in (not the § 4 authorities' round)."""
        return self.exclude(kind=self.model.Kind.AUTHORITIES)

    def announced(self):
        """Return consultations that may open: a Bekanntmachung on or before the start, or none needed."""
        return self.filter(
            Q(kind__in=[self.model.Kind.EARLY, self.model.Kind.AUTHORITIES])
            | Q(bekanntmachung_date__isnull=False, bekanntmachung_date__lte=F("start_date"))
        )

    def open_at(self, when: dt.datetime | None = None):
        """Return the public consultations open at `when` (default: now)."""
        when = when or timezone.now()
        day = local_date(when)
        return (
            self.public()
            .announced()
            .filter(start_date__lte=day, end_date__gte=day)
            .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=when))
        )

    def for_user(self, user):
        """Return the consultations of the municipalities `user` may manage."""
        return self.filter(plan__municipality__in=Municipality.objects.for_user(user))


class StatementQuerySet(models.QuerySet):
    def submitted(self):
        """Return statements that count as received (confirmed online ones and all entered by staff)."""
        return self.filter(confirmed_at__isnull=False)

    def published(self):
        """Return statements the public may see (confirmed, opted in to publication, approved, not hidden,
        not withdrawn)."""
        return self.submitted().filter(public_opt_in=True, is_public=True, is_removed=False, withdrawn_at__isnull=True)

    def awaiting_moderation(self):
        """Return confirmed statements that wait for a moderator's approval: only those meant to be shown
        (opted in, not withdrawn; authorities' statements are never published)."""
        return (
            self.submitted()
            .filter(public_opt_in=True, is_public=False, is_removed=False, withdrawn_at__isnull=True)
            .exclude(channel=self.model.Channel.AUTHORITY)
        )

    def unconfirmed(self):
        """Return guest statements still waiting for their e-mail confirmation."""
        return self.filter(confirmed_at__isnull=True)

    def for_user(self, user):
        """Return the statements of the municipalities `user` may manage or moderate."""
        return self.filter(consultation__plan__municipality__in=Municipality.objects.for_user(user))


class StatementManager(XtdCommentManager.from_queryset(StatementQuerySet)):  # type: ignore[misc]  # xtd is untyped
    """xtd's manager (thread order, select_related user) with the statement queries."""
