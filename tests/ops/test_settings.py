"""Production settings: Redis is required; JSON logs, metrics and the health check are wired as documented."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "plaene.example.org",
    "DATABASE_URL": "postgis://postgres@127.0.0.1:5432/unused",
}
SHOW = (
    "import json, django; from django.conf import settings; django.setup(); print(json.dumps({"
    "'exempt': settings.SECURE_REDIRECT_EXEMPT, 'log_format': settings.LOG_FORMAT, "
    "'middleware': settings.MIDDLEWARE, 'apps': settings.INSTALLED_APPS, "
    "'engine': settings.DATABASES['default']['ENGINE'], 'cache': settings.CACHES['default']['BACKEND']}))"
)


def load_settings(**variables: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with only these variables (plus PATH) set."""
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", **variables}
    return subprocess.run(
        [sys.executable, "-c", SHOW], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_production_without_redis_refuses_to_start():
    result = load_settings(**PRODUCTION)

    assert result.returncode != 0
    assert "ImproperlyConfigured: Production mode needs REDIS_URL" in result.stderr
    assert "rate limits" in result.stderr


def test_production_with_redis_logs_json_and_keeps_health_and_metrics_on_plain_http():
    result = load_settings(**PRODUCTION, REDIS_URL="redis://127.0.0.1:6379/6")

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["log_format"] == "json"
    assert shown["cache"] == "operations.cache.RedisCache"
    assert any(re.search(pattern, "healthz") for pattern in shown["exempt"])
    assert any(re.search(pattern, "metrics") for pattern in shown["exempt"])
    assert shown["middleware"][0] == "operations.middleware.RequestIdMiddleware"
    assert "django_prometheus" not in shown["apps"]


def test_prometheus_switch_wraps_middleware_and_database():
    result = load_settings(PROMETHEUS_METRICS="true", DATABASE_URL="postgis://postgres@127.0.0.1:5432/unused")

    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["middleware"][0] == "django_prometheus.middleware.PrometheusBeforeMiddleware"
    assert shown["middleware"][1] == "operations.middleware.RequestIdMiddleware"
    assert shown["middleware"][-1] == "django_prometheus.middleware.PrometheusAfterMiddleware"
    assert "django_prometheus" in shown["apps"]
    assert shown["engine"] == "django_prometheus.db.backends.postgis"
    assert shown["log_format"] == "text"


def test_raster_limits_come_from_the_environment():
    """XPLAN_RASTER_MAX_PIXELS / XPLAN_RASTER_MAX_MB (README) reach the XPlanGML raster import."""
    code = (
        "import django; django.setup(); from geodata.importers import xplan_raster as r; "
        "print(r.max_pixels(), r.max_bytes())"
    )
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "XPLAN_RASTER_MAX_PIXELS": "1234",
        "XPLAN_RASTER_MAX_MB": "7",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.split() == ["1234", str(7 * 1024 * 1024)]
