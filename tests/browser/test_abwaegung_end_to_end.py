"""Issue 15 end to end: a planner splits a statement into two parts and assigns one to a planning consultant
invited from the address book; the consultant sets a password, logs in and proposes an answer with a text block;
the planner accepts it, records the council decision, the decided part cannot be changed any more, and the
DOCX and the PDF of the Abwägungstabelle hold both parts with their decisions."""

import datetime as dt
import io
import re

import docx
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from participation.workbench.models import Assignment, Segment, TextBlockUse, Weighing, WeighingState
from participation.workbench.services import weighings_ensure
from participation.workbench.text_blocks import text_block_create
from plans.rules import SYSTEM
from tests.workbench.conftest import immediate_tasks, world  # noqa: F401  (fixtures)

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRAFFIC = "Der Verkehr auf der Riedbornstraße ist schon heute zu laut."
TREES = "Die Bäume am Bach sollen bleiben."
TEXT = f"{TRAFFIC}\n\n{TREES}"
FROZEN = "Der Rat hat hierüber bereits beschlossen; die Abwägung kann nicht mehr geändert werden."
PASSWORD = "Ganz-neues-Passwort-7"
HEADERS = ["Nr.", "Stellungnahme", "Abwägungsvorschlag der Verwaltung", "Entscheidung"]


def _login(page, username, password="secret-pass"):
    page.goto("/verwaltung/anmelden/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_selector("form.logout-form")


def _logout(page):
    page.get_by_role("button", name=re.compile("Abmelden")).click()
    page.wait_for_url("**/verwaltung/anmelden/")


def _export(page, table_url, label, tmp_path):
    """Start the anonymised export `label` from the table's export buttons; return the downloaded file's bytes."""
    page.goto(table_url)
    page.locator(".wb-exports form").first.get_by_role("button", name=label, exact=True).click()
    page.wait_for_selector("#export-rows")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="herunterladen").click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    return path.read_bytes()


def test_split_assign_propose_accept_decide_freeze_and_export(page, world, immediate_tasks, tmp_path):  # noqa: F811
    consultation, town = world["consultation"], world["town"]
    town.council_body = "Stadtverordnetenversammlung"
    town.save(update_fields=["council_body"])
    statement = world["statements"][3]
    statement.comment = TEXT
    statement.save(update_fields=["comment"])
    weighings_ensure(consultation=consultation, by=SYSTEM)
    weighing = Weighing.objects.get(statement=statement)
    number = weighing.number
    block = text_block_create(
        municipality=town, by=SYSTEM, title="Verkehrsgutachten", text="Das Verkehrsgutachten zu „{plan}“ liegt vor."
    )
    table_url = f"/verwaltung/abwaegung/{consultation.pk}/"
    url = f"{table_url}stellungnahme/{statement.pk}/"

    # The planner invites the planning consultant in the address book.
    _login(page, "planer")
    page.goto(f"/verwaltung/abwaegung/extern/{town.pk}/")
    page.fill("#reviewer-name", "Berta Beraterin")
    page.fill("#reviewer-email", "buero@plan.example")
    page.fill("#reviewer-organisation", "Planungsbüro Taunus")
    page.get_by_role("button", name="Einladen", exact=True).click()
    page.wait_for_selector(".message--success")
    (invitation,) = [m for m in mail.outbox if m.to == ["buero@plan.example"]]
    set_password_path = re.search(r"https?://[^/\s]+(/verwaltung/passwort/neu/\S+/)", invitation.body).group(1)
    reviewer_user = get_user_model().objects.get(username="buero@plan.example")

    # Split the statement: the first paragraph by selecting it, the second by typing its offsets (no mouse).
    page.goto(url)
    page.wait_for_selector("#teil-abtrennen")
    assert run_axe(page) == []
    page.evaluate(
        """(end) => {
          const node = document.querySelector('#statement-text [data-start]').firstChild;
          const range = document.createRange();
          range.setStart(node, 0);
          range.setEnd(node, end);
          const selection = document.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
        }""",
        len(TRAFFIC),
    )
    page.wait_for_function(f"() => document.querySelector('#span-end').value === '{len(TRAFFIC)}'")
    assert page.input_value("#span-start") == "0"
    page.get_by_role("button", name="Als Teil abtrennen").click()
    page.wait_for_selector("#teil-1")
    page.fill("#span-start", str(TEXT.index(TREES)))
    page.fill("#span-end", str(len(TEXT)))
    page.get_by_role("button", name="Als Teil abtrennen").click()
    page.wait_for_selector("#teil-2")
    assert list(weighing.segments.order_by("number").values_list("excerpt", flat=True)) == [TRAFFIC, TREES]
    assert page.inner_text("#statement-text mark >> nth=0") == TRAFFIC
    statement.refresh_from_db()
    assert statement.comment == TEXT  # the original stays intact

    # Part 1 goes to the consultant; the planner answers part 2 and proposes it.
    page.select_option("#assign-assignee", str(reviewer_user.pk))
    page.select_option("#assign-segment", "1")
    page.fill("#assign-due_date", (timezone.localdate() + dt.timedelta(days=7)).isoformat())
    page.fill("#assign-note", "Bitte zum Verkehr Stellung nehmen.")
    page.get_by_role("button", name="Zuweisen", exact=True).click()
    page.wait_for_selector(f".message--success:has-text('Nr. {number}.1 zugewiesen an Berta Beraterin')")
    assignment = Assignment.objects.get()
    assert (assignment.assignee_id, assignment.segment.number) == (reviewer_user.pk, 1)
    assert run_axe(page) == []
    page.get_by_role("link", name=f"Teil bearbeiten {number}.2").click()
    page.select_option("#segment-decision", "not_considered")
    page.fill("#segment-response", "Die Bäume liegen außerhalb des Plangebiets.")
    page.get_by_role("button", name="Speichern als Vorschlag").click()
    page.wait_for_selector("#teil-2 .wb-badge--proposed")
    assert page.csp_violations == []
    _logout(page)

    # The consultant sets a password with the invitation's link, logs in and sees only their task.
    page.goto(set_password_path)
    page.fill("#id_new_password1", PASSWORD)
    page.fill("#id_new_password2", PASSWORD)
    page.get_by_role("button", name="Passwort speichern").click()
    page.wait_for_url("**/verwaltung/passwort/neu/fertig/")
    _login(page, "buero@plan.example", PASSWORD)
    page.wait_for_url("**/verwaltung/aufgaben/")
    assert page.get_by_role("link", name="Verwaltung").count() == 0
    page.get_by_role("link", name=f"Nr. {number}.1").click()
    page.wait_for_selector("#id_response")
    assert TRAFFIC in page.inner_text(".wb-excerpt")
    assert statement.user_name not in page.content()
    assert run_axe(page) == []
    page.select_option("#pick-text_block", str(block.pk))
    page.get_by_role("button", name="Einfügen").click()
    page.wait_for_function("() => document.querySelector('#id_response').value.includes('Verkehrsgutachten')")
    page.locator("#id_response").press("End")
    page.locator("#id_response").press_sequentially(" Die Zufahrt wird auf Anlieger beschränkt.")
    page.select_option("#id_decision", "partly")
    page.get_by_role("button", name="Als Vorschlag einreichen").click()
    page.wait_for_url("**/verwaltung/aufgaben/")
    first = Segment.objects.get(weighing=weighing, number=1)
    consultant_answer = "Das Verkehrsgutachten zu „Am Riedborn“ liegt vor. Die Zufahrt wird auf Anlieger beschränkt."
    assert (first.decision, first.state, first.response) == ("partly", WeighingState.PROPOSED, consultant_answer)
    assert TextBlockUse.objects.filter(block=block).count() == 1
    assert page.csp_violations == []
    _logout(page)

    # The planner accepts the proposal and records the council decision on the result page.
    _login(page, "planer")
    page.goto(url)
    page.locator(f"#zuweisung-{assignment.pk}").get_by_role("button", name="Übernehmen").click()
    page.wait_for_selector(".message--success")
    assignment.refresh_from_db()
    weighing.refresh_from_db()
    assert assignment.done_at is not None
    assert (weighing.decision, weighing.state) == ("partly", WeighingState.PROPOSED)
    page.goto(f"{table_url}ergebnis/")
    page.fill("#decision-council_body", "Stadtverordnetenversammlung")
    page.fill("#decision-decided_on", timezone.localdate().isoformat())
    page.get_by_role("button", name="Ratsbeschluss erfassen").click()
    page.wait_for_selector(".message--success")
    assert "1 Stellungnahmen und 2 Teile beschlossen" in page.inner_text(".message--success")
    assert set(weighing.segments.values_list("state", flat=True)) == {WeighingState.DECIDED}

    # The decided version is frozen: no edit form, and a POST anyway is refused with the message.
    page.goto(f"{url}teile/1/")
    assert "Der Rat hat hierüber beschlossen" in page.inner_text(".wb-frozen")
    assert page.locator("#weighing-form").count() == 0
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    refused = page.request.post(
        f"{url}teile/1/",
        form={"decision": "considered", "response": "Geändert.", "save": "", "csrfmiddlewaretoken": token},
    )
    assert refused.status == 400 and FROZEN in refused.text()
    first.refresh_from_db()
    assert (first.decision, first.response, first.state) == ("partly", consultant_answer, WeighingState.DECIDED)

    # The council documents: both parts with their decisions in the DOCX and the PDF.
    document = docx.Document(io.BytesIO(_export(page, table_url, "DOCX", tmp_path)))
    (table,) = [t for t in document.tables if [c.text for c in t.rows[0].cells] == HEADERS]
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in table.rows[1:]}
    assert rows[f"{number}.1"][1:] == [f"Teil {number}.1\n{TRAFFIC}", consultant_answer, "teilweise berücksichtigt"]
    assert rows[f"{number}.2"][1:] == [
        f"Teil {number}.2\n{TREES}",
        "Die Bäume liegen außerhalb des Plangebiets.",
        "nicht berücksichtigt",
    ]
    assert rows[str(number)][3] == "teilweise berücksichtigt"

    reader = PdfReader(io.BytesIO(_export(page, table_url, "PDF", tmp_path)))
    # One line of text; words hyphenated at a line end (U+2010, soft hyphen) joined again.
    text = re.sub(r"[\u2010\u00ad]\s+", "", "\n".join(p.extract_text() or "" for p in reader.pages))
    text = " ".join(text.split())
    # The table's rows "4.1" and "4.2" (not a date such as "14.11."), each followed by its answer and decision.
    first_part, second_part = (re.search(rf"(?<![\d.]){number}\.{part}(?![\d.])", text).start() for part in (1, 2))
    assert first_part < second_part
    assert consultant_answer in text[first_part:second_part]
    assert "teilweise berücksichtigt" in text[first_part:second_part]
    assert "Die Bäume liegen außerhalb des Plangebiets." in text[second_part:]
    assert "nicht berücksichtigt" in text[second_part:]
    # tagged PDF (PDF/UA-1): passes once the WeasyPrint report (helper branch) is merged.
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert page.csp_violations == []
