"""Staff filter statements, answer a group, export XLSX and GeoPackage; the result page is accessible."""

import datetime as dt

import openpyxl
import pyogrio
import pytest

from participation.workbench.models import Weighing
from participation.workbench.services import weighings_ensure
from plans.rules import SYSTEM
from tests.workbench.conftest import immediate_tasks, world  # noqa: F401  (fixtures)

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, username, next_url):
    page.goto(f"/verwaltung/anmelden/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "secret-pass")
    page.click("input[type=submit]")
    page.wait_for_url(f"**{next_url}")


def test_staff_filter_group_decide_and_export(page, world, immediate_tasks, tmp_path):  # noqa: F811
    consultation = world["consultation"]
    table = f"/verwaltung/abwaegung/{consultation.pk}/"
    _login(page, "planer", table)
    assert page.locator("#statement-table tbody tr").count() == 8

    # Filter by topic.
    page.select_option("#id_topic", "traffic")
    page.get_by_role("button", name="Filtern").click()
    page.wait_for_url("**topic=traffic**")
    assert page.locator("#statement-table tbody tr").count() == 4  # three form letters and the paper statement

    # Group the near-identical form letters (a background task; here run at once) and answer the group once.
    page.get_by_role("button", name="Gruppen bilden").click()
    page.wait_for_selector(".message--success")
    assert "Gruppierung fertig: 1 neue Gruppen, 3 Stellungnahmen zugeordnet." in page.inner_text("#grouping-state")
    assert run_axe(page) == []
    page.get_by_role("link", name="Zurück zur Tabelle").click()
    page.locator(".wb-actions").get_by_role("link", name="Gleichartige Stellungnahmen ab Nr. 1").click()
    page.select_option("#id_decision", "partly")
    page.fill("#id_response", "Die Zufahrt über die Riedbornstraße wird auf Anliegerverkehr beschränkt.")
    page.get_by_role("button", name="Allen Stellungnahmen der Gruppe zuweisen").click()
    page.wait_for_selector(".message--success")
    assert set(Weighing.objects.filter(number__in=[1, 2, 3]).values_list("decision", flat=True)) == {"partly"}

    # Bulk action on two selected statements (keyboard: Space toggles a checkbox).
    page.locator("#sel-" + str(world["statements"][3].pk)).focus()
    page.keyboard.press("Space")
    page.check("#sel-" + str(world["statements"][4].pk))
    page.select_option("#bulk-action", "decide")
    page.select_option("#bulk-decision", "noted")
    page.get_by_role("button", name="Ausführen").click()
    page.wait_for_selector(".message--success")
    assert sorted(Weighing.objects.filter(decision="noted").values_list("number", flat=True)) == [4, 5]
    assert page.csp_violations == []

    # Export XLSX and GeoPackage from the anonymised export buttons: a job each, then its download link.
    page.goto(table)
    page.locator(".wb-exports form").first.get_by_role("button", name="XLSX").click()
    page.wait_for_selector("#export-rows")
    assert page.inner_text("#export-rows") == "8 Zeilen exportiert."
    assert run_axe(page) == []
    with page.expect_download() as download_info:
        page.get_by_role("link", name="herunterladen").click()
    xlsx_path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(xlsx_path)
    sheet = openpyxl.load_workbook(xlsx_path)["Abwägung"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 9 and rows[0][0] == "Nr."
    decisions = {row[0]: row[-1] for row in rows[1:]}
    assert decisions[1] == "teilweise berücksichtigt" and decisions[4] == "zur Kenntnis genommen"
    text = "\n".join(str(c) for r in rows for c in r)
    assert not any(name in text for name in world["names"])

    page.goto(table)
    page.locator(".wb-exports form").first.get_by_role("button", name="GeoPackage").click()
    page.wait_for_selector("#export-rows")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="herunterladen").click()
    gpkg_path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(gpkg_path)
    points = pyogrio.read_dataframe(gpkg_path, layer="stellungnahmen")
    assert len(points) == 8 and points.crs.to_epsg() == 25832
    assert "name" not in points.columns
    assert page.csp_violations == []


def test_map_with_heat_layer_and_charts(page, world):  # noqa: F811
    consultation = world["consultation"]
    _login(page, "moderatorin", f"/verwaltung/abwaegung/{consultation.pk}/karte/")
    page.wait_for_selector("#workbench-map[data-ready]")
    assert page.get_attribute("#workbench-map", "data-points") == "7"
    assert page.locator("canvas.leaflet-heatmap-layer").count() == 1
    layer_names = page.locator(".leaflet-control-layers").inner_text()  # translated in the template
    assert "Markierungen" in layer_names and "Heatmap" in layer_names
    assert page.csp_violations == []
    page.goto(f"/verwaltung/abwaegung/{consultation.pk}/statistik/")
    assert page.locator("svg.chart").count() == 4
    assert run_axe(page) == []


def test_public_result_page_is_accessible(page, world):  # noqa: F811
    consultation = world["consultation"]
    weighings_ensure(consultation=consultation, by=SYSTEM)
    Weighing.objects.update(decision="noted")  # every statement decided: publishing is due
    _login(page, "planer", f"/verwaltung/abwaegung/{consultation.pk}/")
    page.get_by_role("button", name="Ergebnis veröffentlichen und mitteilen").click()
    assert run_axe(page) == []  # the confirmation step
    page.fill("#result-decided_on", (consultation.end_date + dt.timedelta(days=1)).isoformat())
    page.uncheck("#result-notify")
    page.get_by_role("button", name="Jetzt veröffentlichen").click()
    page.wait_for_selector(".message--success")
    page.context.clear_cookies()
    page.goto(f"/beteiligung/{consultation.pk}/ergebnis/")
    assert "Bürger/in 1" in page.content()
    assert not any(name in page.content() for name in world["names"])
    assert run_axe(page) == []
    assert page.csp_violations == []
