"""A planner takes a plan's Geltungsbereich from a file: preview map, confirm, by keyboard; pages pass axe-core."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings

from plans.geometry import to_metric
from plans.models import Membership
from tests.factories import MembershipFactory, MunicipalityFactory, PlanFactory, square

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).resolve().parents[1] / "data" / "geodata"


@pytest.fixture
def staff_page(page, live_server, client, settings, tmp_path):
    MunicipalityFactory.reset_sequence()  # keep the 8-character AGS sequence short (see tests/geodata/conftest.py)
    settings.IMPORT_STAGING_DIR = str(tmp_path / "staging")
    municipality = MunicipalityFactory(ags="06434011", boundary=square(8.45, 50.28, 0.2))
    plan = PlanFactory(municipality=municipality)
    user = MembershipFactory(municipality=municipality, role=Membership.Role.PLANNER).user
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": django_settings.SESSION_COOKIE_NAME,
                "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.plan = plan
    return page


def test_area_from_shapefile_by_keyboard(staff_page):
    page, plan = staff_page, staff_page.plan
    page.goto(f"/verwaltung/plaene/{plan.pk}/geltungsbereich/datei/")
    assert run_axe(page) == []
    page.set_input_files("#id_file", str(DATA / "area_shapefile_25832.zip"))
    page.focus("#id_crs")
    page.keyboard.press("Tab")  # to the submit button
    page.keyboard.press("Enter")

    page.wait_for_selector("#plan-area-map[data-ready]")
    assert page.inner_text("#plan-area-m2") == "45.000 m²"
    assert page.evaluate("document.querySelectorAll('#plan-area-map .leaflet-overlay-pane canvas').length") == 1
    assert run_axe(page) == []
    page.get_by_role("button", name="Geltungsbereich übernehmen").focus()
    page.keyboard.press("Enter")

    page.wait_for_selector(".message--success")
    assert "45.000 m²" in page.inner_text("#plan-area-current")
    assert run_axe(page) == []
    assert page.csp_violations == []
    plan.refresh_from_db()
    assert to_metric(plan.area, 25832).area == pytest.approx(45_000, rel=1e-3)


def test_area_outside_the_municipality_shows_the_error(staff_page):
    page, plan = staff_page, staff_page.plan
    before = plan.area.wkt
    page.goto(f"/verwaltung/plaene/{plan.pk}/geltungsbereich/datei/")
    page.set_input_files("#id_file", str(DATA / "area_outside_usingen.geojson"))
    page.get_by_role("button", name="Datei prüfen").click()
    assert "außerhalb der Gemeindegrenze" in page.inner_text("#form-errors")
    assert run_axe(page) == []
    plan.refresh_from_db()
    assert plan.area.wkt == before
