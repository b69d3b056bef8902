"""A citizen subscribes to alerts by keyboard; a planner approves an announcement in the staff UI."""

import pytest
from django.core import mail

from participation.announcements.models import Subscription
from tests.factories import AnnouncementFactory, MembershipFactory, PlanFactory

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_subscribe_by_keyboard_without_wcag_violations(page):
    plan = PlanFactory()
    url = f"/{plan.municipality.slug}/benachrichtigungen/"
    page.goto(url)
    page.wait_for_selector("#subscribe-map[data-ready]")
    assert run_axe(page) == []
    page.locator("#subscribe-map").click()  # the map fills the coordinates and selects "area"
    assert page.get_by_label("Breitengrad").input_value() != ""
    assert page.get_by_label("Nur neue Pläne in der Nähe eines Ortes").is_checked()
    page.get_by_label("E-Mail-Adresse").fill("anwohnerin@example.org")
    page.get_by_label("Nur neue Pläne in der Nähe eines Ortes").check()
    page.get_by_label("Breitengrad").fill("50.335")
    page.get_by_label("Längengrad").fill("8.537")
    page.get_by_label("Umkreis").select_option("1000")
    page.get_by_role("button", name="Benachrichtigung bestellen").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Fast geschafft").wait_for()
    subscription = Subscription.objects.get()
    assert (subscription.radius_m, round(subscription.point.y, 3)) == (1000, 50.335)
    assert len(mail.outbox) == 1
    assert run_axe(page) == []
    assert page.csp_violations == []


def test_planner_approves_announcement(page, live_server):
    membership = MembershipFactory()
    user = membership.user
    announcement = AnnouncementFactory(plan=PlanFactory(municipality=membership.municipality), title="Los geht’s")
    page.goto("/verwaltung/anmelden/?next=/verwaltung/ankuendigungen/")
    page.get_by_label("Benutzername").fill(user.username)
    page.get_by_label("Passwort").fill("secret-pass")
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("link", name=announcement.title).click()
    page.get_by_text("von 280 Zeichen").wait_for()
    assert run_axe(page) == []
    page.get_by_role("button", name="Freigeben").click()
    page.get_by_text("Freigegeben. Die Beiträge werden").wait_for()
    assert page.get_by_role("cell", name="Übersprungen (Kanal nicht eingerichtet)").count() == 3
    assert run_axe(page) == []
    assert page.csp_violations == []
