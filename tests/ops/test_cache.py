"""The Redis cache backend (operations.cache.RedisCache) against a real Redis server."""

import pytest
from django.core.cache import caches

REDIS_DB_URL = "redis://127.0.0.1:6379/11"


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "operations.cache.RedisCache", "LOCATION": REDIS_DB_URL, "KEY_PREFIX": "pb-cache-test"}
    }
    cache = caches["default"]
    yield cache
    cache.clear()


def test_cache_operations_work_and_reuse_one_client(redis_cache):
    client = redis_cache._cache
    assert client.get_client(write=True) is client.get_client(write=True)
    redis_cache.set("a", {"x": 1}, 60)
    assert redis_cache.get("a") == {"x": 1}
    assert redis_cache.add("a", 2) is False
    redis_cache.set("n", 1, 60)
    assert redis_cache.incr("n") == 2
    redis_cache.set_many({"b": 1, "c": 2}, 60)
    assert redis_cache.get_many(["a", "b", "c"]) == {"a": {"x": 1}, "b": 1, "c": 2}
    redis_cache.delete_many(["a", "b"])
    assert redis_cache.get("a") is None and redis_cache.get("c") == 2
