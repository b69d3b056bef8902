"""Rate limit for online statements, per client address and per e-mail address (cache counters)."""

import ipaddress

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache


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
    if any(count > limit for count in _count(keys, window)):
        raise RateLimited


def _count(keys: list[str], window: int) -> list[int]:
    """Add one to each counter (created with a `window` seconds lifetime) and return the new counts."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # One round trip for all counters instead of add + exists + incr per key through the cache API;
        # the values stay plain integers that cache.get()/incr() read as before.
        pipe = backend._cache.get_client(write=True).pipeline()
        for key in keys:
            full_key = backend.make_and_validate_key(key)
            pipe.set(full_key, 0, ex=window, nx=True)
            pipe.incr(full_key)
        return [int(value) for value in pipe.execute()[1::2]]
    counts = []
    for key in keys:
        cache.add(key, 0, window)
        try:
            counts.append(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            counts.append(1)
    return counts
