"""An XPlanGML plan with text sections and a raster drawing on the plan page: overlay, opacity, section links."""

import zipfile
from pathlib import Path

import pytest
from django.utils import timezone

from geodata.models import Feature, Layer
from geodata.services import xplan_import
from plans.models import DocumentSection, Plan
from plans.rules import SYSTEM
from tests.factories import MunicipalityFactory, square

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).resolve().parents[1] / "data" / "xplan"


@pytest.fixture
def plan(tmp_path):
    MunicipalityFactory(name="Stadt Usingen", slug="usingen", ags="06434011", boundary=square(8.45, 50.28, 0.2))
    archive = tmp_path / "plan.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(DATA / "bplan_texte_6_0.gml", "plan.gml")
        zf.write(DATA / "planzeichnung.png", "planzeichnung.png")
        zf.write(DATA / "planzeichnung.pgw", "planzeichnung.pgw")
    plan = Plan.objects.get(pk=xplan_import(by=SYSTEM, path=archive).plan_id)
    plan.status, plan.published_at = Plan.Status.PUBLISHED, timezone.now()
    plan.save()
    return plan


def test_raster_drawing_and_text_sections_on_the_plan_page(page, plan):
    raster = plan.layers.get(kind=Layer.Kind.RASTER)
    page.goto(plan.get_absolute_url())
    page.wait_for_selector("#plan-map[data-layers-ready]", state="attached", timeout=30_000)
    assert page.locator("img.leaflet-image-layer").count() == 0  # hidden by default

    # Keyboard: show the drawing, then lower its opacity with the slider.
    toggle = page.locator(f"#layer-toggle-{raster.pk}")
    toggle.focus()
    page.keyboard.press("Space")
    image = page.locator("img.leaflet-image-layer")
    image.wait_for(state="attached")
    assert image.get_attribute("alt") == "Planzeichnung (Rasterbild)"
    page.wait_for_selector(f'.layer-list__item[data-layer-id="{raster.pk}"][data-state="loaded"]', state="attached")
    slider = page.locator(f"#layer-opacity-{raster.pk}")
    slider.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert float(image.evaluate("(el) => getComputedStyle(el).opacity")) == pytest.approx(0.6)

    # A Baugebiet's popup links its textliche Festsetzungen.
    feature = Feature.objects.get(source_id="GML_wa_nord")
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
    page.wait_for_selector("#feature-info .feature-info__sections")
    info = page.locator("#feature-info").inner_text()
    assert "Textliche Festsetzung 1.1: Im allgemeinen Wohngebiet" in info
    assert "Textliche Festsetzung 1.2: Höhe baulicher Anlagen" in info
    section = DocumentSection.objects.get(key="GML_text_1_2")
    link = page.locator("#feature-info a", has_text="Textliche Festsetzung 1.2")
    assert link.get_attribute("href").endswith(f"#abschnitt-{section.pk}")

    assert run_axe(page) == []
    assert page.csp_violations == []


def test_choosing_a_plan_element_in_the_statement_form_preselects_its_text_section(page, plan):
    from tests.factories import ConsultationFactory

    ConsultationFactory(plan=plan)
    wa = Feature.objects.get(source_id="GML_wa_nord")
    first = DocumentSection.objects.get(key="GML_text_1_1")
    page.goto(plan.get_absolute_url())
    page.wait_for_selector("#plan-map[data-layers-ready]", state="attached", timeout=30_000)
    assert page.locator("select[name=section]").input_value() == ""
    page.locator("select[name=feature]").select_option(str(wa.pk))
    page.wait_for_function(f"() => document.querySelector('select[name=section]').value === '{first.pk}'")
    # A section chosen by the citizen is not overwritten by a later element choice.
    other = DocumentSection.objects.get(key="GML_text_2_1")
    page.locator("select[name=section]").select_option(str(other.pk))
    page.locator("select[name=feature]").select_option(str(Feature.objects.get(source_id="GML_wa_sued").pk))
    page.wait_for_timeout(300)
    assert page.locator("select[name=section]").input_value() == str(other.pk)
    assert page.csp_violations == []
