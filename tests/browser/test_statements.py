"""A citizen comments on a demo plan with the map, confirms by e-mail and finds the statement; keyboard path too."""

import re

import pytest
from django.core import mail

from participation.models import Statement
from plans.demo import load_demo

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from django.core.cache import cache

    cache.clear()
    from participation.demo import load_demo as load_participation

    result = load_demo()
    load_participation(result)
    return result


def confirm_link():
    body = mail.outbox[-1].body
    return re.search(r"https?://[^/\s]+(/beteiligung/bestaetigen/\S+/)", body).group(1)


def test_citizen_places_marker_submits_confirms_and_sees_statement(page, demo):
    plan = demo["plans"]["am-riedborn"]
    page.goto(plan.get_absolute_url())
    page.wait_for_selector("#plan-map[data-statements-ready]")
    assert int(page.get_attribute("#plan-map", "data-statement-markers")) > 10
    assert run_axe(page) == []
    point = plan.area.point_on_surface
    # "Punkt setzen" first: published statements' markers then let the tap through to the map.
    page.get_by_role("button", name="Punkt setzen").click()
    xy = page.evaluate(
        "([lat, lon]) => { const m = window.planMap.map; m.setView([lat, lon], 17, {animate: false});"
        " const p = m.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [point.y, point.x],
    )
    box = page.locator("#plan-map").bounding_box()
    page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
    page.wait_for_selector("#plan-map[data-statement-place='1']")
    assert page.input_value("input[name=lat]") != ""
    page.select_option("#id_topic", "environment")
    page.fill("#id_comment", "Browser-Test: Bitte die Hecke am Weg erhalten.")
    page.fill("#id_name", "Berta Browser")
    page.fill("#id_email", "berta@example.org")
    page.check("#id_privacy_consent")
    page.check("#id_public_opt_in")
    page.click("#statement-form button[type=submit]")
    page.wait_for_selector(".message--success")
    statement = Statement.objects.get(comment__startswith="Browser-Test")
    assert statement.location is not None and statement.confirmed_at is None
    page.goto(confirm_link())
    page.get_by_role("button", name="Stellungnahme jetzt bestätigen").click()
    page.wait_for_selector(".message--success")
    assert "veröffentlicht" in page.locator(".messages").inner_text()
    page.wait_for_selector("#plan-map[data-statements-ready]")
    assert page.locator(f"#stellungnahme-{statement.pk}").inner_text().startswith("Berta B.")
    # The new marker is on the map: open its popup through the cluster layer.
    page.evaluate(
        "([lat, lon]) => window.planMap.map.setView([lat, lon], 19, {animate: false})",
        [statement.location.y, statement.location.x],
    )
    markers = page.evaluate("() => document.querySelectorAll('.leaflet-marker-icon').length")
    assert markers >= 1
    assert page.csp_violations == []


def test_keyboard_user_comments_without_map_on_a_feature_free_plan(page, demo):
    plan = demo["plans"]["am-riedborn"]
    page.goto(plan.get_absolute_url())
    page.wait_for_selector("#plan-map[data-statements-ready]")
    page.focus("#id_topic")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.id") not in ("id_comment",):
        page.keyboard.press("Tab")
    page.keyboard.type("Tastatur-Test: ohne Karte.")
    page.keyboard.press("Tab")
    page.keyboard.type("Karl Tastatur")
    page.keyboard.press("Tab")
    page.keyboard.type("karl@example.org")
    while page.evaluate("document.activeElement.id") != "id_privacy_consent":
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.type") != "submit":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector(".message--success")
    statement = Statement.objects.get(comment__startswith="Tastatur-Test")
    assert statement.location is None and statement.user_name == "Karl Tastatur"
    assert run_axe(page) == []


def test_error_page_for_outside_point_is_accessible(page, demo):
    plan = demo["plans"]["am-riedborn"]
    page.goto(plan.get_absolute_url())
    page.wait_for_selector("#plan-map[data-statements-ready]")
    page.evaluate(
        "() => { document.querySelector('input[name=lat]').value = '10';"
        " document.querySelector('input[name=lon]').value = '10'; }"
    )
    page.fill("#id_comment", "Außerhalb")
    page.fill("#id_name", "Olaf Außen")
    page.fill("#id_email", "olaf@example.org")
    page.check("#id_privacy_consent")
    page.click("#statement-form button[type=submit]")
    page.wait_for_selector("#statement-form-errors")
    assert "außerhalb des Geltungsbereichs" in page.locator("#statement-form-errors").inner_text()
    assert run_axe(page) == []
    assert not Statement.objects.filter(comment="Außerhalb").exists()


def test_keyboard_user_picks_a_plan_feature_instead_of_the_map(page, demo):
    from geodata.models import Feature, Layer

    plan = demo["plans"]["am-riedborn"]
    layer = Layer.objects.create(plan=plan, name="Baugebiete", kind=Layer.Kind.BUILDING_AREAS)
    feature = Feature.objects.create(layer=layer, geometry=plan.area, properties={"name": "WA 2"})
    page.goto(plan.get_absolute_url())
    page.wait_for_selector("#plan-map[data-statements-ready]")
    page.focus("#id_feature")
    page.select_option("#id_feature", label="Baugebiete: WA 2")
    page.focus("#id_comment")
    page.keyboard.type("Zum Baugebiet WA 2: bitte niedriger bauen.")
    page.focus("#id_name")
    page.keyboard.type("Frieda Feature")
    page.keyboard.press("Tab")
    page.keyboard.type("frieda@example.org")
    page.focus("#id_privacy_consent")
    page.keyboard.press("Space")
    page.focus("#statement-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector(".message--success")
    statement = Statement.objects.get(comment__startswith="Zum Baugebiet WA 2")
    assert statement.feature == feature and statement.location is None


def test_citizen_attaches_files_error_page_is_accessible(page, demo, tmp_path, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    from participation.models import Attachment
    from tests.factories import parseable_pdf

    storage = FileSystemStorage(location=tmp_path / "attachments", base_url=None)
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", storage)

    plan = demo["plans"]["am-riedborn"]
    bad = tmp_path / "gutachten.pdf"
    bad.write_bytes(b"MZ" + bytes(300))
    good = tmp_path / "lageplan.pdf"
    good.write_bytes(parseable_pdf())
    page.goto(plan.get_absolute_url())
    page.wait_for_selector("#plan-map[data-statements-ready]")
    page.fill("#id_comment", "Anhang-Test: siehe Gutachten.")
    page.fill("#id_name", "Anna Anhang")
    page.fill("#id_email", "anna@example.org")
    page.set_input_files("#id_attachments", [str(bad)])
    page.check("#id_privacy_consent")
    page.click("#statement-form button[type=submit]")
    page.wait_for_selector("#statement-form-errors")
    assert "„gutachten.pdf“ hat kein erlaubtes Format" in page.content()
    assert page.input_value("#id_comment") == "Anhang-Test: siehe Gutachten."
    assert run_axe(page) == []
    assert not Statement.objects.filter(comment__startswith="Anhang-Test").exists()
    page.set_input_files("#id_attachments", [str(good)])
    page.click("#statement-form button[type=submit]")
    page.wait_for_selector(".message--success")
    statement = Statement.objects.get(comment__startswith="Anhang-Test")
    assert list(Attachment.objects.filter(statement=statement).values_list("original_name", flat=True)) == [
        "lageplan.pdf"
    ]
    assert len(list((tmp_path / "attachments").rglob("*.*"))) == 0  # stored under a random name, in tmp_path
    assert len([p for p in (tmp_path / "attachments").rglob("*") if p.is_file()]) == 1
    assert page.csp_violations == []
