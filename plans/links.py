"""Absolute links for e-mails, feeds and social posts: under SITE_URL, or under a municipality's own domain."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.http.request import split_domain_port
from django.urls import Resolver404, resolve

from .cache import public_version
from .models import Municipality

DOMAINS_CACHE_SECONDS = 24 * 60 * 60


def municipalities_by_domain() -> dict[str, Municipality]:
    """Return the municipalities with their own domain, keyed by domain (cached until municipality data changes)."""
    key = f"plans:domains:{public_version()}"
    domains = cache.get(key)
    if domains is None:
        domains = {m.domain: m for m in Municipality.objects.exclude(domain="")}
        cache.set(key, domains, DOMAINS_CACHE_SECONDS)
    return domains


def municipality_for_host(host: str) -> Municipality | None:
    """Return the municipality whose own domain is `host` (a port is ignored), else None."""
    hostname, _port = split_domain_port(host)
    # Own domains have a dot and end in a name (see validate_municipality_domain): the installation's own host,
    # "localhost", "testserver" and IP addresses never need the lookup.
    if "." not in hostname or not hostname[-1].isalpha() or hostname == urlsplit(settings.SITE_URL).hostname:
        return None
    return municipalities_by_domain().get(hostname)


def base_url(municipality: Municipality | None = None) -> str:
    """Return where links start: `<SITE_URL scheme>://<domain>` of `municipality` if it has one, else SITE_URL."""
    site = settings.SITE_URL.rstrip("/")
    if municipality is not None and municipality.domain:
        return f"{urlsplit(site).scheme}://{municipality.domain}"
    return site


def _municipality_of_path(path: str) -> Municipality | None:
    """Return the municipality with its own domain that `path` belongs to (its `municipality` URL argument)."""
    try:
        slug = resolve(urlsplit(path).path).kwargs.get("municipality")
    except Resolver404:
        return None
    if not slug:
        return None
    return next((m for m in municipalities_by_domain().values() if m.slug == slug), None)


def absolute_url(path: str, *, municipality: Municipality | None = None) -> str:
    """Return `path` (from reverse() or get_absolute_url()) as an absolute URL.

    Under `municipality`'s own domain if it has one; without `municipality`, a path of a municipality's
    pages (`/usingen/…`) goes to that municipality's domain; everything else goes under SITE_URL.
    """
    if path.startswith(("http://", "https://")):
        return path
    if municipality is None:
        municipality = _municipality_of_path(path)
    return base_url(municipality) + "/" + path.lstrip("/")


def rebase_url(url: str, municipality: Municipality | None) -> str:
    """Move an absolute URL under SITE_URL to `municipality`'s own domain; leave every other value as it is."""
    site = settings.SITE_URL.rstrip("/") + "/"
    if municipality is None or not municipality.domain or not isinstance(url, str) or not url.startswith(site):
        return url
    return base_url(municipality) + "/" + url[len(site) :]
