"""Channel server URLs are refused when they point into internal networks: on save, on test, on every delivery."""

import socket

import pytest
import responses
from django.core.exceptions import ValidationError
from django.urls import reverse

from participation.announcements import services
from participation.announcements.channels import ChannelConfig, DeliveryError, client_for
from participation.announcements.models import ChannelAccount, Delivery
from plans.rules import SYSTEM
from tests.factories import AnnouncementFactory, ChannelAccountFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dns(monkeypatch, settings):
    """Resolve host names from a table instead of the network; no host is on the allow-list."""
    settings.OUTBOUND_ALLOWED_HOSTS = []
    table = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in table[host]]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


@pytest.fixture
def planner():
    return MembershipFactory().user


def post_mastodon(client, municipality, server):
    url = reverse("announcements:staff_channels", args=[municipality.slug])
    return client.post(
        url,
        {
            "kind": "mastodon",
            "mastodon-enabled": "on",
            "mastodon-api_base_url": server,
            "mastodon-handle": "stadt",
            "mastodon-access_token": "geheim",
        },
    )


@pytest.mark.parametrize(
    "server,message",
    [
        ("https://intern.example", "liegt in einem internen Netz"),
        ("http://social.example", "muss mit https:// beginnen"),
    ],
)
def test_staff_cannot_save_an_internal_or_plain_http_server(client, planner, dns, server, message):
    dns["intern.example"] = ["169.254.169.254"]
    dns["social.example"] = ["93.184.215.14"]
    municipality = planner.memberships.get().municipality
    client.force_login(planner)
    response = post_mastodon(client, municipality, server)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert not ChannelAccount.objects.exists()


def test_staff_saves_a_public_https_server(client, planner, dns):
    dns["social.example"] = ["93.184.215.14"]
    municipality = planner.memberships.get().municipality
    client.force_login(planner)
    assert post_mastodon(client, municipality, "https://social.example").status_code == 302
    assert ChannelAccount.objects.get().api_base_url == "https://social.example"


def test_saving_refuses_with_a_code_on_the_server_field(planner, dns):
    dns["intern.example"] = ["10.0.0.8"]
    account = ChannelAccount(
        municipality=planner.memberships.get().municipality, kind="bluesky", api_base_url="https://intern.example"
    )
    with pytest.raises(ValidationError) as error:
        services.channel_account_save(account=account, by=planner, secrets={"app_password": "x"})
    assert error.value.error_dict["api_base_url"][0].code == "outbound_internal"


def test_allow_listed_host_may_be_saved_and_use_http(planner, dns, settings):
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    account = ChannelAccount(
        municipality=planner.memberships.get().municipality, kind="mastodon", api_base_url="http://127.0.0.1:8123"
    )
    services.channel_account_save(account=account, by=planner, secrets={"access_token": "t"})
    assert account.pk


def test_test_connection_refuses_a_server_that_now_resolves_internally(client, planner, dns):
    dns["social.example"] = ["127.0.0.1"]  # it was public when saved; DNS changed since
    account = ChannelAccountFactory(municipality=planner.memberships.get().municipality, kind="mastodon")
    client.force_login(planner)
    with responses.RequestsMock():  # any request would fail the test: none may be made
        page = client.post(reverse("announcements:staff_channel_test", args=[account.pk]), follow=True)
    assert "liegt in einem internen Netz" in page.content.decode()
    account.refresh_from_db()
    assert account.last_check_ok is False


@pytest.mark.parametrize("kind", ["mastodon", "bluesky"])
def test_delivery_to_an_internal_server_fails_for_good_without_a_request(planner, dns, kind):
    dns["social.example"] = dns["pds.example"] = ["10.0.0.8"]
    municipality = planner.memberships.get().municipality
    ChannelAccountFactory(municipality=municipality, kind=kind)
    announcement = services.announcement_approve(
        announcement=AnnouncementFactory(plan__municipality=municipality), by=SYSTEM
    )
    with responses.RequestsMock():
        assert services.deliveries_send_due() == {"failed": 1}
    delivery = announcement.deliveries.get(channel=kind)
    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, 1)  # permanent: no retry storm
    assert "internen Netz" in delivery.last_error


def test_delivery_when_dns_fails_is_retried_later(planner, dns):
    municipality = planner.memberships.get().municipality
    ChannelAccountFactory(municipality=municipality, kind="mastodon")
    announcement = services.announcement_approve(
        announcement=AnnouncementFactory(plan__municipality=municipality), by=SYSTEM
    )
    assert services.deliveries_send_due() == {"pending": 1}
    delivery = announcement.deliveries.get(channel="mastodon")
    assert delivery.next_attempt_at is not None and "nicht gefunden" in delivery.last_error


def mastodon_client(server="https://social.example"):
    return client_for(ChannelConfig("mastodon", api_base_url=server, secrets={"access_token": "t"}))


def test_clients_raise_coded_errors(dns, settings):
    dns["social.example"] = ["10.0.0.8"]
    with pytest.raises(DeliveryError) as error:
        mastodon_client().test_connection()
    assert (error.value.code, error.value.retryable) == ("outbound_internal", False)
    with pytest.raises(DeliveryError) as error:
        mastodon_client("https://weg.example").test_connection()
    assert (error.value.code, error.value.retryable) == ("outbound_unresolvable", True)
    settings.OUTBOUND_ALLOWED_HOSTS = ["social.example"]
    with responses.RequestsMock() as mock:
        mock.get("https://social.example/api/v1/accounts/verify_credentials", json={"error": "nope"}, status=401)
        with pytest.raises(DeliveryError) as error:
            mastodon_client().test_connection()
    assert (error.value.code, error.value.retryable) == ("unauthorized", False)
