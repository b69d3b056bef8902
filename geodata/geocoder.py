"""Optional external geocoder, asked only when the local gazetteer finds nothing.

`settings.GEOCODER_URL` names a Photon (`…/api`) or Nominatim (`…/search`) compatible endpoint;
empty (the default) switches it off. The request carries the query only: no visitor address,
cookie or header of the visitor's request, a fixed User-Agent, short timeouts. The URL is checked
by `plans.outbound.check_url` before every request (public https hosts, or hosts the operator named
in OUTBOUND_ALLOWED_HOSTS). Answers are cached for a day to spare the service; any failure means
"no results".
"""

import hashlib
import logging
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError

from plans.models import Municipality
from plans.outbound import check_url

from .address_search import LIMIT, Hit

logger = logging.getLogger(__name__)

TIMEOUT = (3.05, 5)  # connect, read (seconds)
CACHE_SECONDS = 24 * 60 * 60
USER_AGENT = "Planbeteiligung address search"
# Shorter queries are the first keystrokes of a search; they would only load the service.
MIN_QUERY_LENGTH = 4


def geocoder_url() -> str:
    """Return the configured geocoder endpoint, or '' when none is configured."""
    return (getattr(settings, "GEOCODER_URL", "") or "").strip()


def is_photon(url: str) -> bool:
    """Return whether `url` is a Photon endpoint (path ends in /api), else Nominatim is assumed."""
    return urlsplit(url).path.rstrip("/").endswith("/api")


def geocode(text: str, *, municipality: Municipality | None = None) -> list[Hit]:
    """Return up to LIMIT places for `text` from the external geocoder; [] if none is configured or it fails."""
    url = geocoder_url()
    text = text.strip()
    if not url or len(text) < MIN_QUERY_LENGTH:
        return []
    extent = municipality.boundary.extent if municipality is not None and municipality.boundary else None
    key = "geocoder:" + hashlib.sha256(f"{url}|{text.casefold()}|{extent}".encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return [Hit(**item) for item in cached]
    try:
        check_url(url)
    except ValidationError as exc:
        logger.warning("Geocoder URL refused: %s", exc.code)
        return []
    photon = is_photon(url)
    params = _photon_params(text, extent) if photon else _nominatim_params(text, extent)
    try:
        response = requests.get(
            url, params=params, headers={"User-Agent": USER_AGENT, "Accept": "application/json"}, timeout=TIMEOUT
        )
        response.raise_for_status()
        data = response.json()
        hits = _photon_hits(data) if photon else _nominatim_hits(data)
    except (requests.RequestException, ValueError, TypeError, KeyError, AttributeError) as exc:
        logger.warning("Geocoder request failed: %s", type(exc).__name__)
        return []
    cache.set(key, [hit.__dict__ for hit in hits], CACHE_SECONDS)
    return hits


def _photon_params(text: str, extent) -> dict:
    params = {"q": text, "limit": LIMIT, "lang": "de"}
    if extent:
        params["bbox"] = ",".join(f"{value:.5f}" for value in extent)
    return params


def _nominatim_params(text: str, extent) -> dict:
    params = {"q": text, "format": "jsonv2", "limit": LIMIT, "addressdetails": 1, "countrycodes": "de"}
    if extent:
        west, south, east, north = extent
        params.update(viewbox=f"{west:.5f},{north:.5f},{east:.5f},{south:.5f}", bounded=1)
    return params


def _photon_hits(data: dict) -> list[Hit]:
    hits = []
    for feature in data.get("features", [])[:LIMIT]:
        lon, lat = feature["geometry"]["coordinates"][:2]
        p = feature.get("properties") or {}
        street = p.get("street") or p.get("name") or ""
        place = p.get("city") or p.get("town") or p.get("village") or ""
        hit = _hit(street, p.get("housenumber") or "", p.get("postcode") or "", place, lat, lon)
        if hit:
            hits.append(hit)
    return hits


def _nominatim_hits(data: list) -> list[Hit]:
    hits = []
    for item in data[:LIMIT]:
        a = item.get("address") or {}
        street = a.get("road") or a.get("pedestrian") or item.get("name") or ""
        place = a.get("city") or a.get("town") or a.get("village") or a.get("municipality") or ""
        hit = _hit(street, a.get("house_number") or "", a.get("postcode") or "", place, item["lat"], item["lon"])
        if hit:
            hits.append(hit)
    return hits


def _hit(street: str, housenumber: str, postcode: str, place: str, lat, lon) -> Hit | None:
    lat, lon = float(lat), float(lon)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    line = f"{street} {housenumber}".strip()
    town = f"{postcode} {place}".strip()
    label = ", ".join(part for part in (line, town) if part)
    if not label:
        return None
    return Hit(
        label=label,
        street=str(street),
        housenumber=str(housenumber),
        postcode=str(postcode),
        place=str(place),
        lat=round(lat, 6),
        lon=round(lon, 6),
    )
