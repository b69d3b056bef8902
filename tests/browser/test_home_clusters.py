"""Start page with many municipalities: clusters are named, keyboard-operable buttons; the list works without JS."""

import re

import pytest

from tests.factories import MunicipalityFactory, PlanFactory, square

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOWNS = 24
PLANS_PER_TOWN = 3


@pytest.fixture
def many_towns():
    """24 municipalities on a 6 × 4 grid 0.25° apart, three plans each."""
    plans = []
    for index in range(TOWNS):
        lon, lat = 8.0 + (index % 6) * 0.25, 50.0 + (index // 6) * 0.25
        municipality = MunicipalityFactory(
            name=f"Stadt {index:02d}", slug=f"stadt-{index:02d}", boundary=square(lon, lat, 0.1)
        )
        for number in range(PLANS_PER_TOWN):
            area = square(lon + 0.02 + number * 0.02, lat + 0.03, 0.01)
            plans.append(PlanFactory(municipality=municipality, title=f"Plan {index:02d}-{number}", area=area))
    lonely = MunicipalityFactory(name="Einzelort", slug="einzelort", boundary=square(10.2, 51.0, 0.1))
    plans.append(PlanFactory(municipality=lonely, number="Nr. 1", title="Einzelplan", area=square(10.22, 51.03, 0.01)))
    return plans


def test_clusters_have_names_are_keyboard_operable_and_pass_axe(page, many_towns):
    requests = []
    page.on("request", lambda request: requests.append(request.url) if "/api/v1/plans/" in request.url else None)
    page.goto("/")
    page.wait_for_selector("#plans-map[data-loaded-features]")
    assert page.get_attribute("#plans-map", "data-clustered") == "true"
    assert int(page.get_attribute("#plans-map", "data-loaded-features")) == TOWNS * PLANS_PER_TOWN + 1
    assert requests and all("bbox=" in url and "zoom=" in url for url in requests)
    clusters = page.get_by_role("button", name=re.compile(r"^\d+ Pläne – vergrößern$"))
    assert clusters.count() >= 2
    counts = [int(name.split()[0]) for name in clusters.evaluate_all("nodes => nodes.map(n => n.ariaLabel)")]
    assert sum(counts) <= TOWNS * PLANS_PER_TOWN
    single = page.locator("#plans-map").get_by_role("link", name="Nr. 1: Einzelplan")
    assert single.count() == 1
    assert run_axe(page) == []

    # Tab from the map reaches a marker; Enter zooms in and the new view is announced.
    page.focus("#plans-map")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") in ("plan-cluster", "plan-point")
    clusters.first.focus()
    zoom = page.evaluate("window.__plansMap.getZoom()")
    before = len(requests)
    page.keyboard.press("Enter")
    page.wait_for_function("(zoom) => window.__plansMap.getZoom() > zoom", arg=zoom)
    page.wait_for_function("() => document.getElementById('map-status').textContent.includes('im Kartenausschnitt')")
    assert len(requests) > before
    assert page.evaluate("document.activeElement.id") == "plans-map"
    assert run_axe(page) == []
    assert page.csp_violations == []


def test_single_plan_marker_opens_the_plan(page, many_towns):
    page.goto("/")
    page.wait_for_selector("#plans-map[data-loaded-features]")
    page.locator("#plans-map").get_by_role("link", name="Nr. 1: Einzelplan").click()
    page.wait_for_url(f"**{many_towns[-1].get_absolute_url()}")


def test_zooming_in_shows_outlines_of_the_plans_in_view(page, many_towns):
    page.goto("/")
    page.wait_for_selector("#plans-map[data-clustered='true']")
    plan = many_towns[0]
    point = plan.area.point_on_surface
    page.evaluate(f"window.__plansMap.setView([{point.y}, {point.x}], 14, {{animate: false}})")
    page.wait_for_selector("#plans-map[data-clustered='false']")
    assert 1 <= int(page.get_attribute("#plans-map", "data-loaded-features")) <= PLANS_PER_TOWN
    assert page.locator(".plan-cluster").count() == 0


def test_plan_list_pages_without_javascript(browser, live_server, many_towns):
    context = browser.new_context(locale="de-DE", java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    try:
        page.goto("/")
        assert page.locator(".plan-card").count() == 20
        assert many_towns[-21].title not in page.locator(".plan-list").inner_text()
        assert f"{TOWNS * PLANS_PER_TOWN + 1} Pläne gefunden" in page.locator(".result-count").inner_text()
        page.get_by_role("link", name="Nächste Seite").click()
        page.wait_for_url("**/?seite=2")
        assert page.locator("[aria-current=page]").inner_text() == "2"
        assert many_towns[-21].title in page.locator(".plan-list").inner_text()  # the newest first
    finally:
        context.close()
