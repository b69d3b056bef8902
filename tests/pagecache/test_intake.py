"""Comment intake stays lean: few queries per guest statement, rate limit in one Redis round trip."""

import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse

from participation.models import Statement

from ..factories import ConsultationFactory
from ..participation.test_views import form_data

pytestmark = pytest.mark.django_db


def post(client, consultation, **overrides):
    return client.post(
        reverse("participation:statement_create", args=[consultation.pk]), form_data(consultation, **overrides)
    )


def test_guest_post_needs_one_read_and_the_inserts(client, django_assert_max_num_queries):
    """One read for the consultation and plan (with the Bekanntmachung date), 3 inserts, the mail task, savepoints."""
    consultation = ConsultationFactory(moderation="pre")  # § 3 Abs. 2: opens only after its Bekanntmachung
    post(client, consultation, email="warm@example.org")  # per-process caches (content type, prepared area)
    with django_assert_max_num_queries(6):
        response = post(client, consultation)
    assert response.status_code == 302
    assert Statement.objects.filter(user_email="erika@example.org", is_public=False).count() == 1


def test_unconfirmed_statement_leaves_the_cached_plan_page_alone(client):
    consultation = ConsultationFactory(moderation="post")
    url = consultation.plan.get_absolute_url()
    for _ in range(3):
        client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    assert post(client, consultation).status_code == 302
    assert client.get(url)["X-Page-Cache"] == "hit"  # nothing new is shown until the statement is confirmed


@pytest.fixture
def redis_cache(settings):
    """The real Redis (DB 5 of this test area) under a key prefix of its own."""
    prefix = f"pagecache-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/5",
            "KEY_PREFIX": prefix,
        }
    }
    yield prefix
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def test_rate_limit_counts_in_redis_and_refuses_past_the_limit(client, settings, redis_cache):
    settings.PARTICIPATION_RATE_LIMIT = 2
    consultation = ConsultationFactory(moderation="post")
    client.defaults["REMOTE_ADDR"] = "203.0.113.7"
    assert post(client, consultation, email="a@example.org").status_code == 302
    assert post(client, consultation, email="b@example.org").status_code == 302
    response = post(client, consultation, email="c@example.org")
    assert response.status_code == 429 and "Zu viele Stellungnahmen" in response.content.decode()
    assert Statement.objects.count() == 2
    assert cache.get("pb:rate:ip:203.0.113.7") == 3  # the counters stay ordinary cache integers
    redis = cache._cache.get_client()
    assert 0 < redis.ttl(cache.make_and_validate_key("pb:rate:ip:203.0.113.7")) <= settings.PARTICIPATION_RATE_WINDOW
    client.defaults["REMOTE_ADDR"] = "198.51.100.1"
    assert post(client, consultation, email="A+x@example.org").status_code == 302  # the mail counter: a@, 2nd
    assert post(client, consultation, email="a@Example.org").status_code == 429


def test_closing_early_refuses_the_next_post_although_the_consultation_was_cached(client):
    from participation import services

    from ..factories import MembershipFactory

    consultation = ConsultationFactory(moderation="pre", kind="early")  # § 3 Abs. 1: closing needs no confirmation
    for i in range(3):  # learn the plan, cache the consultation, use the cached copy
        assert post(client, consultation, email=f"v{i}@example.org").status_code == 302
    planner = MembershipFactory(municipality=consultation.plan.municipality).user
    services.consultation_close(consultation=consultation, by=planner, reason="Verfahren eingestellt")
    response = post(client, consultation, email="late@example.org")
    assert response.status_code == 403 and "nicht geöffnet" in response.content.decode()
    assert not Statement.objects.filter(user_email="late@example.org").exists()


def test_taking_the_plan_offline_refuses_the_next_post(client, settings):
    from plans import services

    from ..factories import MembershipFactory

    consultation = ConsultationFactory(moderation="pre")
    for i in range(3):
        assert post(client, consultation, email=f"v{i}@example.org").status_code == 302
    planner = MembershipFactory(municipality=consultation.plan.municipality).user
    services.plan_unpublish(plan=consultation.plan, by=planner)
    assert post(client, consultation, email="late@example.org").status_code == 404


def test_cached_consultation_and_its_page_version_take_one_cache_read(client, monkeypatch):
    from django.core.cache import caches

    from plans.page_cache import plan_page_version_key

    consultation = ConsultationFactory(moderation="pre")
    for i in range(3):  # learn the plan, cache the consultation, use the cached copy
        assert post(client, consultation, email=f"v{i}@example.org").status_code == 302
    backend, reads, inside = caches["default"], [], []
    for name in ("get", "get_many"):
        original = getattr(backend, name)

        def spy(key, *args, _name=name, _original=original, **kwargs):
            if not inside:  # the local-memory cache's get_many() calls get() per key: one read all the same
                reads.append((_name, key))
            inside.append(_name)
            try:
                return _original(key, *args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(backend, name, spy)
    assert post(client, consultation, email="next@example.org").status_code == 302
    key = f"pb:submit:consultation:{consultation.pk}"
    assert [read for read in reads if key in read[1] or read[1] == key] == [
        ("get_many", [key, plan_page_version_key(consultation.plan_id)])
    ]
    assert Statement.objects.filter(user_email="next@example.org").count() == 1
