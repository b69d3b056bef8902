"""A municipality's own domain: its start page, its plans, its sender and links in its mails."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from plans.links import absolute_url
from plans.mail import send_templated_mail
from plans.models import Municipality
from tests.factories import ConsultationFactory, MunicipalityFactory, PlanFactory, UserFactory, square
from tests.participation.test_views import form_data

from .conftest import USINGEN_HOST

pytestmark = pytest.mark.django_db


@pytest.fixture
def towns(usingen, hosts):
    other = MunicipalityFactory(name="Neu-Anspach", slug="neu-anspach", boundary=square(8.6, 50.4, 0.1))
    return {
        "usingen": PlanFactory(municipality=usingen, title="Am Riedborn"),
        "other": PlanFactory(municipality=other, title="Feldbergblick"),
    }


def test_own_domain_shows_only_that_municipalitys_start_page(client, towns):
    response = client.get("/", HTTP_HOST=USINGEN_HOST)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Pläne in Usingen" in page and "Am Riedborn" in page
    assert "Feldbergblick" not in page
    assert 'name="gemeinde"' not in page
    assert response.context["map_config"]["params"] == {"gemeinde": "usingen"}
    # ?gemeinde= cannot widen it
    assert "Feldbergblick" not in client.get("/", {"gemeinde": "neu-anspach"}, HTTP_HOST=USINGEN_HOST).content.decode()


def test_own_domain_api_lists_only_that_municipalitys_plans(client, towns):
    for params in ({}, {"municipality": "neu-anspach"}, {"zoom": "5", "bbox": "5,47,15,55"}):
        data = client.get(reverse("plans:api_list"), params, HTTP_HOST=USINGEN_HOST).json()
        assert data["numberMatched"] == 1, params
    data = client.get(reverse("plans:api_list"), HTTP_HOST=USINGEN_HOST).json()
    assert data["features"][0]["properties"]["url"] == f"http://{USINGEN_HOST}{towns['usingen'].get_absolute_url()}"
    other = towns["other"]
    assert client.get(reverse("plans:api_detail", args=[other.pk]), HTTP_HOST=USINGEN_HOST).status_code == 404


def test_unknown_and_main_hosts_show_all_municipalities(client, towns):
    for host in ("plaene.example.org", "testserver"):
        page = client.get("/", HTTP_HOST=host).content.decode()
        assert "Am Riedborn" in page and "Feldbergblick" in page, host
        assert 'name="gemeinde"' in page


def test_own_domain_redirects_another_municipalitys_pages_to_their_address(client, towns):
    other = towns["other"]
    response = client.get(other.get_absolute_url(), HTTP_HOST=USINGEN_HOST)
    assert response.status_code == 302
    assert response["Location"] == f"https://beteiligung.example{other.get_absolute_url()}"
    own = client.get(towns["usingen"].get_absolute_url(), HTTP_HOST=USINGEN_HOST)
    assert own.status_code == 200 and "Am Riedborn" in own.content.decode()


def test_domain_change_takes_effect_at_once(client, towns):
    usingen = towns["usingen"].municipality
    assert "Feldbergblick" not in client.get("/", HTTP_HOST=USINGEN_HOST).content.decode()
    usingen.domain = ""
    usingen.save()
    assert "Feldbergblick" in client.get("/", HTTP_HOST=USINGEN_HOST).content.decode()


def test_statement_mail_comes_from_the_municipality_with_links_to_its_domain(
    client, towns, mailoutbox, django_capture_on_commit_callbacks
):
    consultation = ConsultationFactory(plan=towns["usingen"], moderation="post")
    data = form_data(
        consultation, comment="Bitte den Radweg erhalten.", form_token="6f1c2a52-8d0b-4a4e-9a57-0c43d2f3e001"
    )
    url = reverse("participation:statement_create", args=[consultation.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data, HTTP_HOST=USINGEN_HOST)
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.from_email == "Stadt Usingen <beteiligung@usingen.de>"
    link = re.search(r"(https://\S+/beteiligung/bestaetigen/\S+/)", message.body).group(1)
    assert link.startswith(f"https://{USINGEN_HOST}/")
    assert client.get(link.removeprefix(f"https://{USINGEN_HOST}"), HTTP_HOST=USINGEN_HOST).status_code == 200


def test_mail_of_a_municipality_without_sender_uses_the_installation_sender(hosts, settings):
    plan = PlanFactory()
    send_templated_mail(
        to=["a@example.org"],
        subject="Test",
        body_template="announcements/mail/plan_alert.txt",
        context={"plan": plan, "municipality": plan.municipality, "plan_url": absolute_url(plan.get_absolute_url())},
        headers={"List-Unsubscribe": "<https://beteiligung.example/abo/x/>"},
    )
    message = mail.outbox[0]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert f"https://beteiligung.example{plan.get_absolute_url()}" in message.body
    assert message.extra_headers["List-Unsubscribe"] == "<https://beteiligung.example/abo/x/>"


def test_mail_headers_and_links_move_to_the_municipality_domain(usingen, hosts):
    plan = PlanFactory(municipality=usingen)
    send_templated_mail(
        to=["a@example.org"],
        subject="Test",
        body_template="announcements/mail/plan_alert.txt",
        context={"plan": plan, "municipality": usingen, "unsubscribe_url": "https://beteiligung.example/abo/x/"},
        headers={"List-Unsubscribe": "<https://beteiligung.example/abo/x/>"},
    )
    message = mail.outbox[0]
    assert message.from_email == "Stadt Usingen <beteiligung@usingen.de>"
    assert "https://plaene.usingen.de/abo/x/" in message.body
    assert message.extra_headers["List-Unsubscribe"] == "<https://plaene.usingen.de/abo/x/>"


def test_absolute_url_uses_the_municipality_domain(usingen, hosts):
    plan = PlanFactory(municipality=usingen)
    other = PlanFactory()
    assert absolute_url(plan.get_absolute_url()) == f"https://{USINGEN_HOST}{plan.get_absolute_url()}"
    assert absolute_url(other.get_absolute_url()) == f"https://beteiligung.example{other.get_absolute_url()}"
    assert absolute_url("/beteiligung/x/", municipality=usingen) == f"https://{USINGEN_HOST}/beteiligung/x/"
    assert absolute_url("/beteiligung/x/") == "https://beteiligung.example/beteiligung/x/"


@pytest.mark.parametrize(
    ("domain", "code"),
    [
        ("https://plaene.usingen.de/", "invalid_domain"),
        ("plaene.usingen.de/karte", "invalid_domain"),
        ("localhost", "invalid_domain"),
        ("plaene usingen.de", "invalid_domain"),
        ("beteiligung.example", "site_domain"),
    ],
)
def test_invalid_domains_are_refused(hosts, domain, code):
    municipality = MunicipalityFactory.build(domain=domain)
    with pytest.raises(ValidationError) as info:
        municipality.full_clean()
    assert [error.code for error in info.value.error_dict["domain"]] == [code]


def test_domain_is_normalised_and_unique(usingen, hosts):
    twin = MunicipalityFactory.build(domain="Plaene.Usingen.DE")
    with pytest.raises(ValidationError) as info:
        twin.full_clean()
    assert [error.code for error in info.value.error_dict["__all__"]] == ["domain_taken"]
    assert "bereits eine andere Kommune" in str(info.value)
    other = MunicipalityFactory.build(domain="Plaene.Example.ORG")
    other.full_clean()
    other.save()
    assert Municipality.objects.get(pk=other.pk).domain == "plaene.example.org"
    MunicipalityFactory(domain="")  # any number without a domain
    MunicipalityFactory(domain="")


@pytest.mark.parametrize(
    "sender",
    ["beteiligung", "Stadt Usingen <beteiligung@usingen>", "a@b.de, c@d.de", "Stadt\nBcc: x@y.de <a@b.de>"],
)
def test_invalid_senders_are_refused(hosts, sender):
    municipality = MunicipalityFactory.build(email_sender=sender)
    with pytest.raises(ValidationError) as info:
        municipality.full_clean()
    assert [error.code for error in info.value.error_dict["email_sender"]] == ["invalid_sender"]


def test_operator_edits_domain_and_sender_in_the_admin(client, usingen, hosts):
    operator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(operator)
    page = client.get(reverse("admin:plans_municipality_change", args=[usingen.pk])).content.decode()
    assert 'name="domain"' in page and 'value="plaene.usingen.de"' in page
    assert 'name="email_sender"' in page
