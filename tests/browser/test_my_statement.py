"""Feedback after sending a statement and the private "Meine Stellungnahme" page, on a laptop and a phone."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from participation.models import Statement
from participation.my_statement import my_statement_path
from participation.receipts import reference_number
from participation.workbench import services as workbench
from participation.workbench.models import Decision, Weighing
from plans.rules import SYSTEM
from tests.factories import ConsultationFactory, StatementFactory

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [
    pytest.param({"width": 1366, "height": 768}, id="1366x768"),
    pytest.param({"width": 390, "height": 844}, id="390x844"),
]


@pytest.fixture
def sized_page(browser, live_server, request):
    context = browser.new_context(locale="de-DE", viewport=request.param, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.csp_violations = []
    page.on(
        "console",
        lambda m: (
            page.csp_violations.append(m.text) if m.type == "error" and "Content Security Policy" in m.text else None
        ),
    )
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from django.core.cache import cache

    cache.clear()


def _in_viewport(page, selector) -> bool:
    return page.evaluate(
        "(s) => { const r = document.querySelector(s).getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }",
        selector,
    )


@pytest.mark.parametrize("sized_page", VIEWPORTS, indirect=True)
def test_errors_then_success_message_focused_with_reference(sized_page):
    page = sized_page
    consultation = ConsultationFactory(moderation="pre")
    page.goto(consultation.plan.get_absolute_url())
    page.click("#statement-form button[type=submit]")  # nothing filled in
    page.wait_for_selector("#statement-form-errors")
    page.wait_for_selector("#plan-map[data-statements-ready]")  # the form has moved beside the map
    assert page.evaluate("document.activeElement.id") == "statement-form-errors"
    assert page.locator("#plan-map").count() == 1  # the plan page with its map, not a bare form page
    assert page.locator("#statement-form-errors a[href='#id_comment']").count() == 1
    assert run_axe(page) == []
    page.fill("#id_comment", "Browser-Test: Bitte einen Radweg zum Bahnhof.")
    page.fill("#id_name", "Berta Browser")
    page.fill("#id_email", "berta@example.org")
    page.check("#id_privacy_consent")
    page.click("#statement-form button[type=submit]")
    page.wait_for_selector(".message--success[data-autofocus]")
    page.wait_for_selector("#plan-map[data-statements-ready]")
    statement = Statement.objects.get(comment__startswith="Browser-Test")
    focused = page.evaluate("document.activeElement.textContent")
    assert reference_number(statement) in focused and "Erst mit der Bestätigung gilt sie als eingegangen" in focused
    assert re.search(r"\d{4}-\d{5}", focused)
    assert _in_viewport(page, ".message--success")
    assert run_axe(page) == []
    # The message's resend link: the same answer for any address, focused.
    page.click(".message--success >> text=Bestätigungslink erneut senden")
    page.wait_for_url("**/beteiligung/bestaetigung-erneut-senden/")
    assert run_axe(page) == []
    page.fill("#id_email", "berta@example.org")
    page.click("main button[type=submit]")
    page.wait_for_selector(".message--success[data-autofocus]")
    assert "erneut geschickt" in page.evaluate("document.activeElement.textContent")
    assert run_axe(page) == []
    assert page.csp_violations == []


@pytest.mark.parametrize("sized_page", VIEWPORTS, indirect=True)
def test_my_statement_page_shows_the_decision_after_the_result_is_published(sized_page):
    page = sized_page
    today = timezone.localdate()
    consultation = ConsultationFactory(
        start_date=today - dt.timedelta(days=60),
        end_date=today - dt.timedelta(days=20),
        bekanntmachung_date=today - dt.timedelta(days=70),
    )
    statement = StatementFactory(
        consultation=consultation, submit_date=timezone.now() - dt.timedelta(days=40), comment="Zu wenig Parkplätze."
    )
    page.goto(my_statement_path(statement))
    assert "In Abwägung" in page.locator("#status-heading + p").inner_text()
    assert page.locator("#result-heading").count() == 0
    assert run_axe(page) == []
    workbench.weighings_ensure(consultation=consultation, by=SYSTEM)
    Weighing.objects.update(decision=Decision.PARTLY, response="Zusätzliche Stellplätze am Rand des Gebiets.")
    workbench.result_publish(
        consultation=consultation,
        by=SYSTEM,
        council_body="Gemeindevertretung",
        decided_on=consultation.end_date + dt.timedelta(days=3),
        notify=False,
    )
    page.goto(my_statement_path(statement))
    result = page.locator(".my-statement__result").inner_text()
    assert str(Decision.PARTLY.label) in result and "Zusätzliche Stellplätze" in result
    assert "Ergebnis" in page.locator("#status-heading + p").inner_text()
    assert run_axe(page) == []
    assert page.csp_violations == []
