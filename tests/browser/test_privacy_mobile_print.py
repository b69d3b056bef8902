"""Privacy notice and opt-in, the start page on a phone, the statement list's pages and printing a plan page."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from participation.models import Statement
from plans.demo import load_demo

from ..factories import StatementFactory
from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SIZES = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366x768", "390x844"])


@pytest.fixture
def demo(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from django.core.cache import cache

    cache.clear()
    from participation.demo import load_demo as load_participation

    result = load_demo()
    load_participation(result)
    return result


@pytest.fixture
def open_page(browser, live_server):
    """Return a function that opens a page of the live server in a fresh context of the given size."""
    contexts = []

    def open_page(url, viewport):
        context = browser.new_context(locale="de-DE", viewport=viewport, base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(url)
        return page

    yield open_page
    for context in contexts:
        context.close()


@SIZES
def test_privacy_page_and_form_acknowledge_the_notice(open_page, demo, viewport):
    plan = demo["plans"]["am-riedborn"]
    page = open_page(plan.get_absolute_url(), viewport)
    page.wait_for_selector("#plan-map[data-statements-ready]")
    assert page.is_visible("label[for=id_privacy_consent]")
    assert "zur Kenntnis genommen" in page.inner_text("label[for=id_privacy_consent]")
    assert not page.is_checked("#id_public_opt_in")
    assert run_axe(page) == []
    page.click("#privacy-notice-link")
    page.wait_for_selector("#privacy-complaint")
    assert "Der Hessische Beauftragte für Datenschutz" in page.inner_text("main")
    assert run_axe(page) == []


def test_statement_without_opt_in_stays_private(open_page, demo):
    plan = demo["plans"]["am-riedborn"]
    page = open_page(plan.get_absolute_url(), PHONE)
    page.wait_for_selector("#plan-map[data-statements-ready]")
    page.fill("#id_comment", "Privat-Test: Bitte nicht veröffentlichen.")
    page.fill("#id_name", "Paula Privat")
    page.fill("#id_email", "paula@example.org")
    page.check("#id_privacy_consent")
    page.click("#statement-form button[type=submit]")
    page.wait_for_selector(".message--success")
    statement = Statement.objects.get(comment__startswith="Privat-Test")
    assert statement.privacy_consent and not statement.public_opt_in and not statement.is_public


@SIZES
def test_start_page_map_first_on_a_phone_with_a_list_toggle(open_page, demo, viewport):
    page = open_page("/", viewport)
    page.wait_for_selector("#plans-map.leaflet-container")
    toggle = page.locator("#list-toggle")
    if viewport is DESKTOP:
        assert not toggle.is_visible() and page.is_visible("#plan-list")
        assert run_axe(page) == []
        return
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not page.is_visible("#plan-list")
    map_top = page.locator("#plans-map").bounding_box()["y"]
    assert map_top < viewport["height"] / 2  # the map is on the first screen
    assert run_axe(page) == []
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true" and page.is_visible("#plan-list")
    assert page.locator("#plans-map").bounding_box()["y"] > map_top  # the list opens above the map
    assert run_axe(page) == []
    page.keyboard.press("Space")
    assert toggle.get_attribute("aria-expanded") == "false" and not page.is_visible("#plan-list")


@SIZES
def test_plan_page_skip_link_and_statement_pages(open_page, demo, viewport):
    plan = demo["plans"]["am-riedborn"]
    consultation = (
        plan.consultations.exclude(kind="authorities").filter(closed_at__isnull=True).order_by("-end_date")[0]
    )
    start = timezone.now() - dt.timedelta(hours=60)
    for n in range(25):
        StatementFactory(
            consultation=consultation, comment=f"Seitentest {n:02d}", submit_date=start + dt.timedelta(hours=n)
        )
    page = open_page(plan.get_absolute_url(), viewport)
    page.wait_for_selector("#plan-map[data-statements-ready]")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#stellungnahme-abgeben"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # the next Tab continues in the statement box, not at the top of the page
    assert page.evaluate("document.activeElement.closest('#stellungnahme-abgeben') !== null")
    nav = page.locator("nav.statement-pagination")
    assert nav.get_attribute("aria-label") == "Seiten der Stellungnahmen"
    assert nav.locator("[aria-current=page]").inner_text() == "1"
    assert run_axe(page) == []
    nav.get_by_role("link", name="Nächste Seite").click()
    page.wait_for_url("**seite=2**")
    assert page.locator("nav.statement-pagination [aria-current=page]").inner_text() == "2"
    assert run_axe(page) == []


def test_printing_the_demo_plan_gives_at_most_two_pages(open_page, demo):
    from pypdf import PdfReader

    plan = demo["plans"]["am-riedborn"]
    page = open_page(plan.get_absolute_url(), DESKTOP)
    page.wait_for_selector("#plan-map[data-statements-ready]")
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=False)))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert len(pdf.pages) <= 2, len(pdf.pages)
    assert plan.title in text and "Verfahrensstand" in text and "Dokumente" in text
    for absent in ("Stellungnahme abschicken", "Zum Inhalt springen", "Alle Pläne", "Impressum", "Leaflet"):
        assert absent not in text, absent
