"""Prometheus metrics (django-prometheus), switched on with PROMETHEUS_METRICS, served only to METRICS_ALLOWED_IPS.

With several gunicorn workers set PROMETHEUS_MULTIPROC_DIR (see docs/deployment.md): each worker writes
its counters there and `/metrics` adds up every worker's, whichever worker answers the scrape.
"""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from operations.access import address_allowed

BEFORE_MIDDLEWARE = "django_prometheus.middleware.PrometheusBeforeMiddleware"
AFTER_MIDDLEWARE = "django_prometheus.middleware.PrometheusAfterMiddleware"
DATABASE_ENGINES = {
    "django.contrib.gis.db.backends.postgis": "django_prometheus.db.backends.postgis",
    "django.contrib.gis.db.backends.spatialite": "django_prometheus.db.backends.spatialite",
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}


def with_metrics_middleware(middleware: list[str]) -> list[str]:
    """Return `middleware` wrapped by django-prometheus' before (first) and after (last) middleware."""
    return [BEFORE_MIDDLEWARE, *middleware, AFTER_MIDDLEWARE]


def metrics_database_engine(engine: str) -> str:
    """Return django-prometheus' wrapper of a database engine (query counts and latencies), or the engine."""
    return DATABASE_ENGINES.get(engine, engine)


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """Serve the metrics to allowed addresses; 404 while metrics are off, 403 for anyone else."""
    if not settings.PROMETHEUS_METRICS:
        raise Http404
    if not address_allowed(request, settings.METRICS_ALLOWED_IPS):
        return HttpResponseForbidden("Forbidden", content_type="text/plain")
    from django_prometheus.exports import ExportToDjangoView

    return ExportToDjangoView(request)
