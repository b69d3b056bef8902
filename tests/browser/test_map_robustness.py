"""Maps when the base map fails, scale bar, the start page's colours, legend and named clusters, human attributes."""

import re
import time

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from geodata.services import layer_after_import
from plans.models import Plan
from plans.rules import SYSTEM
from tests.factories import ConsultationFactory, FeatureFactory, LayerFactory, MunicipalityFactory, PlanFactory, square

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [(1366, 768), (390, 844)]
NOTICE = "Die Hintergrundkarte ist nicht erreichbar. Planbereiche werden ohne Hintergrund angezeigt."


def fail_base_map(page):
    """Make every base-map tile request fail (tests use /static/plans/blank-tile.png as the tile URL)."""
    page.route(re.compile(r".*/blank-tile\.png.*"), lambda route: route.abort())


@pytest.fixture
def towns():
    """Three towns with three plans of different kinds each, and one plan with a running participation."""
    kinds = [Plan.Kind.BPLAN, Plan.Kind.FNP, Plan.Kind.PUBLIC_PROJECT]
    for index in range(3):
        lon, lat = 8.0 + index * 0.5, 50.0
        municipality = MunicipalityFactory(boundary=square(lon, lat, 0.1))
        for number, kind in enumerate(kinds):
            PlanFactory(municipality=municipality, kind=kind, area=square(lon + 0.02 + number * 0.02, lat + 0.03, 0.01))
    lonely = MunicipalityFactory(name="Einzelort", boundary=square(10.2, 51.0, 0.1))
    open_plan = PlanFactory(
        municipality=lonely,
        kind=Plan.Kind.FNP_CHANGE,
        number="Nr. 9",
        title="Änderung Nord",
        area=square(10.22, 51.03, 0.01),
    )
    ConsultationFactory(plan=open_plan)
    return open_plan


@pytest.fixture
def plan_with_layer():
    municipality = MunicipalityFactory(boundary=MultiPolygon(Polygon.from_bbox((8.4, 50.2, 8.7, 50.45)), srid=4326))
    plan = PlanFactory(
        municipality=municipality, area=MultiPolygon(Polygon.from_bbox((8.52, 50.32, 8.535, 50.33)), srid=4326)
    )
    layer = LayerFactory(
        plan=plan,
        name="Baugebiete",
        attribute_labels={"nutzung": "Art der baulichen Nutzung", "grz": "Grundflächenzahl"},
    )
    FeatureFactory(
        layer=layer,
        geometry=Polygon.from_bbox((8.5205, 50.3205, 8.5235, 50.3230)),
        properties={"id": "4", "nutzung": "WA", "grz": 0.4},
    )
    layer_after_import(layer=layer, by=SYSTEM)
    return plan


def _notice(page):
    return page.locator("[data-basemap-notice]")


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_home_map_without_base_map_shows_notice_scale_legend_and_named_clusters(page, towns, width, height):
    page.set_viewport_size({"width": width, "height": height})
    fail_base_map(page)
    page.goto("/")
    page.wait_for_selector("#plans-map[data-basemap='failed']")
    notice = _notice(page)
    assert notice.inner_text() == NOTICE and notice.get_attribute("role") == "status"
    notice.scroll_into_view_if_needed()
    assert notice.is_visible()
    attribution = page.locator("#plans-map .leaflet-control-attribution").inner_text()
    assert "OpenStreetMap" not in attribution
    assert page.locator("#plans-map .leaflet-tile-pane img").count() == 0
    assert page.locator("#plans-map .leaflet-control-scale-line").count() == 1
    assert page.locator("#plans-map .leaflet-control-scale-line").inner_text().endswith(("m", "km"))

    # The legend outside the map names kinds and the running participation; the map shows a copy.
    legend = page.locator("section[data-map-legend]")
    text = legend.inner_text()
    assert "Bebauungsplan" in text and "Flächennutzungsplan" in text and "Öffentliches Bauvorhaben" in text
    assert "Laufende Beteiligung (dicker dunkler Rand)" in text
    assert page.locator("#plans-map .map-legend--map").get_attribute("aria-hidden") == "true"

    # Clusters are named "N Pläne"; plans keep their kind's colour, the open one is marked.
    page.wait_for_selector("#plans-map[data-loaded-features]")
    clusters = page.get_by_role("button", name=re.compile(r"^\d+ Pläne"))
    assert clusters.count() >= 1
    for name in clusters.evaluate_all("nodes => nodes.map(n => n.ariaLabel)"):
        assert re.match(r"^\d+ Pläne – vergrößern$", name) and int(name.split()[0]) >= 2
    single = page.locator("#plans-map").get_by_role("link", name=re.compile("Nr. 9: Änderung Nord"))
    assert single.get_attribute("class") == "plan-point plan-point--open"
    assert "Beteiligung läuft" in single.inner_text()
    assert single.evaluate("n => getComputedStyle(n).backgroundColor") == "rgb(196, 82, 0)"  # #C45200

    assert run_axe(page) == []
    assert page.csp_violations == []


def test_home_map_with_base_map_keeps_its_attribution(page, towns):
    page.goto("/")
    page.wait_for_selector("#plans-map[data-basemap='loaded']")
    assert "OpenStreetMap" in page.locator("#plans-map .leaflet-control-attribution").inner_text()
    assert _notice(page).inner_text() == ""
    assert page.locator("#plans-map .leaflet-control-scale-line").count() == 1


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_plan_map_without_base_map_shows_plan_area_and_human_attributes(page, plan_with_layer, width, height):
    page.set_viewport_size({"width": width, "height": height})
    fail_base_map(page)
    page.goto(plan_with_layer.get_absolute_url())
    page.wait_for_selector("#plan-map[data-basemap='failed']")
    assert _notice(page).inner_text() == NOTICE
    assert "OpenStreetMap" not in page.locator("#plan-map .leaflet-control-attribution").inner_text()
    assert page.locator("#plan-map .leaflet-control-scale-line").count() == 1
    page.wait_for_selector("#plan-map[data-layers-ready]", state="attached")
    page.wait_for_selector(".layer-list__item[data-state='loaded']")
    assert page.locator("#plan-map canvas").count() >= 1  # plan area and layer on the plain background

    # Clicking the building area shows labelled, translated attributes and no id.
    page.evaluate("() => window.planMap.map.setView([50.32175, 8.522], 17, {animate: false})")
    page.wait_for_timeout(300)
    xy = page.evaluate(
        "() => { const p = window.planMap.map.latLngToContainerPoint([50.32175, 8.522]); return [p.x, p.y]; }"
    )
    page.locator("#plan-map").scroll_into_view_if_needed()
    box = page.locator("#plan-map").bounding_box()
    page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
    page.wait_for_selector("#feature-info dl")
    terms = page.locator("#feature-info dt").all_inner_texts()
    values = page.locator("#feature-info dd").all_inner_texts()
    assert list(zip(terms, values, strict=True)) == [
        ("Art der baulichen Nutzung", "Allgemeines Wohngebiet"),
        ("Grundflächenzahl", "0,4"),
    ]
    assert page.locator(".leaflet-popup-content dt").first.inner_text() == "Art der baulichen Nutzung"
    # Leaflet fades the popup in: check contrast once it is opaque.
    page.wait_for_function("() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'")

    assert run_axe(page) == []

    # The notice can be closed (keyboard), so that it does not cover the plan; focus returns to the map.
    page.get_by_role("button", name="Hinweis ausblenden").focus()
    page.keyboard.press("Enter")
    assert not _notice(page).is_visible()
    assert page.evaluate("document.activeElement.id") == "plan-map"
    assert page.csp_violations == []


def test_base_map_that_never_answers_counts_as_unreachable_after_a_timeout(page, towns):
    page.route(re.compile(r".*/blank-tile\.png.*"), lambda route: None)  # never answered
    started = time.monotonic()
    page.goto("/", wait_until="domcontentloaded")  # the load event would wait for the tiles
    page.wait_for_selector("#plans-map[data-basemap='failed']", timeout=20_000)
    assert time.monotonic() - started >= 9  # by the 10 s timeout, not by errors
    assert _notice(page).inner_text() == NOTICE
    assert "OpenStreetMap" not in page.locator("#plans-map .leaflet-control-attribution").inner_text()
