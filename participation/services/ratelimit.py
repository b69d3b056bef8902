"""Rate limit for online statements, per client address and per e-mail address (cache counters)."""

from django.conf import settings
from django.core.cache import cache


class RateLimited(Exception):
    """Too many submissions from one IP address or e-mail address."""

    code = "rate_limited"


def check_rate(ip_address: str | None, email: str) -> None:
    """Count one submission for `ip_address` and `email`; raise RateLimited past the limit in the window."""
    if not settings.PARTICIPATION_RATE_LIMIT_ENABLED:
        return
    window, limit = settings.PARTICIPATION_RATE_WINDOW, settings.PARTICIPATION_RATE_LIMIT
    keys = []
    if ip_address:
        keys.append(f"pb:rate:ip:{ip_address}")
    if email:
        keys.append(f"pb:rate:mail:{email.strip().lower()}")
    for key in keys:
        cache.add(key, 0, window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            count = 1
        if count > limit:
            raise RateLimited
