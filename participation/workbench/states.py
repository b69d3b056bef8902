"""The Abwägung's states: draft → proposed (Abwägungsvorschlag) → decided by the council (then frozen)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from participation.models import Consultation
from plans import rules

from .access import require_review
from .models import ConsultationResult, Segment, Weighing, WeighingState
from .segments import check_not_decided, record_who


def _decision_missing() -> ValidationError:
    return ValidationError(
        _("Ein Abwägungsvorschlag braucht eine Entscheidung; bitte wählen Sie zuerst eine aus."),
        code="decision_missing",
    )


@transaction.atomic
def weighing_propose(*, by, weighing: Weighing | None = None, segment: Segment | None = None):
    """Mark a weighing (with all its segments) or one segment as the administration's Abwägungsvorschlag.

    The planning office, or the assignee of an open assignment of the item (an external reviewer submits it).
    """
    weighing = weighing or segment.weighing  # type: ignore[union-attr]
    require_review(by, weighing, segment)
    weighing = Weighing.objects.select_for_update().get(pk=weighing.pk)
    check_not_decided(weighing)
    segments = list(weighing.segments.all())
    if segment is not None:
        segment = next(s for s in segments if s.pk == segment.pk)
        check_not_decided(segment)
        targets = [segment]
    else:
        targets = [s for s in segments if s.state == WeighingState.DRAFT]
    if any(not s.decision for s in targets) or (segment is None and not weighing.decision):
        raise _decision_missing()
    for item in targets:
        item.state = WeighingState.PROPOSED
        record_who(item, by)
        item.save()
    # The statement is proposed as a whole once every segment is (or when it has none).
    if all(s.state != WeighingState.DRAFT for s in segments) and weighing.decision:
        if weighing.state == WeighingState.DRAFT:
            weighing.state = WeighingState.PROPOSED
            record_who(weighing, by)
            weighing.save()
    return segment or weighing


def freeze_decided(consultation: Consultation, *, by, decided_on: dt.date, everything: bool = False) -> dict:
    """Make the proposals (and group answers) of `consultation` DECIDED on `decided_on`; return the counts.

    With `everything`, every weighing and segment with a decision is decided (publishing the result: the council
    decided the whole table). Writes one history record per item.
    """
    user = rules.user_or_none(by)
    now = timezone.now()
    weighings = Weighing.objects.for_consultation(consultation).exclude(state=WeighingState.DECIDED)
    weighings = weighings.exclude(decision="")
    if not everything:
        # A group's common answer is the office's proposal for each member.
        weighings = weighings.filter(
            Q(state=WeighingState.PROPOSED) | (Q(group__isnull=False) & ~Q(group__decision=""))
        )
    weighing_rows = list(weighings)
    segments = Segment.objects.filter(weighing__statement__consultation=consultation).exclude(
        state=WeighingState.DECIDED
    )
    segments = segments.exclude(decision="")
    if not everything:
        segments = segments.filter(Q(state=WeighingState.PROPOSED) | Q(weighing__in=[w.pk for w in weighing_rows]))
    segment_rows = list(segments)
    for item in [*weighing_rows, *segment_rows]:
        item.state, item.decided_on = WeighingState.DECIDED, decided_on
        item.updated_by, item.updated_at = user, now
    fields = ["state", "decided_on", "updated_by", "updated_at"]
    bulk_update_with_history(weighing_rows, Weighing, fields, batch_size=2000, default_user=user)
    bulk_update_with_history(segment_rows, Segment, fields, batch_size=2000, default_user=user)
    return {"weighings": len(weighing_rows), "segments": len(segment_rows)}


@transaction.atomic
def weighings_decide(*, consultation: Consultation, by, decided_on: dt.date | None, council_body: str = "") -> dict:
    """Record the council's decision on the Abwägung: every proposal becomes DECIDED with its date, then frozen."""
    from .services import _bump, _check_council_decision

    rules.require(by, "manage", consultation.plan.municipality)
    result = ConsultationResult.objects.filter(consultation=consultation).first()
    council_body = council_body or (result and result.council_body) or consultation.plan.municipality.council_body
    _check_council_decision(consultation, council_body, decided_on, timezone.now())
    assert decided_on is not None
    counts = freeze_decided(consultation, by=by, decided_on=decided_on)
    if not counts["weighings"] and not counts["segments"]:
        raise ValidationError(
            _("Es gibt keine Abwägungsvorschläge, über die der Rat beschlossen haben könnte."), code="nothing_proposed"
        )
    result, _created = ConsultationResult.objects.get_or_create(consultation=consultation)
    result.council_body, result.decided_on = council_body.strip(), decided_on
    result.save(update_fields=["council_body", "decided_on"])
    _bump(consultation.pk)
    return counts
