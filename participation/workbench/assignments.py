"""Assignments: a statement (its weighing) or one segment given to a staff member or an external reviewer.

The planning office assigns with a due date and a note; the assignee answers (decision and response) and
submits the answer as Abwägungsvorschlag (`states.weighing_propose`); the office accepts it ("übernehmen":
the state stays proposed, the assignment is done) or sends it back with a note (draft again, still open).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plans import rules

from .access import may_be_assigned, require_review, reviewer_of
from .assignment_mail import enqueue_assignment_mail
from .models import Assignment, Decision, Segment, Weighing, WeighingState
from .segments import check_not_decided, derived_decision, record_who, sync_weighing
from .services import _bump


def _municipality(weighing: Weighing):
    return weighing.statement.consultation.plan.municipality


def _lock(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("weighing__statement__consultation__plan__municipality", "segment")
        .get(pk=assignment.pk)
    )


def _check_open(assignment: Assignment) -> None:
    if assignment.done_at is not None:
        raise ValidationError(_("Diese Zuweisung ist bereits erledigt."), code="assignment_done")


@transaction.atomic
def assignment_create(
    *, weighing: Weighing, by, assignee, due_date: dt.date | None, note: str = "", segment: Segment | None = None
) -> Assignment:
    """Assign the statement (or one of its segments) to a staff member or an active external reviewer."""
    municipality = _municipality(weighing)
    rules.require(by, "manage", municipality)
    weighing = Weighing.objects.select_for_update().get(pk=weighing.pk)
    if segment is not None and segment.weighing_id != weighing.pk:
        raise ValidationError(_("Dieser Teil gehört nicht zu der Stellungnahme."), code="foreign_segment")
    check_not_decided(weighing, segment)
    errors = {}
    if assignee is None or not may_be_assigned(assignee, municipality):
        errors["assignee"] = ValidationError(
            _("Zuweisen können Sie nur an Beschäftigte der Kommune oder an aktive externe Bearbeiter/innen."),
            code="assignee_invalid",
        )
    if due_date is not None and due_date < timezone.localdate():
        errors["due_date"] = ValidationError(_("Das Fälligkeitsdatum liegt in der Vergangenheit."), code="due_past")
    if errors:
        raise ValidationError(errors)
    if Assignment.objects.filter(weighing=weighing, segment=segment, assignee=assignee, done_at__isnull=True).exists():
        raise ValidationError(
            _("Das ist dieser Person bereits zugewiesen und noch nicht erledigt."), code="already_assigned"
        )
    assignment = Assignment.objects.create(
        weighing=weighing,
        segment=segment,
        assignee=assignee,
        due_date=due_date,
        note=note.strip(),
        created_by=rules.user_or_none(by),
    )
    enqueue_assignment_mail(assignment, "assigned")
    return assignment


def _target(assignment: Assignment) -> Weighing | Segment:
    return assignment.segment or assignment.weighing


@transaction.atomic
def assignment_answer(
    *, assignment: Assignment, by, decision: str, response: str, segment: Segment | None = None
) -> Weighing | Segment:
    """Set decision and response of the assigned statement or segment (the assignee or the planning office).

    An assignment of a whole statement covers its segments: with `segment` (one of the statement's segments)
    the answer goes to that segment, so the assignee can weigh every concern before proposing the statement.
    """
    assignment = _lock(assignment)
    weighing = assignment.weighing
    if segment is None:
        segment = assignment.segment
    elif segment.weighing_id != weighing.pk or assignment.segment_id not in (None, segment.pk):
        raise ValidationError(_("Dieser Teil gehört nicht zu der Zuweisung."), code="foreign_segment")
    else:
        segment = Segment.objects.select_for_update().get(pk=segment.pk)
    require_review(by, weighing, segment)
    _check_open(assignment)
    check_not_decided(weighing, segment)
    if decision and decision not in Decision.values:
        raise ValidationError({"decision": ValidationError(_("Unbekannte Entscheidung."), code="unknown_decision")})
    target = segment or weighing
    if target.state == WeighingState.PROPOSED and not rules.can_manage(by, _municipality(weighing)):
        raise ValidationError(
            _("Der Vorschlag ist eingereicht; die Planung prüft ihn. Ändern können Sie ihn erst, wenn er zurückkommt."),
            code="already_proposed",
        )
    if segment is not None:
        segment.decision, segment.response = decision, response
        record_who(segment, by)
        segment.save()
        sync_weighing(weighing, by)
    else:
        decisions = list(weighing.segments.values_list("decision", flat=True))
        weighing.decision = derived_decision(decisions) if decisions else decision
        weighing.response = response
        record_who(weighing, by)
        weighing.save()
    _bump(weighing.statement.consultation_id)
    return target


def _require_manage(assignment: Assignment, by) -> None:
    rules.require(by, "manage", _municipality(assignment.weighing))


@transaction.atomic
def assignment_done(*, assignment: Assignment, by) -> Assignment:
    """Mark an assignment done (the planning office, or a staff assignee finishing their own task)."""
    assignment = _lock(assignment)
    own = assignment.assignee_id == getattr(by, "pk", None) and reviewer_of(by) is None
    if not (own and may_be_assigned(by, _municipality(assignment.weighing))):
        _require_manage(assignment, by)
    _check_open(assignment)
    assignment.done_at = timezone.now()
    assignment.save(update_fields=["done_at"])
    return assignment


@transaction.atomic
def assignment_accept(*, assignment: Assignment, by) -> Assignment:
    """Take over the assignee's submitted proposal ("übernehmen"): it stays the proposal; the assignment is done."""
    assignment = _lock(assignment)
    _require_manage(assignment, by)
    _check_open(assignment)
    if _target(assignment).state != WeighingState.PROPOSED:
        raise ValidationError(
            _("Es gibt noch keinen eingereichten Vorschlag, den Sie übernehmen könnten."), code="not_proposed"
        )
    assignment.done_at = timezone.now()
    assignment.save(update_fields=["done_at"])
    return assignment


@transaction.atomic
def assignment_return(*, assignment: Assignment, by, note: str) -> Assignment:
    """Send the submitted proposal back to the assignee with a note: the item is a draft again, the task open."""
    assignment = _lock(assignment)
    _require_manage(assignment, by)
    _check_open(assignment)
    weighing, segment = assignment.weighing, assignment.segment
    check_not_decided(weighing, segment)
    if not note.strip():
        raise ValidationError(
            {"note": ValidationError(_("Bitte schreiben Sie, was noch zu ändern ist."), code="note_missing")}
        )
    if _target(assignment).state != WeighingState.PROPOSED:
        raise ValidationError(_("Es gibt keinen eingereichten Vorschlag zum Zurückgeben."), code="not_proposed")
    items: list[Weighing | Segment] = (
        [segment] if segment is not None else list(weighing.segments.filter(state=WeighingState.PROPOSED))
    )
    # A statement is proposed only as a whole: a part back in draft makes the statement a draft again.
    for item in [*items, weighing]:
        if item.state == WeighingState.PROPOSED:
            item.state = WeighingState.DRAFT
            record_who(item, by)
            item.save()
    stamp = timezone.localdate().strftime("%d.%m.%Y")
    returned = _("Zurückgegeben am %(date)s: %(note)s") % {"date": stamp, "note": note.strip()}
    assignment.note = f"{assignment.note}\n\n{returned}".strip()
    assignment.save(update_fields=["note"])
    enqueue_assignment_mail(assignment, "returned")
    return assignment


@transaction.atomic
def assignment_delete(*, assignment: Assignment, by) -> None:
    """Delete an assignment: the assignee loses access to the item."""
    assignment = _lock(assignment)
    _require_manage(assignment, by)
    assignment.delete()


def assignments_for(user):
    """Return `user`'s open assignments, soonest due first, with what the pages show."""
    return (
        Assignment.objects.filter(assignee=user, done_at__isnull=True)
        .select_related("weighing__statement__consultation__plan__municipality", "segment")
        .order_by("due_date", "id")
    )


def weighing_assignments(weighing: Weighing) -> list[Assignment]:
    """Return the weighing's assignments (open first), each with `overdue`, `label` and its item's `target_state`."""
    rows = list(
        weighing.assignments.select_related("assignee__external_reviewer", "segment").order_by(
            "done_at", "due_date", "id"
        )
    )
    today = timezone.localdate()
    for row in rows:
        row.overdue = is_overdue(row, today)  # type: ignore[attr-defined]
        row.target_state = (row.segment or weighing).state  # type: ignore[attr-defined]
        row.segment_label = f"{weighing.number}.{row.segment.number}" if row.segment else ""  # type: ignore[attr-defined]
    return rows


def open_assignments_by_statement(statement_ids: list[int]) -> dict[int, list[Assignment]]:
    """Return the open assignments of the statements `statement_ids` by statement id, each with `overdue`."""
    today = timezone.localdate()
    found: dict[int, list[Assignment]] = {}
    rows = (
        Assignment.objects.filter(weighing__statement_id__in=statement_ids, done_at__isnull=True)
        .select_related("assignee", "segment", "weighing")
        .order_by("due_date", "id")
    )
    for row in rows:
        row.overdue = is_overdue(row, today)  # type: ignore[attr-defined]
        found.setdefault(row.weighing.statement_id, []).append(row)
    return found


def is_overdue(assignment: Assignment, today: dt.date | None = None) -> bool:
    """Return whether the open `assignment` is past its due date."""
    today = today or timezone.localdate()
    return assignment.done_at is None and assignment.due_date is not None and assignment.due_date < today
