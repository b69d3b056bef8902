"""A planner uploads a GeoJSON, checks the preview map and imports it, by keyboard; pages pass axe-core."""

import pytest
from django.conf import settings as django_settings

from geodata.models import Layer, PlanVersion
from plans.models import Membership
from tests.factories import MembershipFactory, MunicipalityFactory, PlanFactory
from tests.geodata.conftest import sample_frame

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff_page(page, live_server, client, settings, tmp_path):
    MunicipalityFactory.reset_sequence()  # keep the 8-character AGS sequence short (see tests/geodata/conftest.py)
    settings.IMPORT_STAGING_DIR = str(tmp_path / "staging")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    plan = PlanFactory()
    user = MembershipFactory(municipality=plan.municipality, role=Membership.Role.PLANNER).user
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


def test_upload_preview_and_import_by_keyboard(staff_page, tmp_path):
    page, plan = staff_page, staff_page.plan
    path = tmp_path / "baugebiete.geojson"
    sample_frame("EPSG:4326", count=4).to_file(path, driver="GeoJSON")

    page.goto(f"/verwaltung/plaene/{plan.pk}/ebenen/import/")
    assert run_axe(page) == []
    page.set_input_files("#id_file", str(path))
    page.fill("#id_name", "Baugebiete")
    page.select_option("#id_kind", "building_areas")
    page.focus("#id_crs")
    page.keyboard.press("Tab")  # to the submit button
    page.keyboard.press("Enter")

    page.wait_for_selector("#import-preview-map[data-ready]")
    assert page.inner_text("#preview-count") == "4"
    west, south, east, north = map(float, page.get_attribute("#import-preview-map", "data-bounds").split(","))
    assert 8.5 < west < east < 8.6 and 50.3 < south < north < 50.4
    assert page.evaluate("document.querySelectorAll('#import-preview-map .leaflet-overlay-pane canvas').length") == 1
    assert run_axe(page) == []
    page.get_by_role("button", name="Import starten").focus()
    page.keyboard.press("Enter")

    page.wait_for_selector("#import-report")
    assert "Abgeschlossen" in page.inner_text("#import-status")
    assert run_axe(page) == []
    assert page.csp_violations == []
    layer = Layer.objects.get(plan=plan)
    assert (layer.name, layer.feature_count) == ("Baugebiete", 4)


def test_bad_file_shows_error(staff_page, tmp_path):
    page, plan = staff_page, staff_page.plan
    path = tmp_path / "kaputt.geojson"
    path.write_text('{"type": "FeatureCollection", "feat')
    page.goto(f"/verwaltung/plaene/{plan.pk}/ebenen/import/")
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="Datei prüfen").click()
    page.wait_for_selector("[role=alert]")  # the preview task refused the file
    assert "kein gültiges JSON" in page.inner_text("main")
    assert run_axe(page) == []
    assert not Layer.objects.exists()


def test_xplan_upload_page(staff_page):
    from pathlib import Path

    from plans.models import Plan
    from tests.factories import square

    page = staff_page
    municipality = page.plan.municipality
    municipality.ags, municipality.boundary = "06434011", square(8.45, 50.28, 0.2)
    municipality.save()
    page.goto("/verwaltung/xplan/import/")
    assert run_axe(page) == []
    fixture = Path(__file__).resolve().parents[1] / "data" / "geodata" / "bplan_5_4_epsg25832.gml"
    page.set_input_files("#id_file", str(fixture))
    page.get_by_role("button", name="Datei prüfen").click()

    # The preview lists the Prüfbericht (the sample's Flächenschluss has gaps), errors first, each with a map link.
    page.wait_for_selector("#import-preview-map[data-ready]")
    assert "Neuer Plan „Wohngebiet Am Riedborn“ (1. Fassung)" in page.inner_text("#xplan-preview-plan")
    assert "2 Fehler, 1 Warnung" in page.inner_text("#validation-summary")
    items = page.locator("#validation-problems > li")
    assert items.count() == 3 and "Fehler" in items.nth(0).inner_text() and "Warnung" in items.nth(2).inner_text()
    assert not Plan.objects.filter(number="64", municipality=municipality).exists()
    assert run_axe(page) == []
    show = page.get_by_role("button", name="Auf der Karte zeigen").first
    show.focus()
    page.keyboard.press("Enter")  # keyboard: the map centres on the gap's place
    lat, lon = float(show.get_attribute("data-lat")), float(show.get_attribute("data-lon"))
    page.wait_for_function("document.querySelector('#import-preview-map').dataset.centre !== undefined")
    centre = page.evaluate("document.querySelector('#import-preview-map').dataset.centre")
    assert [round(float(v), 6) for v in centre.split(",")] == [round(lat, 6), round(lon, 6)]
    assert "GML_bereich_0" in page.inner_text("#validation-map-status")
    assert run_axe(page) == []
    page.get_by_role("button", name="Import starten").click()

    page.wait_for_selector("#import-report")
    assert "Baugebietsteilfläche (BP_BaugebietsTeilFlaeche): 2" in page.inner_text("main")
    assert "2 Fehler, 1 Warnung" in page.inner_text("#validation-summary")
    assert run_axe(page) == []
    assert page.csp_violations == []
    plan = Plan.objects.get(number="64", municipality=municipality)

    # The Prüfbericht of the current version: errors block publication until a reason is given.
    version = PlanVersion.objects.get(plan=plan)  # the import stored the Prüfbericht on the version it made
    assert len(version.validation["errors"]) == 2 and not version.validation_override_reason
    page.goto(f"/verwaltung/plaene/{plan.pk}/pruefbericht/")
    page.wait_for_selector("#import-preview-map[data-ready]")
    assert run_axe(page) == []
    page.fill("#id_reason", "Die Lücken sind öffentliche Wege, die im Entwurf 2 festgesetzt werden.")
    page.get_by_role("button", name="Begründung speichern").click()
    page.wait_for_selector("#override-current")
    assert "öffentliche Wege" in page.inner_text("#override-current")
    assert run_axe(page) == []
    assert page.csp_violations == []
