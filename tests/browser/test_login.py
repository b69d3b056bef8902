"""The staff login, the two-factor setup page and the lockout page pass axe-core and need no inline script."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import MembershipFactory

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_and_two_factor_setup_by_keyboard(page):
    user = MembershipFactory().user
    page.goto("/verwaltung/beteiligungen/")
    page.get_by_role("heading", name="Anmeldung für die Verwaltung").wait_for()
    assert run_axe(page) == []
    page.get_by_label("Benutzername").fill(user.username)
    page.get_by_label("Passwort").fill("secret-pass")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "anmelden" not in url and url.endswith("/verwaltung/beteiligungen/"))
    page.goto("/verwaltung/zwei-faktor/einrichten/")
    assert page.locator(".qr-code svg").count() == 1
    assert run_axe(page) == []
    device = TOTPDevice.objects.get(user=user)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Code aus der Authenticator-App").fill(f"{code:06d}")
    page.get_by_role("button", name="Bestätigen und einschalten").click()
    page.get_by_text("Die Zwei-Faktor-Anmeldung ist eingerichtet.").wait_for()
    assert run_axe(page) == []
    assert page.csp_violations == []
