"""Staff SSO against a real OIDC provider (django-oauth-toolkit, own process): roles from groups, password switch."""

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.urls import reverse

from accounts.models import OidcIdentity
from plans.models import Membership
from tests.accounts.conftest import CLIENT_ID, CLIENT_SECRET, PASSWORD
from tests.factories import MembershipFactory, MunicipalityFactory, PlanFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def usingen():
    return MunicipalityFactory(slug="usingen", name="Usingen")


@pytest.fixture
def sso(settings, oidc_provider, usingen):
    issuer = oidc_provider["issuer"]
    settings.OIDC_ENABLED = True
    settings.OIDC_OP_ISSUER = issuer
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{issuer}/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{issuer}/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{issuer}/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{issuer}/.well-known/jwks.json"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_ROLE_MAP = {"usingen-planung": ["usingen", "planner"], "usingen-moderation": ["usingen", "moderator"]}
    return oidc_provider


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.values[attrs["name"]] = attrs.get("value", "")


def sso_login(client, username, next_url="/verwaltung/"):
    """Run the browser's part: our redirect, the provider's login form, authorize, back to our callback."""
    start = client.get(reverse("accounts:oidc_login") + "?next=" + next_url)
    assert start.status_code == 302
    authorize = start["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"] and query["nonce"]
    browser = requests.Session()
    to_login = browser.get(authorize, allow_redirects=False, timeout=30)
    assert to_login.status_code == 302 and "/login/" in to_login.headers["Location"]
    login_url = requests.compat.urljoin(authorize, to_login.headers["Location"])
    form = _Inputs()
    form.feed(browser.get(login_url, timeout=30).text)
    logged_in = browser.post(
        login_url, data={**form.values, "username": username, "password": PASSWORD}, allow_redirects=False, timeout=30
    )
    assert logged_in.status_code == 302, logged_in.text[:500]
    back = browser.get(requests.compat.urljoin(authorize, logged_in.headers["Location"]), allow_redirects=False)
    callback = back.headers["Location"]
    assert callback.startswith("http://testserver/verwaltung/anmelden/sso/rueckkehr/?")
    parts = urlsplit(callback)
    return client.get(parts.path + "?" + parts.query)


def test_login_page_offers_sso_only_when_enabled(client, settings):
    assert "Mit zentraler Anmeldung (SSO)" not in client.get(reverse("accounts:login")).content.decode()
    assert client.get(reverse("accounts:oidc_login")).status_code == 404
    settings.OIDC_ENABLED = True
    assert "Mit zentraler Anmeldung (SSO)" in client.get(reverse("accounts:login")).content.decode()


def test_group_maps_to_the_planner_role_and_opens_the_plan_cockpit(client, sso, usingen):
    plan = PlanFactory(municipality=usingen)
    response = sso_login(client, "p.planer", next_url=f"/verwaltung/plaene/{plan.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/verwaltung/plaene/{plan.pk}/"
    identity = OidcIdentity.objects.get(issuer=sso["issuer"])
    user = identity.user
    assert (user.username, user.email, user.first_name) == ("p.planer", "p.planer@usingen.example", "Paula")
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert (membership.municipality, membership.role, membership.source) == (usingen, "planner", "oidc")
    assert client.get(f"/verwaltung/plaene/{plan.pk}/").status_code == 200
    # A second login finds the same user by its subject and keeps the one membership.
    client.logout()
    sso_login(client, "p.planer")
    assert OidcIdentity.objects.count() == 1 and Membership.objects.filter(user=user).count() == 1


def test_user_without_mapped_groups_gets_no_role(client, sso, usingen):
    plan = PlanFactory(municipality=usingen)
    response = sso_login(client, "o.ohne")
    assert response.status_code == 302 and "_auth_user_id" in client.session
    user = OidcIdentity.objects.get().user
    assert not Membership.objects.filter(user=user).exists()
    assert client.get(f"/verwaltung/plaene/{plan.pk}/").status_code in (403, 404)


def test_groups_removed_at_the_provider_remove_only_the_sso_role(client, sso, usingen, settings):
    sso_login(client, "p.planer")
    user = OidcIdentity.objects.get().user
    other = MunicipalityFactory(slug="wehrheim")
    MembershipFactory(user=user, municipality=other, role="moderator")  # granted here: stays
    client.logout()
    settings.OIDC_ROLE_MAP = {"usingen-moderation": ["usingen", "moderator"], "x": ["wehrheim", "planner"]}
    sso_login(client, "p.planer")
    assert list(Membership.objects.filter(user=user).values_list("municipality__slug", "role", "source")) == [
        ("wehrheim", "moderator", "local")
    ]


def test_a_user_with_the_same_email_is_not_taken_over(client, sso):
    local = UserFactory(username="p.planer", email="p.planer@usingen.example")
    sso_login(client, "p.planer")
    identity = OidcIdentity.objects.get()
    assert identity.user != local and identity.user.username.startswith("sso-")


def test_trusted_amr_counts_as_second_factor(client, sso, usingen, settings):
    settings.OIDC_MFA_AMR_VALUES = ["otp"]
    sso_login(client, "m.mfa")
    page = client.get(reverse("accounts:two_factor"))
    assert page.context["verified"] is True
    client.logout()
    sso_login(client, "p.planer")  # amr absent: not verified
    assert client.get(reverse("accounts:two_factor")).context["verified"] is False


def test_tampered_state_is_refused(client, sso):
    client.get(reverse("accounts:oidc_login"))
    response = client.get(reverse("accounts:oidc_callback") + "?code=abc&state=forged")
    assert response.status_code == 400 and "_auth_user_id" not in client.session


def test_password_login_refused_where_only_sso_is_allowed(client, settings, usingen):
    settings.OIDC_ENABLED = True
    membership = MembershipFactory(municipality=usingen)
    membership.user.set_password("richtig-und-lang-2026")
    membership.user.save()
    usingen.password_login = False
    usingen.save()
    response = client.post(
        reverse("accounts:login"), {"username": membership.user.username, "password": "richtig-und-lang-2026"}
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert response.context["form"].has_error("__all__", "password_login_off")
    assert "Mit zentraler Anmeldung (SSO)" in response.content.decode()
    # A membership in a municipality that still allows passwords lets the user in.
    MembershipFactory(user=membership.user)
    response = client.post(
        reverse("accounts:login"), {"username": membership.user.username, "password": "richtig-und-lang-2026"}
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session
