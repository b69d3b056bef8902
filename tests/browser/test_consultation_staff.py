"""A planner opens, extends and closes a consultation in the staff UI; the public page follows."""

import datetime as dt

import pytest
from django.utils import timezone

from ..factories import ConsultationFactory, MembershipFactory, PlanFactory
from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_planner_opens_extends_and_closes_consultation(page):
    today = timezone.localdate()
    # § 3 Abs. 1: opened "now" by staff (an announced § 3 Abs. 2 publication opens on its start date instead,
    # and its early close asks for the legal risk: tests/browser/test_procedure_end_to_end.py).
    consultation = ConsultationFactory(
        kind="early", start_date=today + dt.timedelta(days=7), end_date=today + dt.timedelta(days=45), moderation="post"
    )
    membership = MembershipFactory(municipality=consultation.plan.municipality, user__username="planerin")
    plan_url = consultation.plan.get_absolute_url()

    page.goto(plan_url)
    assert page.locator("#statement-form").count() == 0
    assert "beginnt am" in page.locator("#beteiligung").inner_text()

    page.goto(f"/verwaltung/anmelden/?next=/verwaltung/beteiligungen/{consultation.pk}/")
    page.fill("#id_username", membership.user.username)
    page.fill("#id_password", "secret-pass")
    page.click("input[type=submit]")
    page.wait_for_selector("#consultation-state")
    assert run_axe(page) == []

    page.fill("#id_open-reason", "Bekanntmachung im Amtsblatt erschienen")
    page.click("#action-open button[type=submit]")
    page.wait_for_selector(".message--success")
    page.goto(plan_url)
    assert page.locator("#statement-form").count() == 1
    assert "Beteiligung läuft bis" in page.locator("#beteiligung").inner_text()

    page.goto(f"/verwaltung/beteiligungen/{consultation.pk}/")
    new_end = consultation.end_date + dt.timedelta(days=10)
    page.fill("#id_extend-end_date", new_end.isoformat())
    page.fill("#id_extend-reason", "Wunsch des Ortsbeirats")
    page.click("#action-extend button[type=submit]")
    page.wait_for_selector(".message--success")
    page.goto(plan_url)
    assert f"bis {new_end:%d.%m.%Y}, 24:00 Uhr" in page.locator("#beteiligung").inner_text()

    page.goto(f"/verwaltung/beteiligungen/{consultation.pk}/")
    page.click("#link-close")
    page.wait_for_selector("#close-form")
    assert page.locator("#legal-risk").count() == 0  # no statutory minimum for § 3 Abs. 1
    assert run_axe(page) == []
    page.fill("#id_reason", "Unterlagen unvollständig")
    page.click("#close-form button[type=submit]")
    page.wait_for_selector(".message--success")
    rows = page.locator("table[aria-labelledby=history-heading] tbody tr").all_inner_texts()
    assert len(rows) == 3
    assert "Geöffnet" in rows[0] and "Bekanntmachung im Amtsblatt" in rows[0] and "planerin" in rows[0]
    assert "Verlängert" in rows[1] and "Wunsch des Ortsbeirats" in rows[1]
    assert "Vorzeitig beendet" in rows[2] and "Unterlagen unvollständig" in rows[2]

    page.goto(plan_url)
    assert page.locator("#statement-form").count() == 0
    assert "beendet am" in page.locator("#beteiligung").inner_text()
    assert page.csp_violations == []


def test_planner_creates_consultation_and_records_bekanntmachung(page):
    plan = PlanFactory()
    membership = MembershipFactory(municipality=plan.municipality, user__username="planer2")
    year = timezone.localdate().year + 1
    page.goto(f"/verwaltung/anmelden/?next=/verwaltung/plaene/{plan.pk}/beteiligungen/neu/")
    page.fill("#id_username", membership.user.username)
    page.fill("#id_password", "secret-pass")
    page.click("input[type=submit]")
    page.wait_for_selector("#consultation-form")
    assert run_axe(page) == []
    page.select_option("#id_kind", "publication")
    page.fill("#id_start_date", f"{year}-03-01")
    page.fill("#id_end_date", f"{year}-03-30")
    page.click("#consultation-form button[type=submit]")
    page.wait_for_selector("#id_end_date_error")
    assert f"31.03.{year}" in page.locator("#id_end_date_error").inner_text()
    assert run_axe(page) == []
    page.fill("#id_end_date", f"{year}-03-31")
    page.click("#consultation-form button[type=submit]")
    page.wait_for_selector("#consultation-state")
    page.click("#link-bekanntmachung")
    page.wait_for_selector("#bekanntmachung-form")
    assert run_axe(page) == []
    assert f"01.03.{year} bis 31.03.{year}" in page.input_value("#id_text")
    page.fill("#id_date", f"{year}-02-20")
    page.check("#id_media_0")
    page.click("#bekanntmachung-form button[type=submit]")
    page.wait_for_selector("#bekanntmachung-state")
    assert f"20.02.{year}" in page.locator("#bekanntmachung-state").inner_text()
    assert page.csp_violations == []
