"""Refuse outbound requests to internal addresses (SSRF) for server URLs that staff enter.

A URL qualifies when it is `https` and every address its host resolves to is public: not
loopback, private, link-local (incl. the cloud metadata address 169.254.169.254), CGNAT
(100.64.0.0/10), multicast, unspecified, reserved or otherwise non-global; IPv4-mapped,
6to4 and Teredo IPv6 addresses are judged by the IPv4 address inside them.

The setting `OUTBOUND_ALLOWED_HOSTS` names hosts the operator trusts (a self-hosted server in
the provider's network, the local servers tests start). A listed host is admitted without
resolving it, and plain `http` is allowed for it too: the operator vouched for the host, and
internal servers often have no certificate. Matching is by exact host name (case-insensitive).

Call `check_url()` when the URL is saved and again right before each connection (DNS can
change between the two). The check cannot pin the address the HTTP library then connects to;
a host that answers DNS differently within seconds is outside what this guards against.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CGNAT = ipaddress.ip_network("100.64.0.0/10")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_allowed_host(host: str) -> bool:
    """Return whether the operator admitted `host` by name in OUTBOUND_ALLOWED_HOSTS."""
    allowed = {name.strip().lower().rstrip(".") for name in settings.OUTBOUND_ALLOWED_HOSTS if name.strip()}
    return host.lower().rstrip(".") in allowed


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def is_public_address(address: Address) -> bool:
    """Return whether `address` is a public unicast address an outbound request may go to."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return is_public_address(embedded)
    if isinstance(address, ipaddress.IPv4Address) and address in CGNAT:
        return False
    return not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
        or not address.is_global
    )


def resolve(host: str, port: int) -> list[Address]:
    """Return every address `host` resolves to (raises OSError if it does not resolve)."""
    addresses = []
    for _family, _type, _proto, _canonname, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        addresses.append(ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]))
    return addresses


def check_url(url: str) -> None:
    """Raise ValidationError (with a code) unless `url` may be requested from this server."""
    parts = urlsplit(url or "")
    host = parts.hostname or ""
    if not host:
        raise ValidationError(_("Bitte eine vollständige Server-Adresse angeben."), code="outbound_no_host")
    allowed = is_allowed_host(host)
    if parts.scheme != "https" and not (allowed and parts.scheme == "http"):
        raise ValidationError(
            _("Die Server-Adresse muss mit https:// beginnen."), code="outbound_not_https", params={"host": host}
        )
    if allowed:
        return
    try:
        port = parts.port or 443
        addresses = resolve(host, port)
    except (OSError, ValueError, UnicodeError) as error:
        raise ValidationError(
            _("Der Server %(host)s wurde nicht gefunden."), code="outbound_unresolvable", params={"host": host}
        ) from error
    if not addresses or not all(is_public_address(address) for address in addresses):
        raise ValidationError(
            _("Der Server %(host)s liegt in einem internen Netz; Verbindungen dorthin sind nicht erlaubt."),
            code="outbound_internal",
            params={"host": host},
        )
