"""BundID for citizens against a pysaml2 IdP started in the test: SP metadata, signed login, statement, my list."""

import base64
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
import requests
from django.urls import reverse

from accounts.bundid import BPK2, subject_hash
from participation.models import Statement
from tests.factories import ConsultationFactory
from tests.participation.test_views import form_data

pytestmark = pytest.mark.django_db

ERIKA = {
    BPK2: ["bpk2-erika-4711"],
    "givenName": ["Erika"],
    "sn": ["Mustermann"],
    "postalAddress": ["Hauptstraße 1"],
    "postalCode": ["61250"],
    "l": ["Usingen"],
    "mail": ["erika@example.org"],
}


def bundid_login(client, idp, next_path="/"):
    """Follow the browser through our redirect, the IdP's answer (auto-POST form) and our ACS."""
    start = client.get(reverse("accounts:bundid_login") + "?next=" + next_path)
    assert start.status_code == 302 and start["Location"].startswith(idp.base + "/sso/redirect?SAMLRequest=")
    assert "Signature=" in start["Location"]  # our AuthnRequest is signed
    page = requests.get(start["Location"], timeout=30)
    assert page.status_code == 200, page.text[:300]
    action = unescape(re.search(r'action="([^"]+)"', page.text).group(1))
    saml_response = re.search(r'name="SAMLResponse" value="([^"]+)"', page.text).group(1)
    assert urlsplit(action).path == reverse("accounts:bundid_acs")
    return client.post(urlsplit(action).path, {"SAMLResponse": saml_response, "RelayState": ""}), saml_response


def test_sp_metadata_requests_the_bundid_attributes(client, bundid_idp):
    metadata = client.get(reverse("accounts:bundid_metadata")).content.decode()
    assert 'entityID="http://testserver/bundid/metadata/"' in metadata
    assert "http://testserver/bundid/acs/" in metadata and "X509Certificate" in metadata
    assert BPK2 in metadata and "urn:oid:2.5.4.42" in metadata and "urn:oid:2.5.4.16" in metadata


def test_bundid_is_off_unless_configured(client):
    for name in ("accounts:bundid_metadata", "accounts:bundid_login", "participation:my_statements"):
        assert client.get(reverse(name)).status_code == 404


def test_bundid_statement_needs_no_confirmation_and_is_listed(
    client, bundid_idp, mailoutbox, django_capture_on_commit_callbacks, settings
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # a queued mail would stay here
    consultation = ConsultationFactory(moderation="post")
    plan_url = consultation.plan.get_absolute_url()
    bundid_idp.citizen, bundid_idp.name_id = ERIKA, "erika-nameid"
    guest_page = client.get(plan_url).content.decode()
    assert "Mit BundID anmelden" in guest_page and 'name="email"' in guest_page
    session_before = client.session.session_key
    response, _saml = bundid_login(client, bundid_idp, next_path=plan_url)
    assert response.status_code == 302 and response["Location"] == plan_url
    assert client.session.session_key != session_before  # new session key at login
    page = client.get(plan_url).content.decode()
    assert "mit BundID angemeldet als Erika Mustermann" in page and 'name="email"' not in page

    data = form_data(consultation, comment="Bitte einen Radweg zum Bahnhof.")
    del data["name"], data["email"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("participation:statement_create", args=[consultation.pk]), data)
    assert response.status_code == 302
    statement = Statement.objects.get()
    assert mailoutbox == [] and not DBTaskResult.objects.exists()
    assert statement.confirmed_at is not None and statement.is_public
    assert (statement.user_name, statement.user_email, statement.postal_address) == (
        "Erika Mustermann",
        "erika@example.org",
        "Hauptstraße 1, 61250 Usingen",
    )
    assert statement.identified_with == "bundid"
    assert statement.identity_subject == subject_hash(issuer=bundid_idp.entity_id, value="bpk2-erika-4711")
    assert "bpk2-erika-4711" not in statement.identity_subject

    mine = client.get(reverse("participation:my_statements"))
    assert mine.status_code == 200 and "Bitte einen Radweg zum Bahnhof." in mine.content.decode()
    assert mine["Cache-Control"].startswith("private") or "no-store" in mine["Cache-Control"]
    # Another citizen's list does not show it.
    client.post(reverse("accounts:bundid_logout"))
    bundid_idp.citizen = {**ERIKA, BPK2: ["bpk2-max-1"], "givenName": ["Max"]}
    bundid_login(client, bundid_idp, next_path=reverse("participation:my_statements"))
    assert "Bitte einen Radweg" not in client.get(reverse("participation:my_statements")).content.decode()


def test_replayed_or_forged_response_is_refused(client, bundid_idp):
    bundid_idp.citizen, bundid_idp.name_id = ERIKA, "erika-nameid"
    response, saml_response = bundid_login(client, bundid_idp)
    assert response.status_code == 302
    client.post(reverse("accounts:bundid_logout"))
    replay = client.post(reverse("accounts:bundid_acs"), {"SAMLResponse": saml_response})
    assert replay.status_code == 400 and "pb_bundid" not in client.session
    forged = client.post(reverse("accounts:bundid_acs"), {"SAMLResponse": "PHNhbWw+"})
    assert forged.status_code == 400
    # A fresh, signed response whose name was changed on the way fails the signature check.
    _response, _saml = bundid_login(client, bundid_idp)  # noqa: F841  # proves the fresh login works untampered
    client.post(reverse("accounts:bundid_logout"))
    start = client.get(reverse("accounts:bundid_login"))
    page = requests.get(start["Location"], timeout=30).text
    xml = base64.b64decode(re.search(r'name="SAMLResponse" value="([^"]+)"', page).group(1))
    assert b"Erika" in xml and b'Name="urn:oid:2.5.4.42"' in xml and BPK2.encode() in xml  # BundID's OID names
    tampered = base64.b64encode(xml.replace(b"Erika", b"Eve")).decode()
    response = client.post(reverse("accounts:bundid_acs"), {"SAMLResponse": tampered})
    assert response.status_code == 400 and "pb_bundid" not in client.session


def test_login_never_redirects_to_another_site(client, bundid_idp):
    bundid_idp.citizen, bundid_idp.name_id = ERIKA, "erika-nameid"
    response, _saml = bundid_login(client, bundid_idp, next_path="//evil.example/")
    assert response.status_code == 302 and response["Location"] == "/"
