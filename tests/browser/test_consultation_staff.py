"""A planner opens, extends and closes a consultation in the staff UI; the public page follows."""

import datetime as dt

import pytest
from django.utils import timezone

from ..factories import ConsultationFactory, MembershipFactory
from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_planner_opens_extends_and_closes_consultation(page):
    today = timezone.localdate()
    consultation = ConsultationFactory(
        start_date=today + dt.timedelta(days=7), end_date=today + dt.timedelta(days=45), moderation="post"
    )
    membership = MembershipFactory(municipality=consultation.plan.municipality, user__username="planerin")
    plan_url = consultation.plan.get_absolute_url()

    page.goto(plan_url)
    assert page.locator("#statement-form").count() == 0
    assert "beginnt am" in page.locator("#beteiligung").inner_text()

    page.goto(f"/admin/login/?next=/verwaltung/beteiligungen/{consultation.pk}/")
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
    page.fill("#id_close-reason", "Unterlagen unvollständig")
    page.click("#action-close button[type=submit]")
    page.wait_for_selector(".message--success")
    rows = page.locator(".history-table tbody tr").all_inner_texts()
    assert len(rows) == 3
    assert "Geöffnet" in rows[0] and "Bekanntmachung im Amtsblatt" in rows[0] and "planerin" in rows[0]
    assert "Verlängert" in rows[1] and "Wunsch des Ortsbeirats" in rows[1]
    assert "Vorzeitig beendet" in rows[2] and "Unterlagen unvollständig" in rows[2]

    page.goto(plan_url)
    assert page.locator("#statement-form").count() == 0
    assert "beendet am" in page.locator("#beteiligung").inner_text()
    assert page.csp_violations == []
