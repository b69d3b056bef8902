"""Prometheus metrics at /metrics: off by default (404), only for allowed addresses (403), counting requests."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from operations.metrics import with_metrics_middleware

pytestmark = pytest.mark.django_db


def requests_to(metrics_text: str, view: str) -> float:
    """Return how many requests the metrics count for `view` (all methods and transports)."""
    total = 0.0
    for family in text_string_to_metric_families(metrics_text):
        if family.name == "django_http_requests_total_by_view_transport_method":
            total += sum(sample.value for sample in family.samples if sample.labels.get("view") == view)
    return total


@pytest.fixture
def metrics_on(settings):
    settings.PROMETHEUS_METRICS = True
    settings.MIDDLEWARE = with_metrics_middleware(settings.MIDDLEWARE)


def test_metrics_are_off_by_default(client, settings):
    assert settings.PROMETHEUS_METRICS is False

    assert client.get("/metrics").status_code == 404


def test_metrics_refuse_addresses_not_listed(client, settings, metrics_on):
    settings.METRICS_ALLOWED_IPS = ["10.20.0.0/16"]

    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200


def test_metrics_refuse_a_forged_forwarded_address(client, settings, metrics_on):
    settings.METRICS_ALLOWED_IPS, settings.TRUSTED_PROXIES = ["10.20.0.0/16"], []

    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.20.3.4").status_code == 403


def test_metrics_count_requests(client, metrics_on):
    before = requests_to(client.get("/metrics").content.decode(), "healthz")
    for _ in range(3):
        assert client.get("/healthz").status_code == 200

    response = client.get("/metrics")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert requests_to(response.content.decode(), "healthz") == before + 3
