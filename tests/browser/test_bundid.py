"""A citizen logs in with BundID (a pysaml2 IdP on localhost), comments without e-mail confirmation, finds it listed."""

import pytest
from django.core import mail

from participation.models import Statement
from tests.accounts.conftest import bundid_idp  # noqa: F401  # the IdP fixture, shared with tests/accounts
from tests.accounts.test_bundid import ERIKA
from tests.factories import ConsultationFactory

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bundid_site_url(live_server):
    return live_server.url


def test_citizen_comments_with_bundid_and_sees_my_statements(page, bundid_idp, settings):  # noqa: F811
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    bundid_idp.citizen, bundid_idp.name_id = ERIKA, "erika"
    consultation = ConsultationFactory(moderation="post")
    page.goto(consultation.plan.get_absolute_url())
    page.get_by_role("link", name="Mit BundID anmelden (freiwillig)").click()
    page.get_by_text("mit BundID angemeldet als Erika Mustermann").first.wait_for()
    assert page.get_by_label("E-Mail-Adresse").count() == 0
    assert run_axe(page) == []
    page.get_by_label("Ihre Stellungnahme").fill("Bitte einen sicheren Schulweg einplanen.")
    page.get_by_label("Ich habe die Datenschutzhinweise zur Kenntnis genommen.").check()
    page.get_by_role("button", name="Stellungnahme abschicken").click()
    page.wait_for_function("() => !location.pathname.includes('/stellungnahme/')")
    statement = Statement.objects.get()
    assert statement.confirmed_at is not None and statement.identified_with == "bundid" and mail.outbox == []
    page.goto("/beteiligung/meine-stellungnahmen/")
    page.get_by_text("Bitte einen sicheren Schulweg einplanen.").wait_for()
    assert run_axe(page) == []
    page.get_by_role("button", name="Von BundID abmelden").click()
    page.get_by_role("link", name="Mit BundID anmelden").wait_for()
    assert run_axe(page) == []
    assert page.csp_violations == []


def test_login_page_with_sso_button_passes_axe(page, settings):
    settings.OIDC_ENABLED = True
    page.goto("/verwaltung/anmelden/")
    page.get_by_role("link", name="Mit zentraler Anmeldung (SSO)").wait_for()
    assert run_axe(page) == []
    assert page.csp_violations == []
