"""Health check for load balancers: is the database reachable and does the cache answer."""

import logging
import uuid
from collections.abc import Callable

from django.core.cache import caches
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _check_database() -> None:
    """Run a trivial query on the default database."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("unexpected answer to SELECT 1")


def _check_cache() -> None:
    """Write a fresh key to the default cache, read it back and remove it."""
    cache = caches["default"]
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)


CHECKS: dict[str, Callable[[], None]] = {"database": _check_database, "cache": _check_cache}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 with every check "ok", or 503 naming the part that failed."""
    body = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            logger.exception("Health check %s failed", name)
            body[name] = "error"
        else:
            body[name] = "ok"
    healthy = all(value == "ok" for value in body.values())
    return JsonResponse({"status": "ok" if healthy else "error", **body}, status=200 if healthy else 503)
