"""Reads of the address book and of a § 4 round's status."""

import dataclasses
import datetime as dt

from django.db.models import Count, Max, Prefetch, Q
from django.utils import timezone

from participation.models import Consultation
from plans.models import Municipality

from .csv_io import subject_area_labels
from .models import Authority, Invitation, InvitationAction


def address_book(municipality: Municipality, *, area: str = "", active_only: bool = False) -> list[Authority]:
    """Return `municipality`'s authorities, optionally only those of subject `area` and only active ones."""
    authorities = Authority.objects.filter(municipality=municipality).annotate(invitation_count=Count("invitations"))
    if active_only:
        authorities = authorities.filter(active=True)
    # Subject areas are a JSON list; SQLite has no JSON containment lookup, and an address book is small.
    found: list[Authority] = [a for a in authorities if not area or area in (a.subject_areas or [])]
    for authority in found:
        authority.subject_area_labels = subject_area_labels(authority.subject_areas or [])  # type: ignore[attr-defined]
    return found


def invitable_authorities(consultation: Consultation):
    """Return the active authorities of the consultation's municipality that are not invited to it yet."""
    return Authority.objects.filter(municipality=consultation.plan.municipality, active=True).exclude(
        invitations__consultation=consultation
    )


@dataclasses.dataclass
class BoardRow:
    """One invited authority on a round's status board."""

    invitation: Invitation
    statements: int
    no_objections: bool
    overdue: bool
    last_action: InvitationAction | None

    @property
    def answered(self) -> bool:
        return self.statements > 0 or self.invitation.answered_at is not None

    @property
    def revoked(self) -> bool:
        return self.invitation.revoked_at is not None

    @property
    def opened(self) -> bool:
        return self.invitation.opened_at is not None


def round_board(consultation: Consultation, today: dt.date | None = None) -> tuple[list[BoardRow], dict[str, int]]:
    """Return the status rows of every invitation of `consultation` and the counts shown above them."""
    today = today or timezone.localdate()
    submitted = Q(statements__confirmed_at__isnull=False, statements__is_removed=False)
    invitations = (
        Invitation.objects.filter(consultation=consultation)
        .select_related("authority")
        .annotate(
            statement_count=Count("statements", filter=submitted),
            no_objection_count=Count("statements", filter=submitted & Q(statements__no_objections=True)),
            last_action_at=Max("actions__at"),
        )
        .prefetch_related(
            Prefetch("actions", queryset=InvitationAction.objects.select_related("by").order_by("-at", "-id"))
        )
    )
    rows = []
    for invitation in invitations:
        actions = list(invitation.actions.all())
        answered = invitation.statement_count > 0 or invitation.answered_at is not None
        rows.append(
            BoardRow(
                invitation=invitation,
                statements=invitation.statement_count,
                no_objections=invitation.no_objection_count > 0,
                overdue=not answered and invitation.revoked_at is None and invitation.deadline < today,
                last_action=actions[0] if actions else None,
            )
        )
    counts = {
        "invited": len(rows),
        "opened": sum(row.opened for row in rows),
        "answered": sum(row.answered for row in rows),
        "no_objections": sum(row.no_objections for row in rows),
        "overdue": sum(row.overdue for row in rows),
        "revoked": sum(row.revoked for row in rows),
    }
    return rows, counts
