"""The client address: REMOTE_ADDR unless configured proxies forwarded the request."""

import pytest
from django.test import RequestFactory

from plans.client import client_address


def address(xff="", remote="10.0.0.1"):
    extra = {"HTTP_X_FORWARDED_FOR": xff} if xff else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_without_proxies_a_spoofed_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXIES, settings.PROXY_COUNT = [], 0
    assert address("203.0.113.5", remote="198.51.100.7") == "198.51.100.7"
    assert address(remote="::ffff:198.51.100.7") == "198.51.100.7"  # dual-stack socket


def test_trusted_proxy_forwards_the_real_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    assert address("203.0.113.5") == "203.0.113.5"
    assert address("2001:db8:1:2::5") == "2001:db8:1:2::5"
    assert address("") == "10.0.0.1"


def test_forwarded_for_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    assert address("203.0.113.5", remote="198.51.100.7") == "198.51.100.7"


def test_entry_forged_before_the_proxy_entry_is_not_trusted(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    # The client sent "X-Forwarded-For: 198.51.100.9"; the proxy appended the real peer 203.0.113.5.
    assert address("198.51.100.9, 203.0.113.5") == "203.0.113.5"
    assert address("10.0.0.1, 203.0.113.5") == "203.0.113.5"  # claiming to be the proxy does not help
    assert address("203.0.113.5, garbage") == "10.0.0.1"


@pytest.mark.parametrize("trusted", [["10.0.0.0/24"], ["10.0.0.1", "10.0.0.2"]])
def test_chain_of_trusted_proxies_and_networks(settings, trusted):
    settings.TRUSTED_PROXIES = trusted
    assert address("198.51.100.9, 203.0.113.5, 10.0.0.2") == "203.0.113.5"


def test_proxy_count_reads_that_many_hops_from_the_right(settings):
    settings.TRUSTED_PROXIES, settings.PROXY_COUNT = [], 1
    assert address("198.51.100.9, 203.0.113.5") == "203.0.113.5"
    settings.PROXY_COUNT = 2
    assert address("198.51.100.9, 203.0.113.5, 10.0.0.2") == "203.0.113.5"
    assert address("203.0.113.5") == "203.0.113.5"
