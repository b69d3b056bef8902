"""Absolute links for e-mails, feeds and social posts (built from the SITE_URL setting)."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """Return `path` (as from reverse() or get_absolute_url()) as an absolute URL under SITE_URL."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")
