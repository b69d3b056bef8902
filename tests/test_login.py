"""Staff login: lockout after repeated failures, password reset by e-mail, TOTP two-factor, MFA for exports."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from plans import rules
from tests.factories import ConsultationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "richtig-und-lang-2026"
LOGIN = reverse("accounts:login")


@pytest.fixture
def planner():
    membership = MembershipFactory(role="planner", user__email="planung@example.org")
    membership.user.set_password(PASSWORD)
    membership.user.save()
    return membership


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def code_for(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def reset_throttle(device: TOTPDevice) -> None:
    """Forget django-otp's back-off after a deliberately wrong code (it would refuse the next try for a while)."""
    device.refresh_from_db()
    device.throttle_reset()


def test_login_page_is_german_and_logs_in(client, planner):
    page = client.get(LOGIN + "?next=/verwaltung/beteiligungen/")
    assert page.status_code == 200 and "Anmeldung für die Verwaltung" in page.content.decode()
    response = client.post(
        LOGIN, {"username": planner.user.username, "password": PASSWORD, "next": "/verwaltung/beteiligungen/"}
    )
    assert response.status_code == 302 and response["Location"] == "/verwaltung/beteiligungen/"
    assert is_logged_in(client)
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert not is_logged_in(client)


def test_lockout_after_five_failures_refuses_the_right_password(client, planner):
    for _ in range(5):
        response = client.post(LOGIN, {"username": planner.user.username, "password": "falsch"})
    assert response.status_code == 429
    response = client.post(LOGIN, {"username": planner.user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.content.decode()
    assert "15 Minuten" in response.content.decode()
    assert not is_logged_in(client)
    # Keyed by user name and client address: the same user from another address is not locked out.
    other = client.post(LOGIN, {"username": planner.user.username, "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302 and is_logged_in(client)


def test_lockout_is_keyed_by_the_client_behind_the_trusted_proxy(client, planner, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(5):
        client.post(
            LOGIN,
            {"username": planner.user.username, "password": "falsch"},
            **proxy,
            HTTP_X_FORWARDED_FOR="203.0.113.5",
        )
    locked = client.post(
        LOGIN, {"username": planner.user.username, "password": PASSWORD}, **proxy, HTTP_X_FORWARDED_FOR="203.0.113.5"
    )
    assert locked.status_code == 429 and not is_logged_in(client)
    # A forged entry before the proxy's own does not get the locked-out client a fresh address.
    forged = client.post(
        LOGIN,
        {"username": planner.user.username, "password": PASSWORD},
        **proxy,
        HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.5",
    )
    assert forged.status_code == 429
    other = client.post(
        LOGIN, {"username": planner.user.username, "password": PASSWORD}, **proxy, HTTP_X_FORWARDED_FOR="198.51.100.9"
    )
    assert other.status_code == 302 and is_logged_in(client)


def test_spoofed_forwarded_for_without_trusted_proxy_does_not_escape_the_lockout(client, planner, settings):
    settings.TRUSTED_PROXIES, settings.PROXY_COUNT = [], 0
    for i in range(5):
        client.post(
            LOGIN, {"username": planner.user.username, "password": "falsch"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}"
        )
    response = client.post(
        LOGIN, {"username": planner.user.username, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.9"
    )
    assert response.status_code == 429 and not is_logged_in(client)


def test_admin_login_goes_through_the_staff_login(client, planner):
    superuser = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    response = client.post(reverse("admin:login"), {"username": superuser.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not is_logged_in(client)
    for _ in range(5):
        client.post(LOGIN, {"username": "root", "password": "falsch", "next": "/admin/"})
    assert client.post(LOGIN, {"username": "root", "password": PASSWORD, "next": "/admin/"}).status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302


def test_password_reset_mail_link_sets_a_new_password(client, planner, settings):
    settings.SITE_URL = "https://beteiligung.example"
    response = client.post(reverse("accounts:password_reset"), {"email": "planung@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["planung@example.org"] and "Passwort" in message.subject
    link = re.search(r"https://beteiligung\.example(/verwaltung/passwort/neu/\S+/)", message.body).group(1)
    form_url = client.get(link)["Location"]  # Django moves the token into the session
    page = client.get(form_url)
    assert "Neues Passwort festlegen" in page.content.decode()
    done = client.post(form_url, {"new_password1": "Ganz-neues-Passwort-7", "new_password2": "Ganz-neues-Passwort-7"})
    assert done.status_code == 302
    login = client.post(LOGIN, {"username": planner.user.username, "password": "Ganz-neues-Passwort-7"})
    assert login.status_code == 302 and is_logged_in(client)


def test_password_reset_does_not_reveal_unknown_addresses(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "niemand@example.org"})
    assert response.status_code == 302 and mail.outbox == []


def test_totp_setup_then_login_asks_for_the_code(client, planner):
    client.force_login(planner.user)
    page = client.get(reverse("accounts:two_factor_setup")).content.decode()
    device = TOTPDevice.objects.get(user=planner.user, confirmed=False)
    assert re.search(r'<div class="qr-code"><svg [^>]*>', page)  # inline SVG, no script
    secret = re.search(r'<code class="otp-secret">([A-Z2-7 ]+)</code>', page).group(1)
    assert secret.replace(" ", "")
    wrong = client.post(reverse("accounts:two_factor_setup"), {"token": "000000"})
    assert "Der Code ist falsch" in wrong.content.decode()
    reset_throttle(device)
    client.post(reverse("accounts:two_factor_setup"), {"token": code_for(device)})
    device.refresh_from_db()
    assert device.confirmed
    client.post(reverse("accounts:logout"))

    response = client.post(LOGIN, {"username": planner.user.username, "password": PASSWORD})
    assert response["Location"] == reverse("accounts:login_code") and not is_logged_in(client)
    refused = client.post(reverse("accounts:login_code"), {"token": "123456"})
    assert refused.status_code == 200 and not is_logged_in(client)
    reset_throttle(device)
    response = client.post(reverse("accounts:login_code"), {"token": code_for(device, drift=1)})
    assert response.status_code == 302 and is_logged_in(client)
    assert client.session["otp_device_id"] == device.persistent_id


def test_code_step_without_password_step_returns_to_login(client):
    assert client.get(reverse("accounts:login_code"))["Location"] == LOGIN


def test_mfa_required_gates_personal_data_export(client, planner):
    planner.municipality.mfa_required = True
    planner.municipality.save()
    consultation = ConsultationFactory(plan__municipality=planner.municipality)
    url = reverse("workbench:export", args=[consultation.pk, "csv"]) + "?personal=1"
    client.force_login(planner.user)
    refused = client.get(url)
    assert refused.status_code == 403
    assert "Zwei-Faktor-Anmeldung einrichten" in refused.content.decode()
    assert reverse("accounts:two_factor_setup") in refused.content.decode()
    assert client.get(url.replace("?personal=1", "")).status_code == 200  # anonymised export stays open

    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=planner.user)
    client.post(reverse("accounts:two_factor_setup"), {"token": code_for(device)})
    assert client.get(url).status_code == 200


def test_export_rule_needs_a_verified_session_only_where_required(planner):
    municipality = planner.municipality
    assert rules.can_export_personal_data(planner.user, municipality)
    municipality.mfa_required = True
    assert not rules.can_export_personal_data(planner.user, municipality)
    assert rules.can_export_personal_data(rules.SYSTEM, municipality)
    moderator = MembershipFactory(municipality=municipality, role="moderator").user
    moderator.is_verified = lambda: True
    assert not rules.can_export_personal_data(moderator, municipality)
    planner.user.is_verified = lambda: True
    assert rules.can_export_personal_data(planner.user, municipality)
    assert not rules.can_export_personal_data(UserFactory(), municipality)
