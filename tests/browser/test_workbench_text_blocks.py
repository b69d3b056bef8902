"""A planner inserts a text block by keyboard, saves and goes on to the next statement; pages pass axe."""

import pytest

from participation.workbench.models import TextBlock, TextBlockUse, Weighing
from participation.workbench.services import weighings_ensure
from plans.rules import SYSTEM
from tests.workbench.conftest import world  # noqa: F401  (fixture)

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, username, next_url):
    page.goto(f"/verwaltung/anmelden/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "secret-pass")
    page.click("input[type=submit]")
    page.wait_for_url(f"**{next_url}")


def test_insert_block_by_keyboard_then_save_and_next(page, world):  # noqa: F811
    consultation = world["consultation"]
    block = TextBlock.objects.create(
        municipality=world["town"], topic="traffic", title="Verkehr", text="Geprüft für {plan} in {kommune}."
    )
    weighings_ensure(consultation=consultation, by=SYSTEM)
    first, second = Weighing.objects.for_consultation(consultation).order_by("number")[:2]
    url = f"/verwaltung/abwaegung/{consultation.pk}/stellungnahme/{first.statement_id}/"
    _login(page, "planer", url)
    page.wait_for_selector("#weighing-map[data-ready='1']")
    assert run_axe(page) == []

    page.fill("#id_response", "Vielen Dank.")
    # Keyboard only: choose the block in the select, Tab to "Einfügen", press Enter.
    page.focus("#pick-text_block")
    page.keyboard.press("ArrowDown")
    assert page.input_value("#pick-text_block") == str(block.pk)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Einfügen"
    page.keyboard.press("Enter")
    assert page.input_value("#id_response") == "Vielen Dank.\n\nGeprüft für Am Riedborn in Usingen."
    assert page.input_value("[name=inserted_blocks]") == str(block.pk)
    assert "eingefügt" in page.inner_text(".wb-picker [role=status]")
    assert run_axe(page) == []

    page.select_option("#id_decision", "noted")
    page.get_by_role("button", name="Speichern und weiter").click()
    page.wait_for_url(f"**/stellungnahme/{second.statement_id}/")
    page.wait_for_selector(".message--success")
    first.refresh_from_db()
    assert first.decision == "noted" and first.response.endswith("Geprüft für Am Riedborn in Usingen.")
    assert TextBlockUse.objects.filter(block=block, weighing=first).count() == 1
    assert run_axe(page) == []
    assert page.csp_violations == []

    page.goto(f"/verwaltung/abwaegung/textbausteine/{world['town'].pk}/")
    assert "1-mal" in page.inner_text(f"tr[data-block='{block.pk}']")
    assert run_axe(page) == []

    page.get_by_role("link", name="Neuer Textbaustein").click()
    page.fill("#id_title", "Falsch")
    page.fill("#id_text", "Für {buergermeister}.")
    page.get_by_role("button", name="Speichern").click()
    assert "Unbekannter Platzhalter: {buergermeister}" in page.inner_text("form.wb-form")
    assert run_axe(page) == []
    assert not TextBlock.objects.filter(title="Falsch").exists()


def test_counts_explained_and_group_picker_are_accessible(page, world):  # noqa: F811
    from participation.workbench.services import statements_group

    consultation = world["consultation"]
    TextBlock.objects.create(municipality=world["town"], title="Dank", text="Danke, {kommune}.")
    weighings_ensure(consultation=consultation, by=SYSTEM)
    ids = [s.pk for s in world["statements"][:3]]
    group = statements_group(consultation=consultation, by=SYSTEM, statement_ids=ids, label="Brief")
    table = f"/verwaltung/abwaegung/{consultation.pk}/"
    _login(page, "planer", table)
    page.get_by_text("Wie die Zahlen zusammenhängen").click()
    assert page.locator("#counts-explained [data-count='weighed']").inner_text() == str(len(world["statements"]))
    assert run_axe(page) == []

    page.goto(f"{table}gruppe/{group.pk}/")
    page.select_option("#pick-text_block", label="Dank")
    page.get_by_role("button", name="Einfügen").click()
    assert page.input_value("#id_response") == "Danke, Usingen."
    assert run_axe(page) == []
    assert page.csp_violations == []
