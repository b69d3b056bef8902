"""Segments over HTTP: split, edit, propose, decide, history and diff, exports, the public result, notices."""

import csv
import io
import zipfile

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from participation.workbench import segments, services
from participation.workbench.models import Segment, Weighing, WeighingState
from plans.rules import SYSTEM

TEXT = "Der Verkehr ist zu laut.\n\nDie Bäume am Bach sollen bleiben."


@pytest.fixture
def weighing(world):
    statement = world["statements"][3]
    statement.comment = TEXT
    statement.save()
    services.weighings_ensure(consultation=world["consultation"], by=SYSTEM)
    return Weighing.objects.get(statement=statement)


def _url(name, weighing, *args):
    return reverse(f"workbench:{name}", args=[weighing.statement.consultation_id, weighing.statement_id, *args])


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_planner_splits_edits_proposes_and_sees_the_history(client, world, weighing):
    client.force_login(world["users"]["planner"])
    response = client.post(_url("segment_create", weighing), {"start": 0, "end": 24})
    assert response.status_code == 302 and response.url.endswith("#teil-1")
    response = client.post(_url("segments_split", weighing), follow=True)
    assert "1 Teile nach Absätzen angelegt." in _messages(response)
    assert list(weighing.segments.values_list("excerpt", flat=True)) == [
        "Der Verkehr ist zu laut.",
        "Die Bäume am Bach sollen bleiben.",
    ]
    page = response.content.decode()
    assert f'href="#teil-1">{weighing.number}.1</a><mark data-start="0">Der Verkehr ist zu laut.</mark>' in page
    assert f"Teil {weighing.number}.2" in page and "Entwurf" in page

    data = {"topic": "environment", "section": "", "feature": "", "decision": "considered", "response": "Alt."}
    assert client.post(_url("segment", weighing, 2), data).status_code == 302
    data["response"] = "Die Bäume bleiben erhalten."
    response = client.post(_url("segment", weighing, 2), {**data, "propose": "1"}, follow=True)
    segment = weighing.segments.get(number=2)
    assert (segment.topic, segment.decision, segment.state) == ("environment", "considered", WeighingState.PROPOSED)
    assert f"Teil {weighing.number}.2 als Abwägungsvorschlag gespeichert." in _messages(response)
    page = client.get(_url("weighing", weighing)).content.decode()
    assert "berücksichtigt" in page and "Abwägungsvorschlag" in page

    page = client.get(_url("history", weighing)).content.decode()
    assert f"Teil {weighing.number}.2" in page and "planer" in page
    newest = segment.history.filter(response="Die Bäume bleiben erhalten.").order_by("history_date").first()
    older = segment.history.filter(response="Alt.").first()
    response = client.get(_url("diff", weighing), {"teil": 2, "version": older.history_id})
    assert "<ins>Alt.</ins>" in response.content.decode()  # the first answer against the empty draft
    page = client.get(_url("diff", weighing), {"teil": 2, "version": newest.history_id}).content.decode()
    assert page.count("<del>") == 1 and "<del>Alt.</del><ins>Die Bäume bleiben erhalten.</ins>" in page


def test_invalid_span_and_moderator_are_refused(client, world, weighing):
    client.force_login(world["users"]["planner"])
    response = client.post(_url("segment_create", weighing), {"start": 5, "end": 999}, follow=True)
    assert any("innerhalb der Stellungnahme" in m for m in _messages(response))
    response = client.post(_url("segment_create", weighing), {"start": "", "end": "x"}, follow=True)
    assert any("Zeichenzahlen" in m for m in _messages(response))
    client.force_login(world["users"]["moderator"])
    assert client.post(_url("segment_create", weighing), {"start": 0, "end": 10}).status_code == 403
    assert client.get(_url("weighing", weighing)).status_code == 200
    assert not Segment.objects.exists()


def test_text_block_insert_works_per_segment(client, world, weighing):
    from participation.workbench.models import TextBlock, TextBlockUse

    block = TextBlock.objects.create(municipality=world["town"], title="Plan", text="Zu {plan} am {datum}.")
    segments.segment_create(weighing=weighing, by=world["users"]["planner"], start=0, end=24)
    client.force_login(world["users"]["planner"])
    data = {"topic": "", "decision": "noted", "response": "Danke.", "text_block": block.pk, "insert_block": "1"}
    page = client.post(_url("segment", weighing, 1), data).content.decode()
    today = timezone.localdate().strftime("%d.%m.%Y")
    assert f"Danke.\n\nZu Am Riedborn am {today}." in page
    data.pop("insert_block")
    data.update(response=f"Danke.\n\nZu Am Riedborn am {today}.", inserted_blocks=str(block.pk))
    assert client.post(_url("segment", weighing, 1), data).status_code == 302
    assert TextBlockUse.objects.filter(block=block, weighing=weighing).count() == 1


def test_decided_item_refuses_edits_with_a_message(client, world, weighing):
    planner = world["users"]["planner"]
    client.force_login(planner)
    segments.segments_split_by_paragraph(weighing=weighing, by=planner)
    for number in (1, 2):
        data = {"topic": "", "decision": "noted", "response": f"Antwort {number}", "propose": "1"}
        client.post(_url("segment", weighing, number), data)
    response = client.post(_url("propose", weighing), follow=True)
    assert "Als Abwägungsvorschlag markiert." in _messages(response)
    today = timezone.localdate()
    response = client.post(
        reverse("workbench:council_decision", args=[weighing.statement.consultation_id]),
        {"council_body": "Stadtverordnetenversammlung", "decided_on": today.isoformat()},
        follow=True,
    )
    assert "Ratsbeschluss erfasst: 1 Stellungnahmen und 2 Teile beschlossen." in _messages(response)
    weighing.refresh_from_db()
    assert (weighing.state, weighing.decided_on) == (WeighingState.DECIDED, today)

    response = client.post(_url("segment", weighing, 1), {"topic": "", "decision": "considered", "response": "X"})
    assert response.status_code == 400
    assert "Der Rat hat hierüber bereits beschlossen" in response.content.decode()
    response = client.post(
        _url("weighing", weighing), {"decision": "considered", "response": "Neu", "internal_note": "", "save": "1"}
    )
    assert response.status_code == 400 and "bereits beschlossen" in response.content.decode()
    response = client.post(_url("segment_delete", weighing, 1), follow=True)
    assert any("bereits beschlossen" in m for m in _messages(response))
    assert list(weighing.segments.values_list("response", flat=True)) == ["Antwort 1", "Antwort 2"]
    page = client.get(_url("weighing", weighing)).content.decode()
    assert "vom Rat beschlossen" in page and 'id="teil-abtrennen"' not in page


@pytest.fixture
def split(world, weighing):
    planner = world["users"]["planner"]
    first, second = segments.segments_split_by_paragraph(weighing=weighing, by=planner)
    segments.segment_update(segment=first, by=planner, topic="traffic", decision="not_considered", response="Nein.")
    segments.segment_update(segment=second, by=planner, topic="green", decision="considered", response="Ja.")
    return weighing


def test_csv_and_xlsx_list_segments_under_their_statement(client, world, split):
    client.force_login(world["users"]["planner"])
    consultation = world["consultation"]
    data, count = services.report_export(consultation=consultation, by=world["users"]["planner"], format="csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    nr, text, decision = header.index("Nr."), header.index("Stellungnahme"), header.index("Entscheidung")
    by_number = {row[nr]: row for row in rows[1:]}
    number = split.number
    assert count == len(rows) - 1 == len(world["statements"]) + 2
    assert by_number[str(number)][decision] == "teilweise berücksichtigt"
    assert by_number[f"{number}.1"][text] == "Der Verkehr ist zu laut."
    assert by_number[f"{number}.1"][decision] == "nicht berücksichtigt"
    assert by_number[f"{number}.2"][decision] == "berücksichtigt"
    order = [row[nr] for row in rows[1:]]
    assert order.index(f"{number}.1") == order.index(str(number)) + 1
    assert order.index(f"{number}.2") == order.index(str(number)) + 2

    xlsx, _count = services.report_export(consultation=consultation, by=world["users"]["planner"], format="xlsx")
    sheet = zipfile.ZipFile(io.BytesIO(xlsx)).read("xl/worksheets/sheet1.xml").decode()
    assert f">{number}.1<" in sheet and f">{number}.2<" in sheet and "Der Verkehr ist zu laut." in sheet

    for format in ("geojson", "gpkg"):
        _data, count = services.report_export(consultation=consultation, by=world["users"]["planner"], format=format)
        assert count == len(world["statements"]) + 2


def test_table_public_result_and_notice_show_segment_decisions(
    client, world, split, django_capture_on_commit_callbacks, immediate_tasks
):
    planner = world["users"]["planner"]
    consultation = world["consultation"]
    client.force_login(planner)
    page = client.get(reverse("workbench:table", args=[consultation.pk])).content.decode()
    assert f"<li>{split.number}.1: nicht berücksichtigt</li>" in page

    others = [s.pk for s in world["statements"] if s.pk != split.statement_id]
    services.weighings_bulk_update(consultation=consultation, statement_ids=others, by=planner, decision="noted")
    with django_capture_on_commit_callbacks(execute=True):
        services.result_publish(
            consultation=consultation, by=planner, council_body="Rat", decided_on=timezone.localdate()
        )
    assert set(Segment.objects.values_list("state", flat=True)) == {WeighingState.DECIDED}
    client.logout()
    page = client.get(reverse("workbench:public_result", args=[consultation.pk])).content.decode()
    assert f"Teil {split.number}.1: nicht berücksichtigt" in page and "Nein." in page
    assert f"Teil {split.number}.2: berücksichtigt" in page
    body = next(m.body for m in mail.outbox if split.statement.user_email in m.to)
    assert f"Teil {split.number}.1: „Der Verkehr ist zu laut.“" in body
    assert "Entscheidung: nicht berücksichtigt" in body and "Ja." in body
