"""The `/healthz` endpoint (django-health-check): database, cache, storage and the task worker's heartbeat.

Everyone gets ``{"status": "ok"}`` (200) or ``{"status": "error"}`` (503), enough for a load balancer.
Which part failed, with the check's message, is added under ``"checks"`` only for operators (logged-in
superusers) and for clients in ``HEALTH_DETAIL_ALLOWED_IPS``: messages may name hosts or timings.
"""

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest, JsonResponse
from health_check import Cache, Database, HealthCheck, Storage
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from operations.access import address_allowed
from operations.heartbeat import latest_heartbeat


@dataclasses.dataclass
class WorkerHeartbeat(HealthCheck):
    """Check that a task worker recorded a heartbeat within `max_age`."""

    max_age: timedelta = dataclasses.field(default=timedelta(minutes=5), repr=False)

    def run(self) -> None:
        try:
            beat = latest_heartbeat()
        except Exception as error:  # the cache check names the cause
            raise ServiceUnavailable("heartbeat not readable from the cache") from error
        if beat is None:
            raise ServiceUnavailable("no worker heartbeat recorded")
        age = datetime.now(UTC) - beat
        if age > self.max_age:
            raise ServiceUnavailable(f"last worker heartbeat {int(age.total_seconds())} s ago")


def worker_check_enabled() -> bool:
    """Whether `/healthz` includes the worker heartbeat (HEALTH_CHECK_WORKER; unset: when the cache is shared)."""
    if settings.HEALTH_CHECK_WORKER is not None:
        return bool(settings.HEALTH_CHECK_WORKER)
    # A process-local cache cannot hold another process's heartbeat (development with locmem).
    return not isinstance(caches["default"], LocMemCache | DummyCache)


def health_checks() -> dict[str, HealthCheck]:
    """Return the checks of `/healthz` by name."""
    checks: dict[str, HealthCheck] = {"database": Database(), "cache": Cache(), "storage": Storage()}
    if worker_check_enabled():
        checks["worker"] = WorkerHeartbeat(max_age=timedelta(seconds=settings.HEALTH_WORKER_MAX_AGE))
    return checks


class HealthView(HealthCheckView):
    """Run every check concurrently; answer JSON, 200 when all pass and 503 otherwise."""

    http_method_names = ["get", "head", "options"]

    def get_checks(self):
        """Yield the checks (also used by `manage.py health_check healthz --no-http`)."""
        yield from health_checks().values()

    async def get(self, request: HttpRequest, *args, **kwargs) -> JsonResponse:
        checks = health_checks()
        with self.get_executor() as executor:
            results = await asyncio.gather(*(check.get_result(executor) for check in checks.values()))
        healthy = not any(result.error for result in results)
        body: dict[str, object] = {"status": "ok" if healthy else "error"}
        if await self.may_see_details(request):
            body["checks"] = {
                name: "ok" if result.error is None else str(result.error)
                for name, result in zip(checks, results, strict=True)
            }
        return JsonResponse(body, status=200 if healthy else 503)

    async def may_see_details(self, request: HttpRequest) -> bool:
        """Operators (superusers) and clients from HEALTH_DETAIL_ALLOWED_IPS see which check failed."""
        if address_allowed(request, settings.HEALTH_DETAIL_ALLOWED_IPS):
            return True
        try:
            user = await request.auser()
        except Exception:  # sessions live in the database or cache, which may be the part that is down
            return False
        return bool(user.is_active and user.is_superuser)


healthz = HealthView.as_view()
