"""A planner splits a statement by selecting text and by paragraph, answers and proposes the parts, records the
council decision; the decided parts cannot be changed; the pages pass axe."""

import pytest
from django.utils import timezone

from participation.workbench.models import Weighing, WeighingState
from participation.workbench.services import weighings_ensure
from plans.rules import SYSTEM
from tests.workbench.conftest import world  # noqa: F401  (fixture)

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "Der Verkehr ist zu laut.\n\nDie Bäume am Bach sollen bleiben.\n\nDie Kita braucht mehr Plätze."


def _login(page, username, next_url):
    page.goto(f"/verwaltung/anmelden/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "secret-pass")
    page.click("input[type=submit]")
    page.wait_for_url(f"**{next_url}")


def test_planner_splits_answers_and_the_council_decides(page, world):  # noqa: F811
    consultation = world["consultation"]
    statement = world["statements"][3]
    statement.comment = TEXT
    statement.save()
    weighings_ensure(consultation=consultation, by=SYSTEM)
    weighing = Weighing.objects.get(statement=statement)
    url = f"/verwaltung/abwaegung/{consultation.pk}/stellungnahme/{statement.pk}/"
    _login(page, "planer", url)
    assert run_axe(page) == []

    # Select "Die Bäume am Bach sollen bleiben." in the text, as a mouse user would.
    page.evaluate(
        """() => {
          const node = document.querySelector('#statement-text [data-start]').firstChild;
          const range = document.createRange();
          range.setStart(node, 26);
          range.setEnd(node, 59);
          const selection = document.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
        }"""
    )
    page.wait_for_function("() => document.querySelector('#span-start').value === '26'")
    assert page.input_value("#span-end") == "59"
    assert "Die Bäume am Bach sollen bleiben." in page.inner_text("#span-selection")
    page.get_by_role("button", name="Als Teil abtrennen").click()
    page.wait_for_selector(".message--success")
    assert list(weighing.segments.values_list("excerpt", flat=True)) == ["Die Bäume am Bach sollen bleiben."]
    assert page.inner_text("#statement-text mark") == "Die Bäume am Bach sollen bleiben."

    page.get_by_role("button", name="Nach Absätzen teilen").click()
    page.wait_for_selector("#teil-3")
    assert weighing.segments.count() == 3
    assert page.inner_text("#statement-text").count(f"{weighing.number}.") == 3
    assert run_axe(page) == []
    assert page.csp_violations == []

    for number, decision in ((1, "not_considered"), (2, "considered"), (3, "noted")):
        page.get_by_role("link", name=f"Teil bearbeiten {weighing.number}.{number}").click()
        page.wait_for_selector("#segment-decision")
        if number == 1:
            assert run_axe(page) == []
        page.select_option("#segment-decision", decision)
        page.fill("#segment-response", f"Antwort zu Teil {number}.")
        page.get_by_role("button", name="Speichern als Vorschlag").click()
        page.wait_for_selector(f"#teil-{number} .wb-badge--proposed")
    weighing.refresh_from_db()
    assert (weighing.decision, weighing.state) == ("partly", WeighingState.PROPOSED)

    page.goto(f"/verwaltung/abwaegung/{consultation.pk}/ergebnis/")
    assert run_axe(page) == []
    page.fill("#decision-council_body", "Stadtverordnetenversammlung")
    page.fill("#decision-decided_on", timezone.localdate().isoformat())
    page.get_by_role("button", name="Ratsbeschluss erfassen").click()
    page.wait_for_selector(".message--success")
    assert "1 Stellungnahmen und 3 Teile beschlossen" in page.inner_text(".message--success")
    assert set(weighing.segments.values_list("state", flat=True)) == {WeighingState.DECIDED}

    page.goto(url)
    assert "Der Rat hat hierüber beschlossen" in page.inner_text("#stand")
    assert page.locator("#teil-abtrennen").count() == 0
    assert page.get_by_role("link", name=f"Teil bearbeiten {weighing.number}.1").count() == 0
    assert run_axe(page) == []
    page.get_by_role("link", name="Verlauf").click()
    page.wait_for_selector("#verlauf-teil-1")
    assert "vom Rat beschlossen" in page.inner_text("#verlauf-teil-1")
    assert run_axe(page) == []
