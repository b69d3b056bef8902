"""Read helpers: which statements the Abwägung covers, lateness, filters."""

import datetime as dt

from django.db.models import BooleanField, Case, Q, Value, When

from participation.models import Consultation, Statement
from participation.periods import local_date


def late_q(consultation: Consultation) -> Q:
    """Return a filter for late statements: submitted at or after the end (paper: received after the last day)."""
    last_day = local_date(consultation.ends_at - dt.timedelta(microseconds=1))
    return Q(received_on__isnull=False, received_on__gt=last_day) | Q(
        received_on__isnull=True, submit_date__gte=consultation.ends_at
    )


def weighed_statements(consultation: Consultation, *, annotate_late: bool = True):
    """Return the statements the Abwägung covers: confirmed top-level statements (online and paper), not staff replies.

    Replies (level > 0) are context for the statement they answer and are not weighed
    separately; hidden (removed) statements still count: the council must weigh every
    statement received, whatever moderation did to its public display.
    """
    qs = Statement.objects.filter(consultation=consultation, level=0, is_official=False, confirmed_at__isnull=False)
    if not annotate_late:
        return qs
    return qs.annotate(
        late=Case(When(late_q(consultation), then=Value(True)), default=Value(False), output_field=BooleanField())
    )
