"""The authority's access link over HTTP: the page behind a good link, and every refused link."""

# The fixtures come from access_setup (tests/authorities/conftest.py belongs to the address-book tests).
# ruff: noqa: F811

import datetime as dt
import json

import pytest
from django.utils import timezone

from participation.authorities.models import InvitationAction
from participation.authorities.tokens import make_token, new_key
from plans.models import Plan

from ..factories import DocumentFactory, FeatureFactory, LayerFactory, MunicipalityFactory, StatementFactory
from .access_setup import _immediate_tasks, access_url, invitation, round_  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.django_db]

OWN_HOST = "plaene.usingen.example"


def test_good_link_shows_plan_deadline_documents_map_and_forms_and_records_the_first_opening(client, invitation):
    plan = invitation.consultation.plan
    document = DocumentFactory(plan=plan, title="Begründung zum Entwurf")
    response = client.get(access_url(invitation))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Wasserbehörde Hochtaunuskreis – Untere Wasserbehörde" in page
    assert f"bis {invitation.deadline:%d.%m.%Y}, 24:00 Uhr (noch 21 Tage)" in page
    assert "Begründung zum Entwurf" in page and f"/{document.pk}/" in page
    assert 'id="plan-map"' in page and 'id="statement-form"' in page and 'id="no-objections-form"' in page
    assert 'value="wasser@hochtaunuskreis.example"' in page  # the receipt address is prefilled
    config = json.loads(page.split('id="plan-map-config" type="application/json">')[1].split("</script>")[0])
    assert config["plan_id"] == plan.pk and json.loads(config["area"])["type"] == "MultiPolygon"
    invitation.refresh_from_db()
    assert invitation.opened_at is not None
    assert list(invitation.actions.values_list("kind", flat=True)) == [InvitationAction.Kind.OPEN]

    opened = invitation.opened_at
    assert client.get(access_url(invitation)).status_code == 200
    invitation.refresh_from_db()
    assert invitation.opened_at == opened and invitation.actions.count() == 1  # only the first opening is logged


def test_page_keeps_the_token_private_no_index_no_referrer_to_other_sites_no_stored_copy(client, invitation):
    response = client.get(access_url(invitation))
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_document_links_lead_to_the_public_documents(client, invitation):
    document = DocumentFactory(plan=invitation.consultation.plan, title="Begründung zum Entwurf")
    page = client.get(access_url(invitation)).content.decode()
    link = page.split("Begründung zum Entwurf</a>")[0].rsplit('<a href="', 1)[1].split('"')[0]
    assert str(document.pk) in link
    assert client.get(link).status_code == 200


def test_plan_features_can_be_chosen_without_the_map(client, invitation):
    layer = LayerFactory(plan=invitation.consultation.plan, name="Baufelder")
    FeatureFactory(layer=layer, properties={"name": "WA 1"})
    page = client.get(access_url(invitation)).content.decode()
    assert '<select name="feature"' in page and "Baufelder: WA 1" in page


def test_page_lists_the_statements_this_authority_already_submitted_but_no_others(client, invitation):
    own = StatementFactory(
        consultation=invitation.consultation, invitation=invitation, channel="authority", comment="Unsere Auflagen."
    )
    StatementFactory(consultation=invitation.consultation, comment="Stellungnahme einer anderen Stelle.")
    page = client.get(access_url(invitation)).content.decode()
    assert "Unsere Auflagen." in page and f"/eingang/{own.pk}/" in page
    assert "einer anderen Stelle" not in page


def test_after_the_deadline_the_page_says_answers_are_still_accepted_but_flagged(client, invitation):
    invitation.deadline = timezone.localdate() - dt.timedelta(days=2)
    invitation.save()
    page = client.get(access_url(invitation)).content.decode()
    assert f"Die Frist ist am {invitation.deadline:%d.%m.%Y}, 24:00 Uhr, abgelaufen." in page
    assert "als verspätet gekennzeichnet" in page and 'id="statement-form"' in page


def _assert_refused(response, status, invitation, words):
    assert response.status_code == status
    page = response.content.decode()
    assert words in page
    for secret in ("Wasserbehörde", invitation.consultation.plan.title, 'id="statement-form"'):
        assert secret not in page
    assert response["Referrer-Policy"] == "same-origin" and response["X-Robots-Tag"] == "noindex, nofollow"


def test_tampered_link_is_refused_and_nothing_recorded(client, invitation):
    token = make_token(invitation)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    _assert_refused(client.get(f"/behoerden/zugang/{tampered}/"), 404, invitation, "Zugangslink ist ungültig")
    _assert_refused(client.get("/behoerden/zugang/kein-token/"), 404, invitation, "Zugangslink ist ungültig")
    invitation.refresh_from_db()
    assert invitation.opened_at is None and not invitation.actions.exists()


def test_revoked_link_is_refused(client, invitation):
    url = access_url(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save()
    _assert_refused(client.get(url), 410, invitation, "Zugangslink gilt nicht mehr")


def test_re_sent_link_replaces_the_old_one(client, invitation):
    old_url = access_url(invitation)
    invitation.key = new_key()  # what re-sending does
    invitation.save()
    _assert_refused(client.get(old_url), 410, invitation, "Zugangslink gilt nicht mehr")
    assert client.get(access_url(invitation)).status_code == 200


def test_link_on_another_municipalitys_domain_is_refused(client, invitation, settings):
    settings.ALLOWED_HOSTS = ["testserver", OWN_HOST]
    MunicipalityFactory(name="Usingen", domain=OWN_HOST)
    _assert_refused(client.get(access_url(invitation), HTTP_HOST=OWN_HOST), 404, invitation, "ungültig")
    invitation.refresh_from_db()
    assert invitation.opened_at is None


def test_link_on_the_own_municipalitys_domain_works(client, invitation, settings):
    settings.ALLOWED_HOSTS = ["testserver", OWN_HOST]
    municipality = invitation.consultation.plan.municipality
    municipality.domain = OWN_HOST
    municipality.save()
    assert client.get(access_url(invitation), HTTP_HOST=OWN_HOST).status_code == 200


@pytest.mark.parametrize("status", [Plan.Status.DRAFT, Plan.Status.WITHDRAWN])
def test_link_to_an_unpublished_plan_is_refused(client, invitation, status):
    plan = invitation.consultation.plan
    plan.status = status
    plan.save()
    _assert_refused(client.get(access_url(invitation)), 410, invitation, "derzeit nicht online")


def test_receipt_of_another_invitations_statement_is_not_shown(client, invitation):
    other = StatementFactory(consultation=invitation.consultation, comment="Fremder Text")
    response = client.get(f"{access_url(invitation)}eingang/{other.pk}/")
    assert response.status_code == 404 and "Fremder Text" not in response.content.decode()
    assert client.get(f"{access_url(invitation)}eingang/{other.pk}/pdf/").status_code == 404
