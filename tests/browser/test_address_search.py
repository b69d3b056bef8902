"""A citizen finds an address with the keyboard only: type, arrow keys, Enter. The map moves there
(home map, plan map) or the alerts form gets the coordinates; axe-core finds no WCAG violation,
with the result list open and after choosing, at desktop and phone size."""

import pytest

from geodata.services import address_import
from plans.demo import load_demo
from plans.rules import SYSTEM

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LON, LAT = 8.5221, 50.3412  # inside the demo plan "Am Riedborn" in Usingen


@pytest.fixture
def demo(tmp_path):
    demo = load_demo()
    rows = [f"Hauptstraße;{n};61250;Usingen;{LON + n * 0.0001:.6f};{LAT:.6f}" for n in range(1, 9)]
    rows += ["Hauptstraße;5a;61250;Usingen;8.522650;50.341200", "Mühlweg;2;61250;Usingen;8.530000;50.338000"]
    path = tmp_path / "usingen.csv"
    path.write_text("street;housenumber;postcode;place;lon;lat\n" + "\n".join(rows) + "\n", encoding="utf-8")
    address_import(municipality=demo["municipalities"]["usingen"], path=path, by=SYSTEM)
    return demo


def type_and_choose(page, text, *, downs=1):
    """Type `text` into the address search, move down `downs` results and press Enter; return the chosen label."""
    combobox = page.get_by_role("combobox", name="Adresse suchen")
    combobox.focus()
    page.keyboard.type(text, delay=20)
    listbox = page.get_by_role("listbox", name="Gefundene Adressen")
    listbox.wait_for(state="visible")
    assert combobox.get_attribute("aria-expanded") == "true"
    page.wait_for_function(
        "() => /^\\d+ Adressen? gefunden/.test(document.querySelector('.address-search [role=status]').textContent)"
    )
    for _ in range(downs):
        page.keyboard.press("ArrowDown")
    active_id = combobox.get_attribute("aria-activedescendant")
    active = page.locator(f"#{active_id}")
    assert active.get_attribute("aria-selected") == "true"
    label = active.inner_text()
    assert run_axe(page) == []  # with the list open and an option active
    page.keyboard.press("Enter")
    assert combobox.input_value() == label
    assert combobox.get_attribute("aria-expanded") == "false"
    assert listbox.is_hidden()
    return label


def test_home_map_moves_to_the_chosen_address(page, demo):
    page.goto("/")
    page.wait_for_selector("#plans-map[data-loaded-features]")
    label = type_and_choose(page, "Hauptstr 5", downs=2)
    assert label == "Hauptstraße 5a, 61250 Usingen"
    page.wait_for_selector("#plans-map[data-address-marker]")
    assert page.get_attribute("#plans-map", "data-address-marker") == "50.3412,8.52265"
    center = page.evaluate("(() => { const c = window.__plansMap.getCenter(); return [c.lat, c.lng]; })()")
    assert center == pytest.approx([50.3412, 8.52265], abs=1e-4)
    assert page.evaluate("window.__plansMap.getZoom()") >= 17
    assert (
        page.locator(".address-search [role=status]").inner_text() == "Adresse gewählt: Hauptstraße 5a, 61250 Usingen"
    )
    assert run_axe(page) == []
    assert page.csp_violations == []


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 768}, {"width": 390, "height": 844}])
def test_plan_map_moves_to_the_chosen_address(page, demo, viewport):
    page.set_viewport_size(viewport)
    page.goto(demo["plans"]["am-riedborn"].get_absolute_url())
    page.wait_for_selector("#plan-map[data-ready]")
    label = type_and_choose(page, "hauptstrasse 3")
    assert label == "Hauptstraße 3, 61250 Usingen"
    page.wait_for_selector("#plan-map[data-address-marker]")
    assert page.get_attribute("#plan-map", "data-address-marker") == f"{LAT},{LON + 0.0003:.4f}"
    assert run_axe(page) == []
    assert page.csp_violations == []


def test_alerts_form_gets_the_coordinates_of_the_chosen_address(page, demo):
    page.goto("/usingen/benachrichtigungen/")
    page.wait_for_selector("#subscribe-map[data-ready]")
    assert run_axe(page) == []
    assert page.get_by_label("Breitengrad").input_value() == ""
    label = type_and_choose(page, "Muehlweg 2")
    assert label == "Mühlweg 2, 61250 Usingen"
    assert page.get_by_label("Breitengrad").input_value() == "50.33800"
    assert page.get_by_label("Längengrad").input_value() == "8.53000"
    assert page.get_by_label("Nur neue Pläne in der Nähe eines Ortes").is_checked()
    assert page.get_attribute("#subscribe-map", "data-address-marker") == "50.338,8.53"
    assert run_axe(page) == []
    assert page.csp_violations == []


def test_escape_closes_the_list_and_enter_does_not_submit_the_form(page, demo):
    page.goto("/usingen/benachrichtigungen/")
    page.wait_for_selector("#subscribe-map[data-ready]")
    combobox = page.get_by_role("combobox", name="Adresse suchen")
    combobox.focus()
    page.keyboard.type("Hauptstr")
    page.get_by_role("listbox", name="Gefundene Adressen").wait_for(state="visible")
    page.keyboard.press("Enter")  # no option active: nothing chosen, the form is not sent
    assert "benachrichtigungen" in page.url and page.get_by_text("Fast geschafft").count() == 0
    page.keyboard.press("Escape")
    assert combobox.get_attribute("aria-expanded") == "false"
    assert combobox.input_value() == "Hauptstr"
    page.keyboard.press("Escape")
    assert combobox.input_value() == ""
    page.keyboard.type("Zyxwvu")
    page.wait_for_function(
        "() => document.querySelector('.address-search [role=status]').textContent === 'Keine Adresse gefunden.'"
    )
    assert combobox.get_attribute("aria-expanded") == "false"
