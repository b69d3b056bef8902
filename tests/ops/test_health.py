"""/healthz through django-health-check: database, cache, storage, worker heartbeat; details for operators only."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from operations.heartbeat import record_heartbeat

from ..factories import UserFactory
from .conftest import closed_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def unreachable_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture
def operator(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_healthy_installation_answers_ok_without_details(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


def test_operator_sees_each_check(operator):
    response = operator.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "storage": "ok"}}


def test_allowed_address_sees_details_without_login(client, settings):
    settings.HEALTH_DETAIL_ALLOWED_IPS = ["192.0.2.0/24"]
    assert "checks" not in client.get("/healthz").json()

    response = client.get("/healthz", REMOTE_ADDR="192.0.2.7")

    assert set(response.json()["checks"]) == {"database", "cache", "storage"}


def test_staff_member_without_operator_rights_gets_no_details(client):
    client.force_login(UserFactory(is_staff=True))

    assert client.get("/healthz").json() == {"status": "ok"}


def test_redis_down_answers_503_and_tells_only_operators_why(client, unreachable_cache):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error"}


def test_redis_down_names_the_cache_for_allowed_addresses(client, settings, unreachable_cache):
    settings.HEALTH_DETAIL_ALLOWED_IPS = ["127.0.0.1"]

    response = client.get("/healthz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == "ok" and checks["storage"] == "ok"
    assert checks["cache"] != "ok" and "Connection" in checks["cache"]


def test_unwritable_storage_answers_503(client, settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.MEDIA_ROOT = str(blocker / "media")
    settings.HEALTH_DETAIL_ALLOWED_IPS = ["127.0.0.1"]

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["storage"] != "ok"


def test_worker_without_heartbeat_fails_then_passes_once_a_worker_beats(client, settings):
    settings.HEALTH_CHECK_WORKER, settings.HEALTH_DETAIL_ALLOWED_IPS = True, ["127.0.0.1"]

    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "Unavailable: no worker heartbeat recorded"

    record_heartbeat()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["checks"]["worker"] == "ok"


def test_stale_heartbeat_fails(client, settings):
    settings.HEALTH_CHECK_WORKER, settings.HEALTH_DETAIL_ALLOWED_IPS = True, ["127.0.0.1"]
    record_heartbeat()
    assert client.get("/healthz").status_code == 200

    settings.HEALTH_WORKER_MAX_AGE = 0  # the same heartbeat, now older than allowed
    response = client.get("/healthz")

    assert response.status_code == 503
    assert re.fullmatch(r"Unavailable: last worker heartbeat \d+ s ago", response.json()["checks"]["worker"])


def test_shared_cache_checks_the_worker_by_default(client, settings, redis_cache):
    settings.HEALTH_DETAIL_ALLOWED_IPS = ["127.0.0.1"]
    assert settings.HEALTH_CHECK_WORKER is None

    first = client.get("/healthz")
    record_heartbeat("node-2:4711")
    second = client.get("/healthz")

    assert first.status_code == 503 and "heartbeat" in first.json()["checks"]["worker"]
    assert second.status_code == 200 and second.json()["checks"]["worker"] == "ok"


def test_worker_check_can_be_switched_off(client, settings, redis_cache):
    settings.HEALTH_CHECK_WORKER = False

    assert client.get("/healthz").status_code == 200


def test_healthz_refuses_post(client):
    assert client.post(reverse("healthz")).status_code == 405


def test_command_runs_the_same_checks_without_a_server(settings, capsys):
    settings.HEALTH_CHECK_WORKER = True
    with pytest.raises(SystemExit) as failed:
        call_command("health_check", "healthz", "--no-http")
    output = capsys.readouterr().out
    assert failed.value.code == 1 and "no worker heartbeat recorded" in output, output

    record_heartbeat()
    with pytest.raises(SystemExit) as passed:
        call_command("health_check", "healthz", "--no-http")
    assert passed.value.code == 0
