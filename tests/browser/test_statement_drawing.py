"""A citizen draws an area, places a point by keyboard only, deletes a drawing; at 1366×768 and 390×844."""

import re

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
    for _ in range(1, 10):
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
    clusters = page.locator(".marker-cluster")
    assert clusters.count() > 0
    named = page.get_by_role("button", name=re.compile(r"^\d+ Stellungnahmen$"))
    assert named.count() == clusters.count()  # "9 Stellungnahmen", not "9"
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


def test_tap_on_a_cluster_places_the_point_and_a_chosen_element_is_highlighted(page, demo):
    from geodata.models import Feature, Layer

    plan = demo["plans"]["am-riedborn"]
    # A layer that is switched off on the map: choosing its element loads and outlines it.
    layer = Layer.objects.create(
        plan=plan, name="Baugebiete", kind=Layer.Kind.BUILDING_AREAS, feature_count=1, visible_by_default=False
    )
    feature = Feature.objects.create(layer=layer, geometry=plan.area, properties={"name": "WA 2"})
    _open(page, plan, (1366, 768))
    page.select_option("#id_feature", label="Baugebiete: WA 2")
    page.wait_for_selector(f"#plan-map[data-feature-highlight='{feature.pk}']")
    assert page.locator(".statement-feature-marker").count() == 1
    assert "Gewählter Planinhalt: Baugebiete: WA 2" in page.locator("#statement-tools-hint").inner_text()
    # A cluster inside the plan area: with "Punkt setzen" on, a tap there places the point, no zoom.
    page.get_by_role("button", name="Punkt setzen").click()
    page.locator("#plan-map").scroll_into_view_if_needed()
    page.evaluate("() => window.planMap.map.fitBounds(window.planMap.area.getBounds(), {animate: false})")
    page.wait_for_timeout(300)
    cluster = page.evaluate(
        """async () => { const { insideArea } = await import('/static/participation/statement_place.js');
        const m = window.planMap.map, box = m.getContainer().getBoundingClientRect();
        for (const el of document.querySelectorAll('.marker-cluster')) {
          const r = el.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;
          const ll = m.containerPointToLatLng([x - box.x, y - box.y]);
          if (x > box.x && y > box.y && x < box.right && y < box.bottom
              && insideArea(window.planMap.area, ll)) return [x, y];
        } return null; }"""
    )
    if cluster is None:
        pytest.skip("no cluster inside the plan area in this view")
    zoom = page.evaluate("() => window.planMap.map.getZoom()")
    page.mouse.click(*cluster)
    page.wait_for_selector("#plan-map[data-statement-place='1']")
    assert page.evaluate("() => window.planMap.map.getZoom()") == zoom
    place = page.locator("#statement-place").inner_text()
    assert place.startswith("Ort gewählt: im Geltungsbereich, auf „Baugebiete: WA 2“")
    assert run_axe(page) == []
