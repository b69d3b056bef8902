"""A version number for everything the public plan list shows; bumped on every change."""

from django.core.cache import cache

VERSION_KEY = "plans:public-version"


def public_version() -> int:
    """Return the current version of the public plan data."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump_public_version(**_kwargs) -> None:
    """Invalidate cached public plan responses (connected to model signals)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.add(VERSION_KEY, 2, timeout=None)
