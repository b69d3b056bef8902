"""A whole § 3 Abs. 2 procedure in the browser, without /admin/: plan, documents, period (moved to start
today), Bekanntmachung (the period then opens by itself), a citizen's statement, early close, Abwägung,
result notice."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from participation.models import Consultation, Statement
from participation.periods import regular_end
from plans.models import Plan

from ..factories import MembershipFactory, minimal_pdf
from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNCIL = "Stadtverordnetenversammlung"
CITIZEN = "carla@example.org"


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Send the confirmation and result mails in the request instead of a worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def assert_accessible(page):
    assert run_axe(page) == [], page.url


def submit(page, form_selector, wait_for=".message--success"):
    """Submit a form, wait for the next page and for `wait_for` on it."""
    with page.expect_navigation():
        page.click(f"{form_selector} [type=submit]")
    page.wait_for_selector(wait_for)


def upload(page, title, kind, name):
    page.fill("#id_title", title)
    page.select_option("#id_kind", kind)
    page.set_input_files(
        "#id_file", files=[{"name": name, "mimeType": "application/pdf", "buffer": minimal_pdf(title)}]
    )
    submit(page, "#upload-form")


def mails_to(address):
    return [message for message in mail.outbox if address in message.to]


def test_planner_runs_a_publication_procedure_from_plan_to_result_notice(page, browser, live_server):
    membership = MembershipFactory(user__username="planerin", municipality__council_body=COUNCIL)
    municipality = membership.municipality
    today = timezone.localdate()
    year = today.year + 1

    # 1. The staff login page, posted by the browser.
    page.goto("/verwaltung/anmelden/?next=/verwaltung/plaene/neu/")
    assert_accessible(page)
    page.get_by_label("Benutzername").fill("planerin")
    page.get_by_label("Passwort").fill("secret-pass")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_selector("#area-map[data-ready='1']")
    assert page.url.endswith("/verwaltung/plaene/neu/")

    # 2. Plan with its area as text (inside the municipality), two PDFs, published.
    lon, lat = (value + 0.02 for value in municipality.boundary.extent[:2])
    page.select_option("#id_kind", "bplan")
    page.fill("#id_number", "Nr. 7")
    page.fill("#id_title", "Wohnen am Erlenbach")
    page.fill("#id_summary", "Ein kleines Wohngebiet am Ortsrand.")
    page.fill(
        "#id_area",
        f"POLYGON(({lon} {lat}, {lon + 0.01} {lat}, {lon + 0.01} {lat + 0.01}, {lon} {lat + 0.01}, {lon} {lat}))",
    )
    page.keyboard.press("Tab")
    submit(page, "#plan-form", wait_for="#upload-form")
    plan = Plan.objects.get()
    assert page.url.endswith(f"/verwaltung/plaene/{plan.pk}/")
    assert municipality.boundary.contains(plan.area) and plan.status == "draft"
    upload(page, "Planzeichnung", "drawing", "planzeichnung.pdf")
    upload(page, "Begründung", "justification", "begruendung.pdf")
    rows = page.locator("#document-table tbody tr").all_inner_texts()
    assert len(rows) == 2 and "Planzeichnung" in rows[0] and "Begründung" in rows[1]
    assert_accessible(page)
    page.click(f"a[href='/verwaltung/plaene/{plan.pk}/veroeffentlichen/']")
    page.check("#id_confirm")
    submit(page, "form.staff-form")
    assert "Öffentliche Plan-Seite" in page.inner_text("#plan-status")

    # 3. Schedule the § 3 Abs. 2 publication: 1–30 March is too short, 1–31 March is accepted.
    page.click("text=Neue Beteiligung planen")
    page.wait_for_selector("#consultation-form")
    assert page.url.endswith(f"/verwaltung/plaene/{plan.pk}/beteiligungen/neu/")
    assert_accessible(page)
    page.select_option("#id_kind", "publication")
    page.select_option("#id_moderation", "post")
    page.fill("#id_start_date", f"{year}-03-01")
    page.fill("#id_end_date", f"{year}-03-30")
    submit(page, "#consultation-form", wait_for="#id_end_date_error")
    assert f"31.03.{year}" in page.inner_text("#id_end_date_error")
    assert not Consultation.objects.exists()
    assert_accessible(page)
    page.fill("#id_end_date", f"{year}-03-31")
    submit(page, "#consultation-form", wait_for="#consultation-state")
    consultation = Consultation.objects.get()
    assert (consultation.kind, consultation.start_date, consultation.end_date) == (
        "publication",
        dt.date(year, 3, 1),
        dt.date(year, 3, 31),
    )
    detail_url = f"/verwaltung/beteiligungen/{consultation.pk}/"
    assert page.url.endswith(detail_url)
    assert_accessible(page)

    # An announced publication opens on the start its Bekanntmachung names: there is no "open now".
    assert "Jetzt öffnen" not in page.inner_text("#period-actions")
    assert page.locator("#action-open").count() == 0

    # 4. The browser cannot wait until March: the planner moves the period to start today and end at the
    #    earliest lawful end, as a planning office does before it announces the period.
    end = regular_end(today)
    page.click("#link-update")
    page.wait_for_selector("#consultation-form")
    assert page.url.endswith(f"/verwaltung/beteiligungen/{consultation.pk}/bearbeiten/")
    assert_accessible(page)
    page.fill("#id_start_date", today.isoformat())
    page.fill("#id_end_date", end.isoformat())
    submit(page, "#consultation-form")
    assert page.url.endswith(detail_url)
    consultation.refresh_from_db()
    assert (consultation.start_date, consultation.end_date) == (today, end)
    assert not consultation.is_open_at()
    assert f"beginnt am {today:%d.%m.%Y}, sobald die Bekanntmachung erfasst ist" in page.inner_text(
        "#consultation-state"
    )
    assert "Jetzt öffnen" not in page.inner_text("#period-actions")

    # Until the Bekanntmachung is recorded, the public plan page offers no statement form.
    citizen_context = browser.new_context(locale="de-DE", base_url=live_server.url)
    citizen = citizen_context.new_page()
    citizen.set_default_timeout(15_000)
    citizen.goto(plan.get_absolute_url())
    citizen.wait_for_selector("#beteiligung")
    assert "sobald die Bekanntmachung erfasst ist" in citizen.locator("#beteiligung").text_content()
    assert citizen.locator("#statement-form").count() == 0

    # 5. The Bekanntmachung: drafted text names today's period, dated today, in the Amtsblatt.
    page.click("#link-bekanntmachung")
    page.wait_for_selector("#bekanntmachung-form")
    assert_accessible(page)
    draft = page.input_value("#id_text")
    assert f"{today:%d.%m.%Y} bis {end:%d.%m.%Y}" in draft and plan.get_absolute_url() in draft
    assert f"01.03.{year}" not in draft
    assert page.input_value("#id_date") == today.isoformat()
    page.check("#id_media_0")
    submit(page, "#bekanntmachung-form", wait_for="#bekanntmachung-state")
    assert f"{today:%d.%m.%Y}" in page.inner_text("#bekanntmachung-state")

    # The period is now open by itself: nobody pressed "open".
    consultation.refresh_from_db()
    assert (consultation.start_date, consultation.end_date) == (today, end) and consultation.is_open_at()
    assert f"Beteiligung läuft bis {end:%d.%m.%Y}" in page.inner_text("#consultation-state")
    actions = page.inner_text("#period-actions")
    assert "Vorzeitig beenden" in actions and "Jetzt öffnen" not in actions

    # 6. A citizen (own browser, not logged in) comments and confirms by e-mail.
    citizen.goto(plan.get_absolute_url())
    citizen.wait_for_selector("#plan-map[data-statements-ready]")
    assert f"Ortsüblich bekannt gemacht am {today:%d.%m.%Y}" in citizen.locator("#beteiligung").text_content()
    assert_accessible(citizen)
    citizen.fill("#id_comment", "Bitte den Erlenbach als Grünzug erhalten.")
    citizen.fill("#id_name", "Carla Bürgerin")
    citizen.fill("#id_email", CITIZEN)
    citizen.check("#id_privacy_consent")
    submit(citizen, "#statement-form")
    statement = Statement.objects.get()
    assert statement.confirmed_at is None
    (confirmation,) = mails_to(CITIZEN)
    citizen.goto(re.search(r"https?://[^/\s]+(/beteiligung/bestaetigen/\S+/)", confirmation.body).group(1))
    with citizen.expect_navigation():
        citizen.get_by_role("button", name="Stellungnahme jetzt bestätigen").click()
    citizen.wait_for_selector(".message--success")
    statement.refresh_from_db()
    assert statement.confirmed_at is not None

    # 7a. The planner closes the period early: reason and the confirmed legal risk.
    page.goto(detail_url)
    page.click("#link-close")
    page.wait_for_selector("#legal-risk")
    assert "§ 214 Abs. 1 Nr. 2 BauGB" in page.inner_text("#legal-risk")
    assert_accessible(page)
    page.fill("#id_reason", "Der Entwurf wird nach einem Ratsbeschluss geändert.")
    page.check("#id_confirm_legal_risk")
    submit(page, "#close-form")
    history = page.locator("table[aria-labelledby=history-heading] tbody tr").all_inner_texts()
    assert "Vorzeitig beendet" in history[-1] and "Ratsbeschluss" in history[-1]
    assert not Consultation.objects.get().is_open_at()

    # 7b. The Abwägung: the only statement gets a decision; publishing is then possible.
    page.goto(f"/verwaltung/abwaegung/{consultation.pk}/")
    assert page.locator("#statement-table tbody tr").count() == 1
    assert "1 Stellungnahme hat noch keine Entscheidung." in page.inner_text("#result-blockers")
    assert_accessible(page)
    page.click(f"#statement-table a[href$='/stellungnahme/{statement.pk}/']")
    page.wait_for_url(f"**/stellungnahme/{statement.pk}/")
    assert_accessible(page)
    page.select_option("#id_decision", "partly")
    page.fill("#id_response", "Ein 15 m breiter Grünstreifen entlang des Erlenbachs wird festgesetzt.")
    submit(page, "#weighing-form")
    assert page.locator("#result-blockers").count() == 0
    assert "teilweise berücksichtigt" in page.inner_text("#statement-table tbody tr")

    # 7c. Publish the result through the confirmation step; the submitter is told.
    page.get_by_role("button", name="Ergebnis veröffentlichen und mitteilen").click()
    page.wait_for_selector("#result-recipients")
    assert "1 Einreichende/r" in page.inner_text("#result-recipients")
    assert page.input_value("#result-council_body") == COUNCIL
    assert_accessible(page)
    page.fill("#result-decided_on", today.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Jetzt veröffentlichen").click()
    page.wait_for_selector(".message--success")
    assert "1 Benachrichtigungen" in page.inner_text(".message--success")
    notice = mails_to(CITIZEN)[-1]
    assert notice is not confirmation and "Ergebnis der Abwägung" in notice.subject
    assert f"Beschlossen von: {COUNCIL}, am {today:%d.%m.%Y}." in notice.body
    assert "teilweise berücksichtigt" in notice.body and "Grünstreifen" in notice.body

    citizen.goto(f"/beteiligung/{consultation.pk}/ergebnis/")
    assert "Grünstreifen" in citizen.content() and "Carla" not in citizen.content()
    citizen_context.close()
    assert page.csp_violations == []
