"""Who may weigh an assigned item: the assignee of an open assignment (staff or an active external reviewer).

An external reviewer has no role in any municipality (no Membership): `plans.rules` grants them nothing.
What they may do comes only from here, per weighing or segment, and ends when the assignment is done or
deleted, or the reviewer is deactivated.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from plans import rules

from .models import Assignment, ExternalReviewer, Segment, Weighing


def reviewer_of(user) -> ExternalReviewer | None:
    """Return `user`'s external reviewer record, or None for anyone else."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.external_reviewer
    except ExternalReviewer.DoesNotExist:
        return None


REVIEWER_SESSION_KEY = "pb_external_reviewer"


def remember_reviewer(sender, request, user, **kwargs) -> None:
    """On login, note in the session whether the user is an external reviewer (the navigation shows only tasks)."""
    if request is not None and hasattr(request, "session"):
        request.session[REVIEWER_SESSION_KEY] = reviewer_of(user) is not None


def may_be_assigned(user, municipality) -> bool:
    """Return whether `user` can work on assignments of `municipality`: its staff or its active reviewer."""
    if user is None or not user.is_active:
        return False
    reviewer = reviewer_of(user)
    if reviewer is not None:
        return reviewer.active and reviewer.municipality_id == municipality.pk
    return rules.role_in(user, municipality) is not None


def open_assignment(user, weighing: Weighing, segment: Segment | None = None) -> Assignment | None:
    """Return `user`'s open assignment covering `weighing` (or its `segment`), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    assignments = Assignment.objects.filter(assignee=user, weighing=weighing, done_at__isnull=True)
    if segment is None:
        return assignments.filter(segment__isnull=True).first()
    # A whole statement's assignment covers its segments.
    return assignments.filter(segment__isnull=True).first() or assignments.filter(segment=segment).first()


def can_review(user, weighing: Weighing, segment: Segment | None = None) -> bool:
    """Return whether `user` holds an open assignment for the item and may still work for its municipality."""
    municipality = weighing.statement.consultation.plan.municipality
    return may_be_assigned(user, municipality) and open_assignment(user, weighing, segment) is not None


def require_review(by, weighing: Weighing, segment: Segment | None = None) -> None:
    """Raise PermissionDenied unless `by` manages the municipality or may review the assigned item."""
    if rules.can_manage(by, weighing.statement.consultation.plan.municipality):
        return
    if not can_review(by, weighing, segment):
        raise PermissionDenied(_("Sie haben für diese Aktion keine Berechtigung."))
