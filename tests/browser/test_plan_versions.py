"""The pages of a plan's versions (Fassungen): list and an earlier version's map, accessible and keyboard usable."""

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from geodata.services import layer_after_import, plan_version_create
from plans.rules import SYSTEM
from tests.factories import FeatureFactory, LayerFactory, MunicipalityFactory, PlanFactory

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def plan_with_versions():
    municipality = MunicipalityFactory(boundary=MultiPolygon(Polygon.from_bbox((8.4, 50.2, 8.7, 50.45)), srid=4326))
    plan = PlanFactory(
        municipality=municipality, area=MultiPolygon(Polygon.from_bbox((8.52, 50.32, 8.535, 50.33)), srid=4326)
    )
    layers = []
    for number, size in ((1, 0.001), (2, 0.002)):
        layer = LayerFactory(plan=plan, name="Baufelder", source_name=f"baufelder-{number}.geojson")
        FeatureFactory(
            layer=layer,
            geometry=Polygon.from_bbox((8.5205, 50.3205, 8.5205 + size, 50.3205 + size / 2)),
            properties={"name": f"WA 1 (Fassung {number})", "grz": 0.4},
            source_id="wa1",
        )
        layer_after_import(layer=layer, by=SYSTEM)
        plan_version_create(plan=plan, by=SYSTEM, layers=[layer], source_name=layer.source_name)
        layers.append(layer)
    return plan, layers


def test_earlier_version_page_shows_its_layers_with_a_note_and_passes_axe(page, plan_with_versions):
    plan, (old, new) = plan_with_versions
    page.goto(plan.get_absolute_url())
    page.get_by_role("link", name="Frühere Fassungen der Plandaten (2 Fassungen)").click()
    page.wait_for_selector("table")
    assert "baufelder-1.geojson" in page.inner_text("main") and "(aktuell)" in page.inner_text("main")
    assert run_axe(page) == []

    page.get_by_role("link", name="1. Fassung").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f'.layer-list__item[data-layer-id="{old.pk}"][data-state="loaded"]')
    main = page.inner_text("main")
    assert "Frühere Fassung vom" in main and "WA 1 (Fassung 1)" in main and "WA 1 (Fassung 2)" not in main
    assert page.locator(f'.layer-list__item[data-layer-id="{new.pk}"]').count() == 0
    toggle = page.locator(f"#layer-toggle-{old.pk}")
    toggle.focus()
    page.keyboard.press("Space")
    assert not toggle.is_checked()
    assert run_axe(page) == []
    assert page.csp_violations == []
    page.get_by_role("link", name="aktuelle Fassung ansehen").click()
    page.wait_for_selector(f'.layer-list__item[data-layer-id="{new.pk}"]')
