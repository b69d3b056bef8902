"""A plan with a 50,000-feature layer (vector tiles) and a small GeoJSON layer on the plan map."""

import time

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from geodata.services import layer_after_import, layer_tiles_build
from plans.rules import SYSTEM
from tests.factories import FeatureFactory, LayerFactory, MunicipalityFactory, PlanFactory, building_features

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORIGIN = (8.52, 50.32)


@pytest.fixture
def plan_with_layers():
    municipality = MunicipalityFactory(boundary=MultiPolygon(Polygon.from_bbox((8.4, 50.2, 8.7, 50.45)), srid=4326))
    plan = PlanFactory(
        municipality=municipality,
        area=MultiPolygon(Polygon.from_bbox((8.52, 50.32, 8.535, 50.33)), srid=4326),
    )
    started = time.perf_counter()
    large = LayerFactory(
        plan=plan,
        name="Gebäudebestand",
        style={"color": "#8a4b08", "fillColor": "#e3a857", "fillOpacity": 0.6, "weight": 1},
    )
    building_features(large, 50_000, origin=ORIGIN, size_deg=0.015)
    layer_after_import(layer=large, by=SYSTEM)
    large.refresh_from_db()
    # The tile archive is built by the task worker after the import committed; do its step here.
    assert layer_tiles_build(layer_id=large.pk, version=large.version)["mode"] == "tiles"
    small = LayerFactory(plan=plan, name="Baufelder")
    FeatureFactory(
        layer=small,
        geometry=Polygon.from_bbox((8.5205, 50.3205, 8.5215, 50.3212)),
        properties={"name": "WA 1", "grz": 0.4},
    )
    layer_after_import(layer=small, by=SYSTEM)
    print(f"50k layer created and published in {time.perf_counter() - started:.1f} s")
    return plan, large, small


def _painted_pixels(page) -> int:
    return page.evaluate(
        """() => {
            let painted = 0;
            for (const canvas of document.querySelectorAll('canvas.vector-tile')) {
                const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
            }
            return painted;
        }"""
    )


def test_plan_map_shows_50k_layer_with_switcher_legend_and_attributes(page, plan_with_layers):
    plan, large, small = plan_with_layers
    assert large.feature_count == 50_000
    tile_requests = []
    page.on("request", lambda request: tile_requests.append(request.url) if "/tiles/" in request.url else None)
    page.goto(plan.get_absolute_url())
    page.wait_for_selector("#plan-map[data-layers-ready]", state="attached", timeout=30_000)
    page.wait_for_selector(f'.layer-list__item[data-layer-id="{large.pk}"][data-painted-tiles]')
    page.wait_for_selector(f'.layer-list__item[data-layer-id="{small.pk}"][data-state="loaded"]')
    assert any(f"/tiles/{large.pk}/" in url for url in tile_requests)
    page.wait_for_function("() => document.querySelectorAll('canvas.vector-tile').length > 0")
    page.wait_for_timeout(300)
    assert _painted_pixels(page) > 1000

    # Legend: both layers listed with names and a swatch in the layer's colour.
    legend = page.locator(".layer-list")
    assert "Gebäudebestand" in legend.inner_text() and "50.000 Objekte" in legend.inner_text()
    assert page.locator(f'.layer-list__item[data-layer-id="{large.pk}"] svg rect').get_attribute("fill") == "#e3a857"

    # Click on a building at street level: its attributes appear in the popup and the panel.
    feature = large.features.order_by("pk").first()
    point = feature.geometry.point_on_surface
    page.evaluate("([lat, lon]) => window.planMap.map.setView([lat, lon], 17, {animate: false})", [point.y, point.x])
    page.wait_for_function(
        "() => [...window.planLayers.values()]"
        ".some(({layer}) => layer.tileData && layer.tileData.size > 0 && !layer._loading)"
    )
    page.wait_for_timeout(300)
    xy = page.evaluate(
        "([lat, lon]) => { const p = window.planMap.map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [point.y, point.x],
    )
    box = page.locator("#plan-map").bounding_box()
    page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
    page.wait_for_selector("#feature-info dl")
    info = page.locator("#feature-info").inner_text()
    assert "Gebäudebestand" in info and "Art der baulichen Nutzung" in info
    assert page.locator(".leaflet-popup-content dl").count() == 1

    # Keyboard: the switcher hides and shows the large layer.
    toggle = page.locator(f"#layer-toggle-{large.pk}")
    toggle.focus()
    page.keyboard.press("Space")
    assert not toggle.is_checked()
    assert page.evaluate(f"() => window.planMap.map.hasLayer(window.planLayers.get('{large.pk}').layer)") is False
    page.keyboard.press("Space")
    assert page.evaluate(f"() => window.planMap.map.hasLayer(window.planLayers.get('{large.pk}').layer)") is True

    # The small GeoJSON layer: click its only feature.
    feature = small.features.get()
    point = feature.geometry.point_on_surface
    page.evaluate("([lat, lon]) => window.planMap.map.setView([lat, lon], 18, {animate: false})", [point.y, point.x])
    page.wait_for_timeout(300)
    xy = page.evaluate(
        "([lat, lon]) => { const p = window.planMap.map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [point.y, point.x],
    )
    page.locator("#plan-map").scroll_into_view_if_needed()
    box = page.locator("#plan-map").bounding_box()
    page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
    page.wait_for_function("() => document.querySelector('#feature-info').innerText.includes('WA 1')")
    info = page.locator("#feature-info").inner_text()
    assert "Baufelder" in info and "Grundflächenzahl" in info and "grz" not in info

    assert run_axe(page) == []
    assert page.csp_violations == []
