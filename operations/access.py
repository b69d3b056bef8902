"""Which clients may see operators' details (health check details, metrics): listed networks only."""

from django.http import HttpRequest

from plans.client import address_in_networks, client_address


def address_allowed(request: HttpRequest, networks: list[str]) -> bool:
    """Whether the request's client address (through the trusted proxies) lies in one of `networks`."""
    address = client_address(request)
    return address is not None and address_in_networks(address, networks)
