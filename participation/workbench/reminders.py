"""Reminders of assignments: ASSIGNMENT_REMINDER_DAYS before the due date and once overdue, once per due date."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from participation.periods import local_date
from plans import rules

from .assignment_mail import enqueue_assignment_mail
from .models import Assignment


def reminder_kind(assignment: Assignment, today: dt.date, days: int) -> str | None:
    """Return which reminder `assignment` is due for on `today` ('soon', 'overdue') or None.

    `reminded_at` tells what was sent for the current due date: a reminder on or after the "soon" day
    covers "soon", one after the due date covers "overdue". A new due date starts over.
    """
    due = assignment.due_date
    if due is None or assignment.done_at is not None:
        return None
    reminded = local_date(assignment.reminded_at) if assignment.reminded_at else None
    if today > due:
        return None if reminded is not None and reminded > due else "overdue"
    soon = due - dt.timedelta(days=days)
    if today >= soon:
        return None if reminded is not None and reminded >= soon else "soon"
    return None


def assignment_reminders_send(*, by, at: dt.datetime | None = None) -> int:
    """Queue the due reminders of all open assignments; return how many were queued."""
    at = at or timezone.now()
    today, days = local_date(at), settings.ASSIGNMENT_REMINDER_DAYS
    candidates = (
        Assignment.objects.filter(done_at__isnull=True, due_date__lte=today + dt.timedelta(days=days))
        .select_related("assignee", "weighing__statement__consultation__plan__municipality")
        .order_by("due_date", "id")
    )
    count = 0
    for assignment in candidates:
        kind = reminder_kind(assignment, today, days)
        if kind is None:
            continue
        with transaction.atomic():
            rules.require(by, "manage", assignment.weighing.statement.consultation.plan.municipality)
            previous = assignment.reminded_at
            updated = Assignment.objects.filter(pk=assignment.pk, reminded_at=previous).update(reminded_at=at)
            if not updated:
                continue  # a parallel run took it
            enqueue_assignment_mail(assignment, kind)
            count += 1
    return count


@task()
def send_assignment_reminders() -> int:
    """Queue the due reminders of assignments (the installation acts)."""
    return assignment_reminders_send(by=rules.SYSTEM)
