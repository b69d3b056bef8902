"""A planner assigns a statement to a planning consultant, who logs in, answers with a text block and submits
it as proposal; the planner sees it proposed and accepts it. "Meine Aufgaben" passes axe."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from participation.workbench.external_reviewers import external_reviewer_create
from participation.workbench.models import Assignment, TextBlock, TextBlockUse, Weighing, WeighingState
from participation.workbench.services import weighings_ensure
from plans.rules import SYSTEM
from tests.workbench.conftest import world  # noqa: F401  (fixture)

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, username):
    page.goto("/verwaltung/anmelden/")
    page.fill("#id_username", username)
    page.fill("#id_password", "secret-pass")
    page.click("input[type=submit]")


def test_consultant_proposes_with_a_text_block_and_the_planner_accepts(page, world):  # noqa: F811
    consultation = world["consultation"]
    weighings_ensure(consultation=consultation, by=SYSTEM)
    weighing = Weighing.objects.for_consultation(consultation).order_by("number").first()
    block = TextBlock.objects.create(
        municipality=world["town"], topic="traffic", title="Verkehr", text="Der Verkehr zu {plan} wurde begutachtet."
    )
    reviewer = external_reviewer_create(
        municipality=world["town"], email="buero@plan.example", name="Berta Beraterin", organisation="Büro", by=SYSTEM
    )
    reviewer.user.set_password("secret-pass")
    reviewer.user.save()
    url = f"/verwaltung/abwaegung/{consultation.pk}/stellungnahme/{weighing.statement_id}/"

    _login(page, "planer")
    page.goto(f"/verwaltung/abwaegung/extern/{world['town'].pk}/")
    assert "buero@plan.example" in page.content()
    assert run_axe(page) == []
    page.goto(url)
    page.select_option("#assign-assignee", str(reviewer.user_id))
    page.fill("#assign-due_date", (timezone.localdate() + dt.timedelta(days=7)).isoformat())
    page.fill("#assign-note", "Bitte den Verkehr prüfen.")
    page.get_by_role("button", name="Zuweisen", exact=True).click()
    page.wait_for_selector(".message--success")
    assignment = Assignment.objects.get()
    assert assignment.assignee == reviewer.user
    assert run_axe(page) == []
    page.get_by_role("button", name=re.compile("Abmelden")).click()

    _login(page, "buero@plan.example")
    page.wait_for_url("**/verwaltung/aufgaben/")
    assert run_axe(page) == []
    assert page.get_by_role("link", name="Verwaltung").count() == 0  # only their tasks
    page.get_by_role("link", name=f"Nr. {weighing.number}").click()
    page.wait_for_selector("#id_response")
    assert run_axe(page) == []
    assert weighing.statement.user_name not in page.content()
    page.select_option("#pick-text_block", str(block.pk))
    page.get_by_role("button", name="Einfügen").click()
    assert "Der Verkehr zu" in page.input_value("#id_response")
    page.select_option("#id_decision", "considered")
    page.get_by_role("button", name="Als Vorschlag einreichen").click()
    page.wait_for_url("**/verwaltung/aufgaben/")
    weighing.refresh_from_db()
    assert (weighing.decision, weighing.state) == ("considered", WeighingState.PROPOSED)
    assert "Der Verkehr zu" in weighing.response and TextBlockUse.objects.filter(block=block).count() == 1
    assert page.csp_violations == []
    page.get_by_role("button", name=re.compile("Abmelden")).click()

    _login(page, "planer")
    page.goto(url)
    assert page.locator(f"#zuweisung-{assignment.pk} .wb-badge--proposed").count() == 1
    page.get_by_role("button", name="Übernehmen").click()
    page.wait_for_selector(".message--success")
    assignment.refresh_from_db()
    weighing.refresh_from_db()
    assert assignment.done_at is not None and weighing.state == WeighingState.PROPOSED


def test_consultant_weighs_each_segment_of_a_whole_statement(page, world):  # noqa: F811
    """A whole statement split into two segments: the consultant answers each on the task page, then proposes."""
    from participation.workbench.assignments import assignment_create
    from participation.workbench.segments import segment_create

    consultation = world["consultation"]
    weighings_ensure(consultation=consultation, by=SYSTEM)
    weighing = Weighing.objects.for_consultation(consultation).order_by("number").first()
    first = segment_create(weighing=weighing, by=SYSTEM, start=0, end=20)
    second = segment_create(weighing=weighing, by=SYSTEM, start=21, end=40)
    reviewer = external_reviewer_create(
        municipality=world["town"], email="buero@plan.example", name="Berta Beraterin", organisation="Büro", by=SYSTEM
    )
    reviewer.user.set_password("secret-pass")
    reviewer.user.save()
    assignment = assignment_create(
        weighing=weighing, assignee=reviewer.user, due_date=None, by=world["users"]["planner"]
    )

    _login(page, "buero@plan.example")
    page.wait_for_url("**/verwaltung/aufgaben/")
    page.goto(f"/verwaltung/aufgaben/{assignment.pk}/")
    page.wait_for_selector("#teil-1")
    assert run_axe(page) == []
    for segment, decision in ((first, "considered"), (second, "not_considered")):
        page.select_option(f"#teil{segment.number}_decision", decision)
        page.fill(f"#teil{segment.number}_response", f"Antwort zu Teil {segment.number}.")
        page.get_by_role("button", name=f"Teil Nr. {weighing.number}.{segment.number} speichern").click()
        page.wait_for_selector(".message--success")
    assert run_axe(page) == []
    assert page.input_value("#id_decision") == "partly"  # follows from the segments
    page.fill("#id_response", "Zusammengefasst: teilweise berücksichtigt.")
    page.get_by_role("button", name="Als Vorschlag einreichen").click()
    page.wait_for_url("**/verwaltung/aufgaben/")
    for item in (weighing, first, second):
        item.refresh_from_db()
    assert (first.decision, first.response, first.state) == ("considered", "Antwort zu Teil 1.", WeighingState.PROPOSED)
    assert (second.decision, second.state) == ("not_considered", WeighingState.PROPOSED)
    assert weighing.state == WeighingState.PROPOSED and weighing.decision == "partly"
    assert page.csp_violations == []
