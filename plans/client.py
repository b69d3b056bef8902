"""The client address of a request, read through the configured trusted proxies only."""

import ipaddress

from django.conf import settings


def _valid(address: str | None) -> str | None:
    """Return `address` as a normalised IP address (IPv4-mapped IPv6 as IPv4), or None when it is not one."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    return str(getattr(ip, "ipv4_mapped", None) or ip)


def address_in_networks(address: str, networks: list[str]) -> bool:
    """Whether the IP `address` lies in one of `networks` (addresses or CIDR networks; invalid entries are skipped)."""
    ip = ipaddress.ip_address(address)
    for entry in networks:
        try:
            if ip in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


def client_address(request) -> str | None:
    """Return the client's IP address; X-Forwarded-For counts only as far as configured proxies wrote it."""
    remote = _valid(request.META.get("REMOTE_ADDR"))
    trusted = list(settings.TRUSTED_PROXIES)
    count = settings.PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if remote is None or not forwarded.strip() or not (trusted or count):
        return remote
    # The hops, nearest last: what the proxies appended to X-Forwarded-For, then the peer itself.
    # Read from the right only; entries left of the proxies' own are the client's unverified claim.
    chain = [_valid(entry) for entry in forwarded.split(",")] + [remote]
    if trusted:
        while len(chain) > 1 and chain[-1] is not None and address_in_networks(chain[-1], trusted):
            chain.pop()
        return chain[-1] or remote
    return (chain[-(count + 1)] if len(chain) > count else chain[0]) or remote
