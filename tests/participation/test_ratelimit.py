"""Rate limit keys: the real client behind a trusted proxy, IPv6 per /64, e-mail without +tags."""

import pytest

from participation.models import Statement

from ..factories import ConsultationFactory
from .test_views import post

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"


@pytest.fixture
def consultation():
    return ConsultationFactory(moderation="post")


def via_proxy(client, consultation, client_ip, **overrides):
    client.defaults.update(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_ip)
    return post(client, consultation, **overrides)


def test_clients_behind_a_trusted_proxy_have_separate_limits(client, consultation, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    for i in range(10):
        assert via_proxy(client, consultation, "203.0.113.5", email=f"a{i}@example.org").status_code == 302
    assert via_proxy(client, consultation, "203.0.113.5", email="a10@example.org").status_code == 429
    assert via_proxy(client, consultation, "198.51.100.9", email="b@example.org").status_code == 302
    assert set(Statement.objects.values_list("ip_address", flat=True)) == {"203.0.113.5", "198.51.100.9"}


def test_without_trusted_proxies_forwarded_for_does_not_escape_the_limit(client, consultation, settings):
    settings.TRUSTED_PROXIES, settings.PARTICIPATION_RATE_LIMIT = [], 2
    for i in range(2):
        assert via_proxy(client, consultation, f"203.0.113.{i}", email=f"a{i}@example.org").status_code == 302
    assert via_proxy(client, consultation, "203.0.113.99", email="a9@example.org").status_code == 429
    assert set(Statement.objects.values_list("ip_address", flat=True)) == {PROXY}


def test_ipv6_is_limited_per_64_prefix_and_stored_in_full(client, consultation, settings):
    settings.PARTICIPATION_RATE_LIMIT = 2
    client.defaults["REMOTE_ADDR"] = "2001:db8:1:2::5"
    assert post(client, consultation, email="a@example.org").status_code == 302
    client.defaults["REMOTE_ADDR"] = "2001:db8:1:2:ffff::9"
    assert post(client, consultation, email="b@example.org").status_code == 302
    assert post(client, consultation, email="c@example.org").status_code == 429
    client.defaults["REMOTE_ADDR"] = "2001:db8:1:3::5"
    assert post(client, consultation, email="d@example.org").status_code == 302
    assert "2001:db8:1:2:ffff::9" in Statement.objects.values_list("ip_address", flat=True)
    client.defaults["REMOTE_ADDR"] = "::ffff:198.51.100.7"  # IPv4 on a dual-stack socket: its own limit
    assert post(client, consultation, email="e@example.org").status_code == 302


def test_mail_limit_ignores_case_and_plus_tags(client, consultation, settings):
    settings.PARTICIPATION_RATE_LIMIT = 2
    for i, email in enumerate(["name@example.org", "Name+1@Example.org"]):
        client.defaults["REMOTE_ADDR"] = f"203.0.113.{i}"
        assert post(client, consultation, email=email).status_code == 302
    client.defaults["REMOTE_ADDR"] = "203.0.113.9"
    response = post(client, consultation, email="NAME+zwei@example.ORG")
    assert response.status_code == 429 and "Zu viele" in response.content.decode()
    assert post(client, consultation, email="other@example.org").status_code == 302
