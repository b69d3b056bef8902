"""GET /api/v1/adressen/?q=…&gemeinde=<slug>: address search for the maps and the alerts form (JSON)."""

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import View

from plans.client import client_address
from plans.models import Municipality

from .address_search import search_addresses
from .geocoder import geocode

MAX_QUERY_LENGTH = 100
MIN_QUERY_LENGTH = 2
CACHE_SECONDS = 300
RATE_WINDOW_SECONDS = 60


def rate_limit() -> int:
    """Return the searches one client address may make per minute (0: unlimited)."""
    return int(getattr(settings, "ADDRESS_SEARCH_RATE_LIMIT", 120))


def _over_limit(request) -> bool:
    """Count this search for the client address; return whether it exceeds the limit of the window."""
    limit = rate_limit()
    address = client_address(request)
    if not limit or not address:
        return False
    key = f"pb:rate:address-search:{address}"
    cache.add(key, 0, RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_WINDOW_SECONDS)
        count = 1
    return count > limit


def _json(payload: dict, *, status: int = 200, max_age: int = 0) -> JsonResponse:
    response = JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={max_age}" if max_age else "no-store"
    return response


class AddressSearchView(View):
    """Up to ten addresses for `q`: from the local gazetteer, else from the external geocoder if configured."""

    def get(self, request):
        text = request.GET.get("q", "").strip()
        if len(text) > MAX_QUERY_LENGTH:
            return _json(
                {
                    "error": _("Die Suche darf höchstens %(max)d Zeichen lang sein.") % {"max": MAX_QUERY_LENGTH},
                    "parameter": "q",
                },
                status=400,
            )
        municipality = getattr(request, "municipality", None)
        slug = request.GET.get("gemeinde", "").strip()
        if municipality is None and slug:
            municipality = Municipality.objects.filter(slug=slug).first()
            if municipality is None:
                return _json(
                    {
                        "error": _("Die Kommune „%(slug)s“ gibt es nicht.") % {"slug": slug[:50]},
                        "parameter": "gemeinde",
                    },
                    status=404,
                )
        payload = {"query": text, "municipality": municipality.slug if municipality else None, "source": "local"}
        if len(text) < MIN_QUERY_LENGTH:
            return _json({**payload, "count": 0, "results": []}, max_age=CACHE_SECONDS)
        if _over_limit(request):
            response = _json({"error": _("Zu viele Suchanfragen. Bitte warten Sie einen Moment.")}, status=429)
            response["Retry-After"] = str(RATE_WINDOW_SECONDS)
            return response
        hits = search_addresses(text, municipality=municipality)
        if not hits:
            hits = geocode(text, municipality=municipality)
            payload["source"] = "geocoder" if hits else "local"
        results = [hit.__dict__ for hit in hits]
        return _json({**payload, "count": len(results), "results": results}, max_age=CACHE_SECONDS)
