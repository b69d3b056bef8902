"""Which clients may see operators' details (health check details, metrics): listed networks only."""

import ipaddress

from django.http import HttpRequest

from plans.client import client_address


def address_allowed(request: HttpRequest, networks: list[str]) -> bool:
    """Whether the request's client address (through the trusted proxies) lies in one of `networks`."""
    address = client_address(request)
    if not address:
        return False
    ip = ipaddress.ip_address(address)
    for entry in networks:
        try:
            if ip in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:
            continue
    return False
