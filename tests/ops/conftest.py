import socket
import uuid

import pytest
import redis

REDIS_URL = "redis://127.0.0.1:6379/6"  # this area's own Redis database


def closed_port() -> int:
    """Return a local port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _empty_test_cache(_fast_settings):
    """Empty the test cache (tests/conftest.py's _clear_cache may run before _fast_settings switches to it)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def redis_cache(settings):
    """Point the default cache at the real Redis (own database, own key prefix); remove the keys afterwards."""
    prefix = f"ops-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)
