"""Bluesky outbox fixes, HTTP mocked at the transport level: "maybe posted" checks, link facets, post URLs, sessions."""

import json
import uuid

import httpx
import pytest
from django.core.cache import cache

from participation.announcements import services
from participation.announcements.channels.bluesky import delivery_tid, link_facets
from participation.announcements.text import count
from tests.factories import AnnouncementFactory

from .conftest import BSKY
from .test_delivery import later

pytestmark = pytest.mark.django_db


def approve(plan, planner, **kwargs):
    return services.announcement_approve(announcement=AnnouncementFactory(plan=plan, **kwargs), by=planner)


def record_response(rkey, text):
    return httpx.Response(
        200,
        json={
            "uri": f"at://did:plc:stadt/app.bsky.feed.post/{rkey}",
            "cid": "bafy",
            "value": {"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-11-30T03:00:00Z"},
        },
    )


NOT_FOUND = httpx.Response(400, json={"error": "RecordNotFound", "message": "Could not locate record"})


def test_502_after_the_record_was_created_checks_and_ends_as_sent(bluesky_mock, plan, planner):
    create = bluesky_mock.post(f"{BSKY}/com.atproto.repo.createRecord").mock(
        return_value=httpx.Response(502, text="<html>Bad Gateway</html>", headers={"content-type": "text/html"})
    )
    announcement = approve(plan, planner)
    delivery = announcement.deliveries.get(channel="bluesky")
    rkey = delivery_tid(delivery)
    get = bluesky_mock.get(f"{BSKY}/com.atproto.repo.getRecord").mock(return_value=record_response(rkey, delivery.text))

    assert services.deliveries_send_due() == {"sent": 1}

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, create.call_count) == ("sent", 1, 1)
    assert get.calls[0].request.url.params["rkey"] == rkey
    assert delivery.remote_url == f"https://bsky.app/profile/did:plc:stadt/post/{rkey}"


def test_already_a_value_at_key_with_our_text_is_success(bluesky_mock, plan, planner):
    announcement = approve(plan, planner)
    delivery = announcement.deliveries.get(channel="bluesky")
    rkey = delivery_tid(delivery)
    create = bluesky_mock.post(f"{BSKY}/com.atproto.repo.createRecord").mock(
        return_value=httpx.Response(
            500,
            json={
                "error": "InternalServerError",
                "message": f"There is already a value at key: app.bsky.feed.post/{rkey}",
            },
        )
    )
    bluesky_mock.get(f"{BSKY}/com.atproto.repo.getRecord").mock(return_value=record_response(rkey, delivery.text))

    services.deliveries_send_due()

    delivery.refresh_from_db()
    assert (delivery.status, create.call_count, delivery.last_error) == ("sent", 1, "")


def test_a_foreign_record_under_our_key_fails_visibly_without_retries(bluesky_mock, plan, planner):
    announcement = approve(plan, planner)
    delivery = announcement.deliveries.get(channel="bluesky")
    rkey = delivery_tid(delivery)
    bluesky_mock.post(f"{BSKY}/com.atproto.repo.createRecord").mock(
        return_value=httpx.Response(500, json={"error": "InternalServerError", "message": "There is already a value"})
    )
    bluesky_mock.get(f"{BSKY}/com.atproto.repo.getRecord").mock(
        return_value=record_response(rkey, "Etwas ganz anderes")
    )

    services.deliveries_send_due()

    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert "liegt ein anderer Beitrag" in delivery.last_error and rkey in delivery.last_error


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        (httpx.Response(503, json={"error": "Unavailable", "message": "PDS is restarting"}), "PDS is restarting"),
        (httpx.Response(409, json={"error": "Conflict", "message": "repo busy"}), "repo busy"),
        (httpx.ReadTimeout("timed out"), "Zeitüberschreitung"),
    ],
)
def test_maybe_posted_without_a_record_stays_pending_and_checks_before_the_next_post(
    bluesky_mock, plan, planner, answer, shown
):
    create = bluesky_mock.post(f"{BSKY}/com.atproto.repo.createRecord")
    create.mock(side_effect=[answer, lambda request: record_response(json.loads(request.content)["rkey"], "")])
    get = bluesky_mock.get(f"{BSKY}/com.atproto.repo.getRecord").mock(return_value=NOT_FOUND)
    announcement = approve(plan, planner)

    services.deliveries_send_due()

    delivery = announcement.deliveries.get(channel="bluesky")
    assert (delivery.status, delivery.uncertain, get.call_count) == ("pending", True, 1)
    assert shown in delivery.last_error  # the server's own message is kept for staff

    services.deliveries_send_due(now=later())

    delivery.refresh_from_db()
    assert (delivery.status, create.call_count, get.call_count) == ("sent", 2, 2)  # checked again, then posted


def test_a_refused_connection_is_retried_without_a_check(bluesky_mock, plan, planner):
    bluesky_mock.post(f"{BSKY}/com.atproto.repo.createRecord").mock(side_effect=httpx.ConnectError("refused"))
    get = bluesky_mock.get(f"{BSKY}/com.atproto.repo.getRecord").mock(return_value=NOT_FOUND)
    announcement = approve(plan, planner)

    services.deliveries_send_due()

    delivery = announcement.deliveries.get(channel="bluesky")
    assert (delivery.status, delivery.uncertain, get.call_count) == ("pending", False, 0)
    assert "nicht erreichbar" in delivery.last_error


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("Alles unter https://usingen.de/plan-64. Danke!", "https://usingen.de/plan-64"),
        ("Plan (https://usingen.de/plan) ansehen", "https://usingen.de/plan"),
        ("Filter https://usingen.de/?x=1, dann weiter", "https://usingen.de/?x=1"),
        ("Wirklich? https://usingen.de/a?!", "https://usingen.de/a"),
        ("🏡🇩🇪 Recht: https://de.wikipedia.org/wiki/Plan_(Recht); mehr", "https://de.wikipedia.org/wiki/Plan_(Recht)"),
    ],
)
def test_link_facets_stop_at_trailing_punctuation_and_keep_balanced_brackets(text, link):
    (facet,) = link_facets(text)
    raw = text.encode("utf-8")
    assert raw[facet.index.byte_start : facet.index.byte_end].decode() == link
    assert facet.features[0].uri == link


def test_the_bluesky_count_excludes_trailing_punctuation_like_the_facet():
    assert count("https://a.de/x.", "bluesky") == len("https://a.de/x.")  # the dot still counts as text
    assert count("https://a.de/x.", "x") == 23 + 1


def test_post_url_uses_the_configured_app_view_and_the_did(bluesky_mock, plan, planner, settings):
    settings.SOCIAL_BLUESKY_APPVIEW_URL = "https://social.usingen.de/"
    bluesky_mock.post(f"{BSKY}/com.atproto.repo.createRecord").mock(
        side_effect=lambda request: httpx.Response(
            200,
            json={"uri": f"at://did:plc:stadt/app.bsky.feed.post/{json.loads(request.content)['rkey']}", "cid": "b"},
        )
    )
    announcement = approve(plan, planner)

    services.deliveries_send_due()

    delivery = announcement.deliveries.get(channel="bluesky")
    assert delivery.remote_url == f"https://social.usingen.de/profile/did:plc:stadt/post/{delivery_tid(delivery)}"


@pytest.fixture
def redis_cache(settings):
    """The shared cache a deployment uses (Redis DB 8), under a prefix of its own; its keys are removed afterwards."""
    prefix = f"test-bluesky-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/8",
            "KEY_PREFIX": prefix,
        }
    }
    yield
    redis = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    for key in redis.scan_iter(f"{prefix}:*"):
        redis.delete(key)


def test_session_lives_in_the_shared_cache_one_login_across_runs(redis_cache, bluesky_mock, plan, planner):
    from django.core.cache import caches

    session = bluesky_mock.routes[0]
    create = bluesky_mock.post(f"{BSKY}/com.atproto.repo.createRecord").mock(
        side_effect=[
            httpx.Response(200, json={"uri": "at://did:plc:stadt/app.bsky.feed.post/a", "cid": "b"}),
            httpx.Response(200, json={"uri": "at://did:plc:stadt/app.bsky.feed.post/b", "cid": "b"}),
            httpx.Response(400, json={"error": "InvalidToken", "message": "Token could not be verified"}),
            httpx.Response(200, json={"uri": "at://did:plc:stadt/app.bsky.feed.post/c", "cid": "b"}),
        ]
    )
    approve(plan, planner)
    services.deliveries_send_due()
    caches.close_all()  # a new `send_announcements` run: new connections, the session comes from Redis
    approve(plan, planner)
    services.deliveries_send_due()
    assert (session.call_count, create.call_count) == (1, 2)

    third = approve(plan, planner)
    services.deliveries_send_due()  # the server rejects the session: log in again once, post
    assert (session.call_count, create.call_count) == (2, 4)
    assert third.deliveries.get(channel="bluesky").status == "sent"
