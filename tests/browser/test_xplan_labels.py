"""An imported XPlanGML plan on the plan map: presentation objects as text labels, code lists as text."""

from pathlib import Path

import pytest

from geodata.models import Layer
from geodata.services import plan_version_validation_override, xplan_import
from plans import services as plan_services
from plans.models import Plan
from plans.rules import SYSTEM
from tests.factories import MunicipalityFactory, square

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "xplan" / "bplan_6_0_two_bereiche.gml"


@pytest.fixture
def xplan_plan():
    MunicipalityFactory(name="Stadt Usingen", slug="usingen", ags="06434011", boundary=square(8.45, 50.28, 0.2))
    plan = Plan.objects.get(pk=xplan_import(by=SYSTEM, path=SAMPLE).plan_id)
    # The sample's Bereiche leave Flächenschluss gaps (errors in the Prüfbericht): publish with a reason.
    plan_version_validation_override(version=plan.versions.get(), by=SYSTEM, reason="Beispieldatei")
    return plan_services.plan_publish(plan=plan, by=SYSTEM)


def test_labels_are_drawn_as_text_and_listed_and_codes_read_as_text(page, xplan_plan):
    page.goto(xplan_plan.get_absolute_url())
    page.wait_for_selector("#plan-map[data-layers-ready]", state="attached", timeout=30_000)
    pto = Layer.objects.get(plan=xplan_plan, xplan_class="XP_PTO")
    page.wait_for_selector(f'.layer-list__item[data-layer-id="{pto.pk}"][data-state="loaded"]')

    label = page.locator(".plan-label__text", has_text="Am Feldbergblick")
    label.wait_for()
    assert "rotate(-30deg)" in label.evaluate("(el) => el.style.transform")
    assert label.evaluate("(el) => el.closest('.plan-label').getAttribute('aria-hidden')") == "true"
    assert page.locator(".plan-label__text", has_text="WA").count() == 1  # the XP_PPO shows the Baugebiet's token

    # The same texts outside the map, reachable by keyboard.
    summary = page.locator(f'.layer-list__item[data-layer-id="{pto.pk}"] summary')
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator(f'.layer-list__item[data-layer-id="{pto.pk}"] li').inner_text() == "Am Feldbergblick"

    # Clicking the Baugebiet shows its Art der baulichen Nutzung as code and text.
    page.evaluate("() => window.planMap.map.setView([50.335690, 8.579298], 18, {animate: false})")
    point = page.evaluate("() => window.planMap.map.latLngToContainerPoint([50.335690, 8.579298])")
    page.locator("#plan-map").click(position={"x": point["x"], "y": point["y"]})
    popup = page.locator(".feature-popup")
    popup.wait_for()
    assert "1200 – Allgemeines Wohngebiet" in popup.inner_text()
    assert run_axe(page) == []
    assert page.csp_violations == []
