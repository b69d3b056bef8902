"""Server URLs staff enter must be https and resolve to public addresses only (SSRF guard)."""

import socket

import pytest
from django.core.exceptions import ValidationError

from plans import outbound


@pytest.fixture
def dns(monkeypatch):
    """Answer getaddrinfo from a table: host -> list of addresses (an unknown host does not resolve)."""
    table: dict[str, list[str]] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        result = []
        for address in table[host]:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
            result.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
        return result

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table


def code_of(url):
    with pytest.raises(ValidationError) as error:
        outbound.check_url(url)
    return error.value.code


def test_public_https_server_is_accepted(dns):
    dns["social.example"] = ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]
    outbound.check_url("https://social.example")
    outbound.check_url("https://social.example:8443/api")


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",  # loopback
        "10.1.2.3",  # private
        "172.16.0.9",
        "192.168.178.1",
        "169.254.169.254",  # cloud metadata (link-local)
        "100.64.0.1",  # CGNAT
        "100.100.100.200",  # a cloud's metadata address inside CGNAT
        "0.0.0.0",  # unspecified
        "224.0.0.251",  # multicast
        "240.0.0.1",  # reserved
        "::1",
        "fe80::1%eth0",  # link-local with zone
        "fd00:ec2::254",  # unique local (a cloud's IPv6 metadata)
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "::ffff:169.254.169.254",
        "2002:0a00:0001::1",  # 6to4 around 10.0.0.1
        "::",
        "ff02::1",
    ],
)
def test_internal_addresses_are_refused(dns, address):
    dns["intern.example"] = [address]
    assert code_of("https://intern.example") == "outbound_internal"


def test_one_internal_address_among_public_ones_is_enough_to_refuse(dns):
    dns["mixed.example"] = ["93.184.215.14", "10.0.0.5"]
    assert code_of("https://mixed.example") == "outbound_internal"


def test_literal_ip_addresses_are_checked_too():
    assert code_of("https://127.0.0.1:8443") == "outbound_internal"
    assert code_of("https://[::1]/") == "outbound_internal"


def test_http_and_missing_host_are_refused(dns):
    dns["social.example"] = ["93.184.215.14"]
    assert code_of("http://social.example") == "outbound_not_https"
    assert code_of("ftp://social.example") == "outbound_not_https"
    assert code_of("https://") == "outbound_no_host"
    assert code_of("") == "outbound_no_host"


def test_unresolvable_host_is_refused_with_its_own_code(dns):
    assert code_of("https://gibt-es-nicht.example") == "outbound_unresolvable"


def test_allow_list_admits_named_hosts_and_http_for_them(dns, settings):
    dns["intern.example"] = ["10.0.0.5"]
    settings.OUTBOUND_ALLOWED_HOSTS = ["Intern.Example", "127.0.0.1"]
    outbound.check_url("https://intern.example")
    outbound.check_url("http://127.0.0.1:8123")  # the local servers tests start
    assert code_of("http://10.0.0.5") == "outbound_not_https"  # only the named host, not its address
    assert code_of("https://other.example") == "outbound_unresolvable"


def test_message_names_the_host(dns):
    dns["intern.example"] = ["10.0.0.5"]
    with pytest.raises(ValidationError) as error:
        outbound.check_url("https://intern.example")
    assert "intern.example" in error.value.messages[0] and "internen Netz" in error.value.messages[0]
