"""Segments of a statement, states draft → proposed → decided, and the history (services)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from participation.workbench import segments, services, states, versions
from participation.workbench.models import Segment, Weighing, WeighingState
from plans.rules import SYSTEM

TEXT = "Der Verkehr ist zu laut.\n\nDie Bäume am Bach sollen bleiben.\n\nDie Kita braucht mehr Plätze."


@pytest.fixture
def weighing(world):
    statement = world["statements"][3]
    statement.comment = TEXT
    statement.save()
    services.weighings_ensure(consultation=world["consultation"], by=SYSTEM)
    return Weighing.objects.select_related("statement__consultation").get(statement=statement)


def _codes(error: ValidationError) -> set:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


def test_create_copies_the_excerpt_and_trims_white_space(weighing, world):
    planner = world["users"]["planner"]
    segment = segments.segment_create(weighing=weighing, by=planner, start=24, end=60)
    assert segment.number == 1
    assert segment.excerpt == "Die Bäume am Bach sollen bleiben."
    assert TEXT[segment.start : segment.end] == segment.excerpt
    assert segment.topic == weighing.statement.topic
    weighing.statement.refresh_from_db()
    assert weighing.statement.comment == TEXT  # the original stays intact


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [(-1, 5, "span_invalid"), (10, 5, "span_invalid"), (0, len(TEXT) + 1, "span_invalid"), (24, 26, "span_empty")],
)
def test_span_outside_the_text_is_refused(weighing, world, start, end, code):
    with pytest.raises(ValidationError) as error:
        segments.segment_create(weighing=weighing, by=world["users"]["planner"], start=start, end=end)
    assert _codes(error.value) == {code}
    assert not Segment.objects.exists()


def test_overlap_is_refused_and_numbers_follow_the_text(weighing, world):
    planner = world["users"]["planner"]
    later = segments.segment_create(weighing=weighing, by=planner, start=26, end=59)
    with pytest.raises(ValidationError) as error:
        segments.segment_create(weighing=weighing, by=planner, start=50, end=70)
    assert _codes(error.value) == {"segment_overlap"}
    assert "Teil" in error.value.messages[0] and f"{weighing.number}.1" in error.value.messages[0]
    first = segments.segment_create(weighing=weighing, by=planner, start=0, end=24)
    later.refresh_from_db()
    assert (first.number, later.number) == (1, 2)


def test_split_by_paragraph_adds_the_parts_not_yet_split(weighing, world):
    planner = world["users"]["planner"]
    segments.segment_create(weighing=weighing, by=planner, start=26, end=59)
    created = segments.segments_split_by_paragraph(weighing=weighing, by=planner)
    assert [s.excerpt for s in created] == ["Der Verkehr ist zu laut.", "Die Kita braucht mehr Plätze."]
    assert list(weighing.segments.order_by("number").values_list("number", "excerpt")) == [
        (1, "Der Verkehr ist zu laut."),
        (2, "Die Bäume am Bach sollen bleiben."),
        (3, "Die Kita braucht mehr Plätze."),
    ]
    with pytest.raises(ValidationError) as error:
        segments.segments_split_by_paragraph(weighing=weighing, by=planner)
    assert _codes(error.value) == {"nothing_to_split"}


def test_split_of_a_single_paragraph_is_refused(world):
    services.weighings_ensure(consultation=world["consultation"], by=SYSTEM)
    weighing = Weighing.objects.get(statement=world["statements"][5])  # one sentence
    with pytest.raises(ValidationError) as error:
        segments.segments_split_by_paragraph(weighing=weighing, by=world["users"]["planner"])
    assert _codes(error.value) == {"single_paragraph"}
    assert not weighing.segments.exists()


def test_statement_decision_is_derived_from_its_segments(weighing, world):
    planner = world["users"]["planner"]
    services.weighing_update(weighing=weighing, by=planner, decision="noted", response="", internal_note="")
    first, second, third = segments.segments_split_by_paragraph(weighing=weighing, by=planner)
    weighing.refresh_from_db()
    assert weighing.decision == ""  # open until every part is answered
    common = {"by": planner, "topic": "", "response": "Antwort"}
    segments.segment_update(segment=first, decision="considered", **common)
    segments.segment_update(segment=second, decision="noted", **common)
    weighing.refresh_from_db()
    assert weighing.decision == ""
    segments.segment_update(segment=third, decision="considered", **common)
    weighing.refresh_from_db()
    assert weighing.decision == "considered"
    segments.segment_update(segment=third, decision="not_considered", **common)
    weighing.refresh_from_db()
    assert weighing.decision == "partly"


def test_segment_update_checks_permission_and_values(weighing, world):
    segment = segments.segment_create(weighing=weighing, by=world["users"]["planner"], start=0, end=24)
    for user in (world["users"]["moderator"], world["users"]["foreign_planner"]):
        with pytest.raises(PermissionDenied):
            segments.segment_update(segment=segment, by=user, topic="", decision="noted", response="x")
    with pytest.raises(ValidationError) as error:
        segments.segment_update(segment=segment, by=world["users"]["planner"], topic="x", decision="y", response="")
    assert _codes(error.value) == {"invalid_choice", "unknown_decision"}
    segment.refresh_from_db()
    assert segment.decision == "" and segment.response == ""


def test_history_records_each_change_with_its_user(weighing, world):
    planner = world["users"]["planner"]
    segment = segments.segment_create(weighing=weighing, by=planner, start=0, end=24)
    segments.segment_update(segment=segment, by=planner, topic="traffic", decision="noted", response="Alt und gut.")
    segments.segment_update(segment=segment, by=planner, topic="traffic", decision="partly", response="Neu und gut.")
    records = list(segment.history.order_by("history_date"))
    assert [r.response for r in records] == ["", "Alt und gut.", "Neu und gut."]
    assert {r.history_user for r in records} == {planner}
    newest = versions.versions(segment)[0]
    assert newest.who == (planner.get_full_name() or planner.get_username())
    assert set(newest.changed) == {"Entscheidung", "Abwägungsvorschlag der Verwaltung"}
    assert versions.word_diff("Alt und gut.", "Neu und gut.") == "<del>Alt</del><ins>Neu</ins> und gut."
    assert versions.word_diff("a <b>", "a") == "a<del> &lt;b&gt;</del>"


def test_propose_needs_a_decision_then_decide_freezes(weighing, world):
    planner = world["users"]["planner"]
    consultation = world["consultation"]
    first, second, _third = segments.segments_split_by_paragraph(weighing=weighing, by=planner)
    with pytest.raises(ValidationError) as error:
        states.weighing_propose(segment=first, by=planner)
    assert _codes(error.value) == {"decision_missing"}
    segments.segment_update(segment=first, by=planner, topic="", decision="considered", response="Ja.")
    states.weighing_propose(segment=first, by=planner)
    first.refresh_from_db()
    assert first.state == WeighingState.PROPOSED
    weighing.refresh_from_db()
    assert weighing.state == WeighingState.DRAFT  # two parts are still drafts

    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        states.weighings_decide(consultation=consultation, by=planner, decided_on=today + dt.timedelta(days=1))
    assert _codes(error.value) == {"decided_on_in_future"}
    counts = states.weighings_decide(consultation=consultation, by=planner, decided_on=today, council_body="Rat")
    assert counts == {"weighings": 0, "segments": 1}
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.decided_on, second.state) == (WeighingState.DECIDED, today, WeighingState.DRAFT)
    assert consultation.result.decided_on == today and consultation.result.council_body == "Rat"
    assert first.history.latest().history_user == planner

    for attempt in (
        lambda: segments.segment_update(segment=first, by=planner, topic="", decision="noted", response="Nein."),
        lambda: segments.segment_delete(segment=first, by=planner),
        lambda: states.weighing_propose(segment=first, by=planner),
    ):
        with pytest.raises(ValidationError) as error:
            attempt()
        assert _codes(error.value) == {"decided_frozen"}
    first.refresh_from_db()
    assert first.decision == "considered" and first.response == "Ja."
    # The undecided part may still change.
    segments.segment_update(segment=second, by=planner, topic="", decision="noted", response="Zur Kenntnis.")


def test_decided_weighing_refuses_every_change(weighing, world):
    planner = world["users"]["planner"]
    consultation = world["consultation"]
    services.weighing_update(weighing=weighing, by=planner, decision="noted", response="Gut.", internal_note="")
    states.weighing_propose(weighing=weighing, by=planner)
    states.weighings_decide(consultation=consultation, by=planner, decided_on=timezone.localdate())
    weighing.refresh_from_db()
    assert weighing.state == WeighingState.DECIDED
    attempts = [
        lambda: services.weighing_update(weighing=weighing, by=planner, decision="", response="", internal_note=""),
        lambda: services.weighings_bulk_update(
            consultation=consultation, statement_ids=[weighing.statement_id], by=planner, response="Anders."
        ),
        lambda: segments.segment_create(weighing=weighing, by=planner, start=0, end=10),
        lambda: segments.segments_split_by_paragraph(weighing=weighing, by=planner),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as error:
            attempt()
        assert _codes(error.value) == {"decided_frozen"}
    weighing.refresh_from_db()
    assert (weighing.decision, weighing.response) == ("noted", "Gut.")


def test_decide_without_proposals_is_refused(world):
    with pytest.raises(ValidationError) as error:
        states.weighings_decide(
            consultation=world["consultation"], by=world["users"]["planner"], decided_on=timezone.localdate()
        )
    assert _codes(error.value) == {"nothing_proposed"}


def test_bulk_update_keeps_history(world):
    planner = world["users"]["planner"]
    consultation = world["consultation"]
    services.weighings_ensure(consultation=consultation, by=SYSTEM)
    ids = [s.pk for s in world["statements"][:2]]
    assert services.weighings_bulk_update(consultation=consultation, statement_ids=ids, by=planner, decision="noted")
    for weighing in Weighing.objects.filter(statement_id__in=ids):
        latest = weighing.history.latest()
        assert (latest.decision, latest.history_user) == ("noted", planner)
