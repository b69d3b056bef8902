"""A citizen draws an area, places a point by keyboard only, deletes a drawing; at 1366×768 and 390×844."""

import pytest

from participation.models import Statement
from participation.services import geometry_in_plan_area
from plans.demo import load_demo

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [pytest.param((1366, 768), id="desktop"), pytest.param((390, 844), id="mobile")]


@pytest.fixture
def demo(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from django.core.cache import cache

    cache.clear()
    from participation.demo import load_demo as load_participation

    result = load_demo()
    load_participation(result)
    return result


def _open(page, plan, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(plan.get_absolute_url())
    page.wait_for_selector("#plan-map[data-statements-ready]")
    page.wait_for_selector("#statement-tools:not([hidden])")


def _click_around_centre(page, plan, offsets):
    """Centre the map on a point of the plan area and click at pixel offsets from it (vertices of a drawing)."""
    point = plan.area.point_on_surface
    page.locator("#plan-map").scroll_into_view_if_needed()
    xy = page.evaluate(
        "([lat, lon]) => { const m = window.planMap.map; m.setView([lat, lon], 18, {animate: false});"
        " const p = m.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [point.y, point.x],
    )
    box = page.locator("#plan-map").bounding_box()
    for dx, dy in offsets:
        page.mouse.click(box["x"] + xy[0] + dx, box["y"] + xy[1] + dy)
        page.wait_for_timeout(150)


def _fill_and_send(page, text):
    page.fill("#id_comment", text)
    page.fill("#id_name", "Dora Zeichnerin")
    page.fill("#id_email", "dora@example.org")
    page.check("#id_privacy_consent")
    page.click("#statement-form button[type=submit]")
    page.wait_for_selector(".message--success")


@pytest.mark.parametrize("size", SIZES)
def test_citizen_draws_an_area_and_submits_it(page, demo, size):
    plan = demo["plans"]["am-riedborn"]
    _open(page, plan, size)
    page.get_by_role("button", name="Fläche zeichnen").click()
    assert page.get_attribute("#plan-map", "data-statement-tool") == "area"
    _click_around_centre(page, plan, [(-30, -20), (30, -20), (0, 30), (-30, -20)])
    page.wait_for_selector("#plan-map[data-statement-drawing='area']")
    place = page.locator("#statement-place").inner_text()
    assert place.startswith("Fläche gezeichnet: im Geltungsbereich")
    assert not any(ch.isdigit() for ch in place)  # words, not coordinates
    assert page.input_value("input[name=drawn_area]") != "" and page.input_value("input[name=lat]") == ""
    assert run_axe(page) == []
    _fill_and_send(page, f"Zeichen-Test {size[0]}: diese Fläche bitte als Wiese erhalten.")
    statement = Statement.objects.get(comment__startswith=f"Zeichen-Test {size[0]}")
    assert statement.drawn_area is not None and statement.location is None
    assert geometry_in_plan_area(plan, statement.drawn_area)
    assert page.csp_violations == []


@pytest.mark.parametrize("size", SIZES)
def test_keyboard_user_places_a_point_with_the_crosshair(page, demo, size):
    plan = demo["plans"]["am-riedborn"]
    _open(page, plan, size)
    # The skip link near the top leads to the form in a few key presses.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Zum Formular springen":
            break
    else:
        pytest.fail("skip link not reached")
    page.keyboard.press("Enter")
    for presses in range(1, 10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Ort mit der Tastatur wählen":
            break
    else:
        pytest.fail("keyboard placement button not reached from the skip link")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "plan-map"
    assert "map--crosshair" in page.get_attribute("#plan-map", "class")
    assert "Pfeiltasten" in page.locator("#statement-tools-hint").inner_text()
    # Centre the map on the plan area by key presses only, then place the point with Enter.
    page.evaluate("() => window.planMap.map.fitBounds(window.planMap.area.getBounds(), {animate: false})")
    before = page.evaluate("() => window.planMap.map.getCenter().lng")
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(400)
    assert page.evaluate("() => window.planMap.map.getCenter().lng") > before  # the arrow key moved the map
    page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(400)
    page.keyboard.press("Enter")
    page.wait_for_selector("#plan-map[data-statement-place='1']")
    place = page.locator("#statement-place").inner_text()
    assert place.startswith("Ort gewählt: im Geltungsbereich") and not any(ch.isdigit() for ch in place)
    assert page.locator(".statement-new-marker").count() == 1
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.dataset.tool") == "keyboard"
    assert "map--crosshair" not in page.get_attribute("#plan-map", "class")
    while page.evaluate("document.activeElement.id") != "id_comment":
        page.keyboard.press("Tab")
    page.keyboard.type("Tastatur-Ort: bitte hier eine Bank aufstellen.")
    page.keyboard.press("Tab")
    page.keyboard.type("Tim Tastatur")
    page.keyboard.press("Tab")
    page.keyboard.type("tim@example.org")
    while page.evaluate("document.activeElement.id") != "id_privacy_consent":
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    while page.evaluate("document.activeElement.type") != "submit":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector(".message--success")
    statement = Statement.objects.get(comment__startswith="Tastatur-Ort")
    assert statement.location is not None and geometry_in_plan_area(plan, statement.location)
    assert run_axe(page) == []


def test_drawing_can_be_deleted_before_sending_and_clusters_are_named(page, demo):
    plan = demo["plans"]["am-riedborn"]
    _open(page, plan, (1366, 768))
    page.evaluate("() => window.planMap.map.setZoom(12, {animate: false})")
    names = page.evaluate(
        "() => [...document.querySelectorAll('.marker-cluster')].map(e => e.textContent.trim())"
    )
    assert names and all(n.endswith(" Stellungnahmen") for n in names)
    page.get_by_role("button", name="Linie zeichnen").click()
    _click_around_centre(page, plan, [(-40, 0), (40, 10), (40, 10)])
    page.wait_for_selector("#plan-map[data-statement-drawing='line']")
    assert page.input_value("input[name=drawn_line]") != ""
    page.get_by_role("button", name="Zeichnung löschen").click()
    assert page.input_value("input[name=drawn_line]") == ""
    assert page.get_attribute("#plan-map", "data-statement-drawing") == ""
    assert page.locator("#statement-place").inner_text() == "Ort und Zeichnung entfernt."
    _fill_and_send(page, "Ohne Zeichnung: allgemeine Anmerkung.")
    statement = Statement.objects.get(comment__startswith="Ohne Zeichnung")
    assert statement.drawn_line is None and statement.drawn_area is None and statement.location is None
