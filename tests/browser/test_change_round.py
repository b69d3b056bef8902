"""§ 4a Abs. 3 BauGB end to end: staff import version 2 of a plan, a round limited to the changes, change map,
refusal, e-mail."""

import datetime as dt
import json

import pytest
from django.core import mail
from django.utils import timezone

from geodata.services import layer_import
from participation.models import Consultation, Statement
from plans.rules import SYSTEM

from ..factories import ConsultationFactory, MembershipFactory, PlanFactory, StatementFactory, changed_plan_elements
from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from django.core.cache import cache

    cache.clear()


def geojson(path, elements):
    """Write elements ((key, polygon, properties), ...) as GeoJSON with their key in the attribute "schluessel"."""
    features = [
        {"type": "Feature", "geometry": json.loads(polygon.geojson), "properties": {"schluessel": key, **properties}}
        for key, polygon, properties in elements
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def set_point(page, point):
    page.get_by_role("button", name="Punkt setzen").click()
    xy = page.evaluate(
        "([lat, lon]) => { const m = window.planMap.map; m.setView([lat, lon], 17, {animate: false});"
        " const p = m.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [point.y, point.x],
    )
    box = page.locator("#plan-map").bounding_box()
    page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
    page.wait_for_selector("#plan-map[data-statement-place='1']")


def fill_statement(page, text):
    page.fill("#id_comment", text)
    page.fill("#id_name", "Berta Browser")
    page.fill("#id_email", "berta@example.org")
    page.check("#id_privacy_consent")


def test_limited_round_after_changes_end_to_end(page, browser, live_server, tasks, tmp_path):
    today = timezone.localdate()
    plan = PlanFactory()
    planner = MembershipFactory(municipality=plan.municipality, user__username="planerin").user
    first, second, parts = changed_plan_elements(plan)
    options = {"name": "Baugebiete", "kind": "building_areas", "key_attribute": "schluessel"}
    layer_import(plan=plan, path=geojson(tmp_path / "plan_v1.geojson", first), by=SYSTEM, **options)  # Fassung 1
    earlier = ConsultationFactory(
        plan=plan, start_date=today - dt.timedelta(days=90), end_date=today - dt.timedelta(days=50)
    )
    StatementFactory(consultation=earlier, location=parts["B"], user_email="frueher@example.org")
    StatementFactory(consultation=earlier, location=parts["A"], user_email="unberuehrt@example.org")

    # Staff import version 2 of the plan: upload, preview (which layer it replaces, Fassung 1 → 2), import.
    page.goto(f"/verwaltung/anmelden/?next=/verwaltung/plaene/{plan.pk}/ebenen/import/")
    page.fill("#id_username", planner.username)
    page.fill("#id_password", "secret-pass")
    page.click("input[type=submit]")
    page.wait_for_selector("#id_file")
    page.set_input_files("#id_file", str(geojson(tmp_path / "plan_v2.geojson", second)))
    page.fill("#id_name", "Baugebiete")
    page.select_option("#id_kind", "building_areas")
    page.fill("#id_key_attribute", "schluessel")
    page.get_by_role("button", name="Datei prüfen").click()
    page.wait_for_selector("#import-preview-map[data-ready]")
    assert "Ersetzt die Ebene „Baugebiete“ (Fassung 1 → 2)" in page.inner_text("#preview-version")
    assert run_axe(page) == []
    page.get_by_role("button", name="Import starten").click()
    page.wait_for_selector("#import-report")
    assert page.inner_text("#import-version") == "2"
    assert plan.versions.count() == 2

    # Staff open a § 4a Abs. 3 round limited to the changes: previous vs current version is the default.
    page.goto(f"/verwaltung/plaene/{plan.pk}/beteiligungen/neu/")
    page.wait_for_selector("#consultation-form")
    page.select_option("#id_kind", "republication")
    page.fill("#id_round", "2")
    page.select_option("#id_moderation", "post")
    page.fill("#id_start_date", today.isoformat())
    page.fill("#id_end_date", (today + dt.timedelta(days=30)).isoformat())
    page.check("#id_limited_to_changes")
    page.click("#consultation-form button[type=submit]")
    page.wait_for_selector("#changes-summary")
    assert "3 Änderungen" in page.inner_text("#changes-summary")
    consultation = Consultation.objects.get(kind="republication")
    assert consultation.limited_to_changes

    # The Bekanntmachung draft lists the changes; recording it opens the round and mails earlier submitters.
    page.goto(f"/verwaltung/beteiligungen/{consultation.pk}/bekanntmachung/")
    draft = page.input_value("#id_text")
    assert "- hinzugefügt: WA 3 (Baugebiete)" in draft and "nur zu den geänderten" in draft
    page.check("#id_media_0")
    page.click("#bekanntmachung-form button[type=submit]")
    page.wait_for_selector("#bekanntmachung-state")
    consultation.refresh_from_db()
    assert consultation.is_open_at()
    assert [m.to for m in mail.outbox] == [["frueher@example.org"]]
    assert "/beteiligung/aenderungen/abmelden/" in mail.outbox[0].body

    # A citizen (own browser, not logged in): the plan page shows the change layer with its legend, the swipe
    # and the list.
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    citizen = context.new_page()
    citizen.set_default_timeout(15_000)
    violations: list[str] = []
    citizen.on(
        "console",
        lambda m: violations.append(m.text) if m.type == "error" and "Content Security Policy" in m.text else None,
    )
    citizen.goto(plan.get_absolute_url())
    citizen.wait_for_selector("#plan-changes[data-ready='1']")
    citizen.wait_for_selector("#plan-map[data-statements-ready]")
    assert citizen.locator("#change-list li").count() == 3
    assert "WA 3" in citizen.inner_text("#change-list")
    assert citizen.get_attribute("#plan-changes", "data-change-count") == "3"
    assert citizen.locator(".leaflet-pb-changes-pane canvas").count() == 1
    assert run_axe(citizen) == []
    citizen.check("#swipe-toggle")
    citizen.wait_for_selector("#plan-changes[data-swipe='on']")
    citizen.focus("#swipe-range")
    citizen.keyboard.press("ArrowRight")
    assert citizen.input_value("#swipe-range") == "51"
    assert "polygon" in citizen.evaluate("() => window.planMap.map.getPane('pb-before').style.clipPath")
    assert run_axe(citizen) == []
    citizen.uncheck("#swipe-toggle")

    # A point outside the changed parts is refused with a clear message, nothing stored.
    set_point(citizen, parts["A"])
    fill_statement(citizen, "Browser-Test: Die Hecke am Weg bitte erhalten.")
    citizen.click("#statement-form button[type=submit]")
    citizen.wait_for_selector("text=Diese Beteiligung ist auf die Änderungen beschränkt")
    assert not Statement.objects.filter(consultation=consultation).exists()

    # One inside the added element is accepted.
    citizen.goto(plan.get_absolute_url())
    citizen.wait_for_selector("#plan-map[data-statements-ready]")
    set_point(citizen, parts["D"])
    fill_statement(citizen, "Browser-Test: Das neue Baufeld WA 3 ist zu dicht am Bach.")
    citizen.click("#statement-form button[type=submit]")
    citizen.wait_for_selector(".message--success")
    assert Statement.objects.filter(consultation=consultation).count() == 1
    assert violations == [] and page.csp_violations == []
    context.close()
