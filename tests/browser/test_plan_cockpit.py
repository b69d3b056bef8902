"""A planner creates a plan by drawing its area, uploads two PDFs and publishes it, all without /admin/."""

import json

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from plans.models import Plan

from ..factories import MembershipFactory, minimal_pdf
from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, username, next_url):
    page.goto(f"/verwaltung/anmelden/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "secret-pass")
    page.click("input[type=submit]")


def draw_square(page):
    """Draw a square in the middle of the area map with Leaflet.draw's polygon tool."""
    page.click(".leaflet-draw-draw-polygon")
    box = page.locator("#area-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for count, (dx, dy) in enumerate([(-60, -60), (60, -60), (60, 60), (-60, 60)], start=1):
        # Wait for leaflet-draw's vertex marker; on a loaded machine a click too soon after the last can be
        # taken as part of a double click and is lost, so click again (at most twice more).
        for _attempt in range(3):
            page.mouse.click(cx + dx, cy + dy)
            try:
                page.wait_for_function(
                    "n => document.querySelectorAll('#area-map .leaflet-editing-icon').length >= n",
                    arg=count,
                    timeout=3000,
                )
                break
            except PlaywrightTimeoutError:
                page.wait_for_timeout(400)
        page.wait_for_timeout(150)
    page.mouse.click(cx - 60, cy - 60)  # the first point closes the polygon


def upload(page, title, kind, name):
    page.fill("#id_title", title)
    page.select_option("#id_kind", kind)
    page.set_input_files(
        "#id_file", files=[{"name": name, "mimeType": "application/pdf", "buffer": minimal_pdf(title)}]
    )
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector(".message--success", timeout=60_000)


def test_planner_creates_plan_by_drawing_and_uploads_two_documents(page):
    membership = MembershipFactory(user__username="planerin")
    login(page, "planerin", "/verwaltung/plaene/neu/")
    page.wait_for_selector("#area-map[data-ready='1']")
    assert run_axe(page) == []

    page.select_option("#id_kind", "bplan")
    page.fill("#id_number", "Nr. 12")
    page.fill("#id_title", "Am Mühlbach")
    page.fill("#id_summary", "Ein kleines Wohngebiet.")
    draw_square(page)
    drawn = json.loads(page.input_value("#id_area_drawn"))
    assert drawn["type"] == "MultiPolygon" and len(drawn["coordinates"][0][0]) == 5
    assert page.input_value("#id_area") == page.input_value("#id_area_drawn")
    assert "Teilfläche" in page.inner_text("#area-status")
    page.click("#plan-form button[type=submit]")
    # Creating the plan runs its follow-up tasks in the request here (immediate backend): on a loaded
    # two-process test run that can take longer than the default 15 s.
    try:
        page.wait_for_selector("#upload-form", timeout=60_000)
    except PlaywrightTimeoutError:
        raise AssertionError("The plan form was not accepted: " + page.inner_text("main")[:1500]) from None
    assert run_axe(page) == []

    plan = Plan.objects.get()
    assert (plan.slug, plan.municipality_id, plan.status) == ("am-muehlbach", membership.municipality_id, "draft")
    assert membership.municipality.boundary.contains(plan.area)

    upload(page, "Planzeichnung", "drawing", "planzeichnung.pdf")
    upload(page, "Begründung", "justification", "begruendung.pdf")
    rows = page.locator("#document-table tbody tr").all_inner_texts()
    assert len(rows) == 2 and "Planzeichnung" in rows[0] and "Begründung" in rows[1]

    page.click(f"a[href='/verwaltung/plaene/{plan.pk}/veroeffentlichen/']")
    page.wait_for_selector("#id_confirm")
    assert run_axe(page) == []
    page.check("#id_confirm")
    page.click("form.staff-form button[type=submit]")
    page.wait_for_selector(".message--success")

    page.goto(plan.get_absolute_url())
    documents = page.locator(".document-list li").all_inner_texts()
    assert "Planzeichnung" in documents[0] and "Begründung" in documents[1]
    assert page.csp_violations == []


def test_keyboard_user_enters_the_area_as_text(page):
    membership = MembershipFactory(user__username="tastatur")
    lon, lat = (value + 0.02 for value in membership.municipality.boundary.extent[:2])
    wkt = f"POLYGON(({lon} {lat}, {lon + 0.01} {lat}, {lon + 0.01} {lat + 0.01}, {lon} {lat}))"
    login(page, "tastatur", "/verwaltung/plaene/neu/")
    page.wait_for_selector("#area-map[data-ready='1']")
    page.fill("#id_number", "Nr. 3")
    page.fill("#id_title", "Ohne Karte")
    page.fill("#id_area", wkt)
    page.keyboard.press("Tab")
    page.click("#plan-form button[type=submit]")
    page.wait_for_selector("#upload-form")
    assert Plan.objects.get().area.num_geom == 1
