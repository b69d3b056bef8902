"""Rate limit for online statements, per client address and per e-mail address (cache counters)."""

import ipaddress

from django.conf import settings
from django.core.cache import cache


class RateLimited(Exception):
    """Too many submissions from one IP address or e-mail address."""

    code = "rate_limited"


def address_key(ip_address: str) -> str:
    """Return the rate-limit key part of an address: IPv4 as is, IPv6 by its /64 network (one subscriber)."""
    try:
        address = ipaddress.ip_address(ip_address)
    except ValueError:
        return ip_address
    if isinstance(address, ipaddress.IPv6Address) and not address.ipv4_mapped:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(getattr(address, "ipv4_mapped", None) or address)


def mail_key(email: str) -> str:
    """Return the rate-limit key part of an e-mail address: lower case, without a `+tag` in the local part."""
    local, at, domain = email.strip().lower().rpartition("@")
    if not at:
        return domain
    return f"{local.split('+', 1)[0] or local}@{domain}"


def check_rate(ip_address: str | None, email: str) -> None:
    """Count one submission for `ip_address` and `email`; raise RateLimited past the limit in the window."""
    if not settings.PARTICIPATION_RATE_LIMIT_ENABLED:
        return
    window, limit = settings.PARTICIPATION_RATE_WINDOW, settings.PARTICIPATION_RATE_LIMIT
    keys = []
    if ip_address:
        keys.append(f"pb:rate:ip:{address_key(ip_address)}")
    if email:
        keys.append(f"pb:rate:mail:{mail_key(email)}")
    for key in keys:
        cache.add(key, 0, window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            count = 1
        if count > limit:
            raise RateLimited
