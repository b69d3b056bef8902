"""Segments (Teile) of a statement: split off text spans, weigh each concern on its own.

A segment is a span of the statement's text (character offsets, the text itself stays intact). A statement
with segments is weighed through them: its own decision is derived from theirs (`derived_decision`), so counts,
filters, the result's blockers and notices see a statement as open until every segment has a decision.
Nothing here changes a weighing or segment the council has decided (code "decided_frozen").
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.models import Statement
from plans import rules

from .models import Decision, Segment, Weighing, WeighingState

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_LINE_BREAK = re.compile(r"\n\s*")
MIN_SEGMENT_CHARS = 3  # a piece left over between segments shorter than this is not a concern of its own


def frozen_error() -> ValidationError:
    return ValidationError(
        _("Der Rat hat hierüber bereits beschlossen; die Abwägung kann nicht mehr geändert werden."),
        code="decided_frozen",
    )


def check_not_decided(*items) -> None:
    """Raise "decided_frozen" if any of the weighings or segments `items` is decided by the council."""
    if any(item is not None and item.state == WeighingState.DECIDED for item in items):
        raise frozen_error()


def record_who(instance, by) -> None:
    """Let the history record the user `by` (real users only) on `instance`'s next save; set updated_by/at."""
    user = rules.user_or_none(by)
    if user is not None:
        instance._history_user = user
    instance.updated_by = user
    instance.updated_at = timezone.now()


def _municipality(weighing: Weighing):
    return weighing.statement.consultation.plan.municipality


def derived_decision(decisions: list[str]) -> str:
    """Return a statement's decision from its segments' decisions: open while any is open; one if all agree.

    "zur Kenntnis genommen" parts do not change the others' outcome; differing outcomes make it "teilweise".
    """
    if not decisions or "" in decisions:
        return ""
    weighed = {d for d in decisions if d != Decision.NOTED} or {Decision.NOTED}
    return weighed.pop() if len(weighed) == 1 else Decision.PARTLY


def sync_weighing(weighing: Weighing, by) -> None:
    """Set the weighing's decision to the one derived from its segments (if it has any and it differs)."""
    decisions = list(weighing.segments.values_list("decision", flat=True))
    if not decisions:
        return
    decision = derived_decision(decisions)
    if decision != weighing.decision:
        weighing.decision = decision
        record_who(weighing, by)
        weighing.save()


def _renumber(weighing: Weighing) -> None:
    """Number the weighing's segments 1, 2, … in text order (two passes: numbers are unique per weighing)."""
    segments = list(weighing.segments.order_by("start", "pk").values_list("pk", flat=True))
    offset = len(segments) + 1000
    weighing.segments.update(number=F("number") + offset)
    for number, pk in enumerate(segments, start=1):
        Segment.objects.filter(pk=pk).update(number=number)


def _span_errors(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the span trimmed of surrounding white space, or raise why it is not a span of `text`."""
    if start is None or end is None or start < 0 or end > len(text) or start >= end:
        raise ValidationError(
            _("Bitte wählen Sie einen Textabschnitt innerhalb der Stellungnahme (Zeichen 0 bis %(length)s).")
            % {"length": len(text)},
            code="span_invalid",
        )
    piece = text[start:end]
    start, end = start + len(piece) - len(piece.lstrip()), end - (len(piece) - len(piece.rstrip()))
    if start >= end:
        raise ValidationError(_("Der gewählte Abschnitt enthält keinen Text."), code="span_empty")
    return start, end


def _create(weighing: Weighing, by, start: int, end: int) -> Segment:
    number = (weighing.segments.aggregate(n=Max("number"))["n"] or 0) + 1
    segment = Segment(
        weighing=weighing,
        number=number,
        start=start,
        end=end,
        excerpt=weighing.statement.comment[start:end],
        topic=weighing.statement.topic,
    )
    record_who(segment, by)
    segment.save()
    return segment


@transaction.atomic
def segment_create(*, weighing: Weighing, by, start: int, end: int) -> Segment:
    """Split the span start–end of the statement's text off as a new segment (no overlap with other segments)."""
    rules.require(by, "manage", _municipality(weighing))
    weighing = Weighing.objects.select_for_update().select_related("statement").get(pk=weighing.pk)
    check_not_decided(weighing)
    start, end = _span_errors(weighing.statement.comment, start, end)
    overlapping = weighing.segments.filter(start__lt=end, end__gt=start).order_by("number").first()
    if overlapping is not None:
        raise ValidationError(
            _("Der Abschnitt überschneidet sich mit Teil %(number)s.")
            % {"number": f"{weighing.number}.{overlapping.number}"},
            code="segment_overlap",
        )
    segment = _create(weighing, by, start, end)
    _renumber(weighing)
    sync_weighing(weighing, by)
    segment.refresh_from_db()
    return segment


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) of each paragraph of `text` (blank lines; single line breaks if there are none)."""
    for separator in (_PARAGRAPH_BREAK, _LINE_BREAK):
        spans, position = [], 0
        for match in separator.finditer(text):
            spans.append((position, match.start()))
            position = match.end()
        spans.append((position, len(text)))
        spans = [(s, e) for s, e in spans if text[s:e].strip()]
        if len(spans) > 1:
            return spans
    return spans


def _uncovered(span: tuple[int, int], taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the parts of `span` outside the spans `taken` (sorted)."""
    pieces, (start, end) = [], span
    for s, e in taken:
        if e <= start or s >= end:
            continue
        if s > start:
            pieces.append((start, s))
        start = max(start, e)
    if start < end:
        pieces.append((start, end))
    return pieces


@transaction.atomic
def segments_split_by_paragraph(*, weighing: Weighing, by) -> list[Segment]:
    """Make a segment of each paragraph (the parts not in a segment yet); return the new segments."""
    rules.require(by, "manage", _municipality(weighing))
    weighing = Weighing.objects.select_for_update().select_related("statement").get(pk=weighing.pk)
    check_not_decided(weighing)
    text = weighing.statement.comment
    taken = list(weighing.segments.order_by("start").values_list("start", "end"))
    created = []
    for paragraph in paragraph_spans(text):
        for start, end in _uncovered(paragraph, taken):
            if len(text[start:end].strip()) < MIN_SEGMENT_CHARS:
                continue
            start, end = _span_errors(text, start, end)
            created.append(_create(weighing, by, start, end))
    if len(created) + len(taken) < 2:
        # One paragraph and nothing split off yet: a single segment would only repeat the statement.
        raise ValidationError(
            _("Die Stellungnahme hat nur einen Absatz; wählen Sie die Teile bitte im Text aus."),
            code="single_paragraph",
        )
    if not created:
        raise ValidationError(_("Jeder Absatz gehört bereits zu einem Teil."), code="nothing_to_split")
    _renumber(weighing)
    sync_weighing(weighing, by)
    return list(weighing.segments.filter(pk__in=[s.pk for s in created]).order_by("number"))


def _check_fields(weighing: Weighing, topic: str, section, feature, decision: str) -> None:
    errors = {}
    if decision and decision not in Decision.values:
        errors["decision"] = ValidationError(_("Unbekannte Entscheidung."), code="unknown_decision")
    if topic and topic not in Statement.Topic.values:
        errors["topic"] = ValidationError(_("Unbekanntes Thema."), code="invalid_choice")
    plan_id = weighing.statement.consultation.plan_id
    if section is not None and section.document.plan_id != plan_id:
        errors["section"] = ValidationError(_("Der Abschnitt gehört nicht zu diesem Plan."), code="foreign_section")
    if feature is not None and feature.layer.plan_id != plan_id:
        errors["feature"] = ValidationError(_("Das Planelement gehört nicht zu diesem Plan."), code="foreign_feature")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def segment_update(
    *, segment: Segment, by, topic: str, section=None, feature=None, decision: str, response: str
) -> Segment:
    """Set a segment's topic, plan section, plan element, decision and response."""
    weighing = segment.weighing
    rules.require(by, "manage", _municipality(weighing))
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    weighing = Weighing.objects.select_related("statement__consultation").get(pk=segment.weighing_id)
    check_not_decided(weighing, segment)
    _check_fields(weighing, topic, section, feature, decision)
    segment.topic, segment.section, segment.feature = topic, section, feature
    segment.decision, segment.response = decision, response
    record_who(segment, by)
    segment.save()
    sync_weighing(weighing, by)
    return segment


@transaction.atomic
def segment_delete(*, segment: Segment, by) -> None:
    """Delete a segment (its text goes back to the statement as a whole); renumber the others."""
    weighing = segment.weighing
    rules.require(by, "manage", _municipality(weighing))
    weighing = Weighing.objects.select_for_update().get(pk=weighing.pk)
    check_not_decided(weighing, segment)
    user = rules.user_or_none(by)
    if user is not None:
        segment._history_user = user  # type: ignore[attr-defined]  # read by django-simple-history
    segment.delete()
    _renumber(weighing)
    sync_weighing(weighing, by)
