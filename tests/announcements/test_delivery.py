"""The outbox against mocked X, Mastodon and Bluesky APIs (HTTP mocked at the transport level)."""

import datetime as dt
import json
from unittest import mock
from urllib.parse import parse_qs

import httpx
import pytest
import requests
import responses
import respx
from django.utils import timezone

from participation.announcements import outbox, services
from participation.announcements.channels.bluesky import delivery_tid
from participation.announcements.models import Announcement, Delivery
from tests.factories import AnnouncementFactory, ChannelAccountFactory

from .conftest import BSKY, fake_jwt

pytestmark = pytest.mark.django_db

X_TWEETS = "https://api.twitter.com/2/tweets"
X_ME = "https://api.twitter.com/2/users/me"
MASTODON_STATUSES = "https://social.example/api/v1/statuses"


def later(minutes=600):
    return timezone.now() + dt.timedelta(minutes=minutes)


def mastodon_status(status_id="111"):
    return {
        "id": status_id,
        "uri": f"https://social.example/users/stadt/statuses/{status_id}",
        "url": f"https://social.example/@stadt/{status_id}",
        "content": "<p>…</p>",
        "created_at": "2026-11-26T12:00:00.000Z",
        "visibility": "public",
    }


def approve(plan, planner, **kwargs):
    announcement = AnnouncementFactory(plan=plan, **kwargs)
    return services.announcement_approve(announcement=announcement, by=planner)


@responses.activate
def test_x_success_posts_once_with_oauth_and_fitted_text(plan, planner):
    ChannelAccountFactory(municipality=plan.municipality, kind="x")
    responses.post(X_TWEETS, json={"data": {"id": "1850", "text": "ok"}}, status=201)
    announcement = approve(plan, planner)

    counts = services.deliveries_send_due()

    assert counts == {"sent": 1}  # the two unconfigured channels were skipped at approval
    assert len(responses.calls) == 1
    request = responses.calls[0].request
    assert request.headers["Authorization"].startswith("OAuth ")
    assert 'oauth_consumer_key="ck"' in request.headers["Authorization"]
    assert 'oauth_token="at"' in request.headers["Authorization"]
    body = json.loads(request.body)
    assert body["text"] == f"{announcement.body}\n\n{announcement.link}"
    delivery = announcement.deliveries.get(channel="x")
    assert (delivery.status, delivery.remote_id, delivery.attempts) == ("sent", "1850", 1)
    assert delivery.remote_url == "https://x.com/stadt_test/status/1850"
    # Nothing is due any more: a second run posts nothing.
    assert services.deliveries_send_due(now=later()) == {}
    assert len(responses.calls) == 1


@responses.activate
def test_mastodon_success_sends_bearer_token_and_idempotency_key(plan, planner):
    ChannelAccountFactory(municipality=plan.municipality, kind="mastodon")
    responses.post(MASTODON_STATUSES, json=mastodon_status())
    announcement = approve(plan, planner)

    services.deliveries_send_due()

    request = responses.calls[0].request
    delivery = announcement.deliveries.get(channel="mastodon")
    assert request.headers["Authorization"] == "Bearer masto-token"
    assert request.headers["Idempotency-Key"] == str(delivery.idempotency_key)
    form = {k: v[0] for k, v in parse_qs(request.body).items()}
    assert form["status"] == f"{announcement.body}\n\n{announcement.link}"
    assert (form["visibility"], form["language"]) == ("public", "de")
    assert (delivery.status, delivery.remote_id, delivery.remote_url) == (
        "sent",
        "111",
        "https://social.example/@stadt/111",
    )


@respx.mock
def test_bluesky_success_posts_record_with_link_facet(plan, planner):
    ChannelAccountFactory(municipality=plan.municipality, kind="bluesky")
    jwt = fake_jwt()
    session = respx.post(f"{BSKY}/com.atproto.server.createSession").mock(
        return_value=httpx.Response(
            200, json={"accessJwt": jwt, "refreshJwt": jwt, "handle": "stadt.bsky.social", "did": "did:plc:stadt"}
        )
    )
    create = respx.post(f"{BSKY}/com.atproto.repo.createRecord").mock(
        side_effect=lambda request: httpx.Response(
            200,
            json={
                "uri": f"at://did:plc:stadt/app.bsky.feed.post/{json.loads(request.content)['rkey']}",
                "cid": "bafyreib2rxk3rh6kzwq",
            },
        )
    )
    announcement = approve(plan, planner, body="Beteiligung zum Plan „Am Riedborn“ – jetzt Stellung nehmen! 🏡")

    services.deliveries_send_due()

    assert session.call_count == 1
    assert json.loads(session.calls[0].request.content) == {"identifier": "stadt.bsky.social", "password": "app-pass"}
    assert create.call_count == 1
    request = create.calls[0].request
    assert request.headers["Authorization"] == f"Bearer {jwt}"
    data = json.loads(request.content)
    delivery = announcement.deliveries.get(channel="bluesky")
    assert data["repo"] == "stadt.bsky.social"
    assert data["collection"] == "app.bsky.feed.post"
    assert data["rkey"] == delivery_tid(delivery)
    record = data["record"]
    text = record["text"]
    assert text == f"{announcement.body}\n\n{announcement.link}"
    facet = record["facets"][0]
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert text.encode()[start:end].decode() == announcement.link  # byte offsets, not character offsets
    assert facet["features"] == [{"$type": "app.bsky.richtext.facet#link", "uri": announcement.link}]
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert (
        delivery.remote_url == f"https://bsky.app/profile/did:plc:stadt/post/{data['rkey']}"
    )  # the DID, not the handle


@responses.activate
def test_x_rate_limit_then_success_posts_once(plan, planner):
    ChannelAccountFactory(municipality=plan.municipality, kind="x")
    reset = int(timezone.now().timestamp()) + 120
    responses.post(
        X_TWEETS, json={"title": "Too Many Requests"}, status=429, headers={"x-rate-limit-reset": str(reset)}
    )
    responses.post(X_TWEETS, json={"data": {"id": "77", "text": "ok"}}, status=201)
    announcement = approve(plan, planner)

    services.deliveries_send_due()
    delivery = announcement.deliveries.get(channel="x")
    assert delivery.status == "pending"
    assert "Rate-Limit" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now() + dt.timedelta(seconds=60)
    # Not due yet: nothing happens.
    assert services.deliveries_send_due() == {}

    services.deliveries_send_due(now=later())

    delivery.refresh_from_db()
    assert (delivery.status, delivery.remote_id, delivery.attempts) == ("sent", "77", 2)
    assert len(responses.calls) == 2  # one rejected, one accepted post


@responses.activate
def test_mastodon_server_errors_back_off_exponentially(plan, planner, settings):
    ChannelAccountFactory(municipality=plan.municipality, kind="mastodon")
    responses.post(MASTODON_STATUSES, json={"error": "boom"}, status=503)
    announcement = approve(plan, planner)
    delivery = announcement.deliveries.get(channel="mastodon")
    delays = []
    now = timezone.now()
    for _ in range(3):
        services.deliveries_send_due(now=now)
        delivery.refresh_from_db()
        delays.append((delivery.next_attempt_at - now).total_seconds())
        now = delivery.next_attempt_at
    assert delivery.status == "pending"
    base = settings.ANNOUNCEMENTS_BACKOFF_BASE
    assert base * 0.5 <= delays[0] <= base
    assert base * 2 <= delays[2] <= base * 4
    settings.ANNOUNCEMENTS_MAX_ATTEMPTS = 4
    services.deliveries_send_due(now=now)
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert "Aufgegeben nach 4 Versuchen" in delivery.last_error


@responses.activate
def test_x_timeout_after_remote_accepted_is_not_posted_twice(plan, planner):
    ChannelAccountFactory(municipality=plan.municipality, kind="x")
    responses.post(X_TWEETS, body=requests.exceptions.ReadTimeout("read timed out"))
    announcement = approve(plan, planner)
    services.deliveries_send_due()
    delivery = announcement.deliveries.get(channel="x")
    assert delivery.status == "pending" and delivery.uncertain

    # The post did arrive; X rewrote the link to t.co.
    posted_text = delivery.text.replace(announcement.link, "https://t.co/AbC123")
    responses.get(X_ME, json={"data": {"id": "42", "name": "Stadt", "username": "stadt_test"}})
    responses.get(
        "https://api.twitter.com/2/users/42/tweets",
        json={"data": [{"id": "5", "text": "älter"}, {"id": "900", "text": posted_text}]},
    )
    services.deliveries_send_due(now=later())

    delivery.refresh_from_db()
    assert (delivery.status, delivery.remote_id) == ("sent", "900")
    posts = [c for c in responses.calls if c.request.method == "POST"]
    assert len(posts) == 1


@responses.activate
def test_mastodon_timeout_retry_reuses_idempotency_key(plan, planner):
    ChannelAccountFactory(municipality=plan.municipality, kind="mastodon")
    responses.post(MASTODON_STATUSES, body=requests.exceptions.ReadTimeout("read timed out"))
    responses.post(MASTODON_STATUSES, json=mastodon_status("222"))
    announcement = approve(plan, planner)

    services.deliveries_send_due()
    services.deliveries_send_due(now=later())

    delivery = announcement.deliveries.get(channel="mastodon")
    assert (delivery.status, delivery.remote_id) == ("sent", "222")
    keys = [c.request.headers["Idempotency-Key"] for c in responses.calls]
    assert keys == [str(delivery.idempotency_key)] * 2  # the server deduplicates the second request


@respx.mock
def test_bluesky_timeout_after_accept_finds_record_and_does_not_repost(plan, planner):
    ChannelAccountFactory(municipality=plan.municipality, kind="bluesky")
    jwt = fake_jwt()
    respx.post(f"{BSKY}/com.atproto.server.createSession").mock(
        return_value=httpx.Response(
            200, json={"accessJwt": jwt, "refreshJwt": jwt, "handle": "stadt.bsky.social", "did": "did:plc:stadt"}
        )
    )
    create = respx.post(f"{BSKY}/com.atproto.repo.createRecord").mock(side_effect=httpx.ReadTimeout("timeout"))
    announcement = approve(plan, planner)
    services.deliveries_send_due()
    delivery = announcement.deliveries.get(channel="bluesky")
    assert delivery.status == "pending" and delivery.uncertain
    rkey = delivery_tid(delivery)
    get = respx.get(f"{BSKY}/com.atproto.repo.getRecord").mock(
        return_value=httpx.Response(
            200,
            json={
                "uri": f"at://did:plc:stadt/app.bsky.feed.post/{rkey}",
                "cid": "bafy",
                "value": {"$type": "app.bsky.feed.post", "text": delivery.text, "createdAt": "2026-11-26T12:00:00Z"},
            },
        )
    )

    services.deliveries_send_due(now=later())

    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert delivery.remote_id == f"at://did:plc:stadt/app.bsky.feed.post/{rkey}"
    assert get.calls[0].request.url.params["rkey"] == rkey
    assert create.call_count == 1


@responses.activate
def test_unauthorized_stops_with_visible_german_error(plan, planner, client):
    ChannelAccountFactory(municipality=plan.municipality, kind="mastodon")
    responses.post(MASTODON_STATUSES, json={"error": "The access token is invalid"}, status=401)
    announcement = approve(plan, planner)

    services.deliveries_send_due()
    services.deliveries_send_due(now=later(60 * 24))

    delivery = announcement.deliveries.get(channel="mastodon")
    assert delivery.status == "failed"
    assert "401" in delivery.last_error and "Schlüssel" in delivery.last_error
    assert len(responses.calls) == 1  # no retries on permanent errors
    client.force_login(planner)
    page = client.get(f"/verwaltung/ankuendigungen/{announcement.pk}/")
    assert "Der Zugangsschlüssel wurde abgelehnt (401)" in page.content.decode()


@responses.activate
def test_x_forbidden_stops_with_api_message(plan, planner):
    ChannelAccountFactory(municipality=plan.municipality, kind="x")
    responses.post(
        X_TWEETS, status=403, json={"detail": "You are not permitted to perform this action.", "title": "Forbidden"}
    )
    announcement = approve(plan, planner)
    services.deliveries_send_due()
    delivery = announcement.deliveries.get(channel="x")
    assert delivery.status == "failed"
    assert "403" in delivery.last_error and "not permitted" in delivery.last_error


def test_unconfigured_channels_are_skipped_not_failed(plan, planner):
    announcement = approve(plan, planner)
    statuses = dict(announcement.deliveries.values_list("channel", "status"))
    assert statuses == {"x": "skipped", "mastodon": "skipped", "bluesky": "skipped"}
    assert services.deliveries_send_due() == {}
    assert "nicht eingerichtet" in announcement.deliveries.get(channel="x").last_error


@responses.activate
def test_settings_account_is_the_default(plan, planner, settings):
    settings.SOCIAL_MASTODON_API_BASE_URL = "https://social.example"
    settings.SOCIAL_MASTODON_ACCESS_TOKEN = "from-env"
    responses.post(MASTODON_STATUSES, json=mastodon_status())
    announcement = approve(plan, planner)
    services.deliveries_send_due()
    assert responses.calls[0].request.headers["Authorization"] == "Bearer from-env"
    assert announcement.deliveries.get(channel="mastodon").status == "sent"


@responses.activate
def test_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(plan, planner):
    ChannelAccountFactory(municipality=plan.municipality, kind="x")
    counter = iter(range(1000, 2000))
    texts = {}

    def create_tweet(request):
        tweet_id = str(next(counter))
        texts[tweet_id] = json.loads(request.body)["text"]
        return 201, {}, json.dumps({"data": {"id": tweet_id, "text": texts[tweet_id]}})

    responses.add_callback(responses.POST, X_TWEETS, callback=create_tweet)
    first, second, third = (approve(plan, planner) for _ in range(3))

    real_record = outbox._record_success
    calls = {"n": 0}

    def dying_record(delivery, posted, now):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("worker killed after the network accepted the post")
        return real_record(delivery, posted, now)

    with mock.patch.object(outbox, "_record_success", dying_record), pytest.raises(KeyboardInterrupt):
        services.deliveries_send_due()

    states = {a.pk: a.deliveries.get(channel="x").status for a in (first, second, third)}
    assert states == {first.pk: "sent", second.pk: "sending", third.pk: "pending"}

    # A new worker before the claim timeout leaves the other worker's row alone.
    services.deliveries_send_due()
    assert second.deliveries.get(channel="x").status == "sending"

    responses.get(X_ME, json={"data": {"id": "42", "name": "Stadt", "username": "stadt_test"}})
    responses.get(
        "https://api.twitter.com/2/users/42/tweets",
        json={"data": [{"id": tid, "text": text} for tid, text in texts.items()]},
    )
    services.deliveries_send_due(now=later())

    posted = [c for c in responses.calls if c.request.method == "POST"]
    assert len(posted) == 3  # one post per announcement, none repeated
    remote = {a.pk: a.deliveries.get(channel="x").remote_id for a in (first, second, third)}
    assert remote == {first.pk: "1000", second.pk: "1001", third.pk: "1002"}
    assert Delivery.objects.filter(status="sent", channel="x").count() == 3


def test_scheduled_announcement_waits_until_its_time(plan, planner):
    ChannelAccountFactory(municipality=plan.municipality, kind="mastodon")
    announcement = AnnouncementFactory(plan=plan)
    when = later(120)
    services.announcement_approve(announcement=announcement, by=planner, scheduled_for=when)
    delivery = announcement.deliveries.get(channel="mastodon")
    assert delivery.next_attempt_at == when
    assert services.deliveries_send_due() == {}
    assert Announcement.objects.published().filter(pk=announcement.pk).exists() is False


@responses.activate
def test_retry_puts_failed_delivery_back(plan, planner):
    ChannelAccountFactory(municipality=plan.municipality, kind="mastodon")
    responses.post(MASTODON_STATUSES, json={"error": "invalid"}, status=401)
    responses.post(MASTODON_STATUSES, json=mastodon_status("333"))
    announcement = approve(plan, planner)
    services.deliveries_send_due()
    delivery = announcement.deliveries.get(channel="mastodon")
    assert delivery.status == "failed"
    services.delivery_retry(delivery=delivery, by=planner)
    services.deliveries_send_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.remote_id) == ("sent", "333")


@responses.activate
@respx.mock
def test_opened_consultation_is_drafted_approved_and_delivered_once_per_channel(
    client, planner, settings, django_capture_on_commit_callbacks
):
    """The tracker's 'done when': drafts for every configured channel, approval, worker, staff UI."""
    from tests.factories import ConsultationFactory

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    municipality = planner.memberships.get().municipality
    for kind in ("x", "mastodon", "bluesky"):
        ChannelAccountFactory(municipality=municipality, kind=kind)
    consultation = ConsultationFactory(plan__municipality=municipality)
    responses.post(X_TWEETS, json={"data": {"id": "1850", "text": "ok"}}, status=201)
    responses.post(MASTODON_STATUSES, json=mastodon_status("111"))
    jwt = fake_jwt()
    respx.post(f"{BSKY}/com.atproto.server.createSession").mock(
        return_value=httpx.Response(
            200, json={"accessJwt": jwt, "refreshJwt": jwt, "handle": "stadt.bsky.social", "did": "did:plc:stadt"}
        )
    )
    bsky = respx.post(f"{BSKY}/com.atproto.repo.createRecord").mock(
        return_value=httpx.Response(200, json={"uri": "at://did:plc:stadt/app.bsky.feed.post/abc", "cid": "bafy"})
    )

    opened, _reminder = services.announcement_drafts_for_event(
        event="consultation_opened", plan=consultation.plan, consultation=consultation
    )
    client.force_login(planner)
    url = f"/verwaltung/ankuendigungen/{opened.pk}/"
    page = client.get(url).content.decode()
    assert page.count(" von ") >= 3  # a preview with its count for each channel
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/verwaltung/ankuendigungen/{opened.pk}/freigeben/")  # the immediate backend runs the worker

    assert dict(opened.deliveries.values_list("channel", "status")) == {
        "x": "sent",
        "mastodon": "sent",
        "bluesky": "sent",
    }
    assert len(responses.calls) == 2 and bsky.call_count == 1  # X and Mastodon once each, Bluesky once
    services.deliveries_send_due(now=later())
    assert len(responses.calls) == 2 and bsky.call_count == 1
    page = client.get(url).content.decode()
    assert page.count(">Gesendet<") == 3
    assert "https://x.com/stadt_test/status/1850" in page and "https://social.example/@stadt/111" in page


@respx.mock
def test_bluesky_reuses_the_session_and_logs_in_again_when_it_expired(plan, planner):
    ChannelAccountFactory(municipality=plan.municipality, kind="bluesky")
    jwt = fake_jwt()
    session = respx.post(f"{BSKY}/com.atproto.server.createSession").mock(
        return_value=httpx.Response(
            200, json={"accessJwt": jwt, "refreshJwt": jwt, "handle": "stadt.bsky.social", "did": "did:plc:stadt"}
        )
    )
    ok = httpx.Response(200, json={"uri": "at://did:plc:stadt/app.bsky.feed.post/x", "cid": "bafy"})
    create = respx.post(f"{BSKY}/com.atproto.repo.createRecord").mock(
        side_effect=[
            ok,
            ok,
            httpx.Response(400, json={"error": "ExpiredToken", "message": "Token has expired"}),
            ok,
        ]
    )
    approve(plan, planner)
    approve(plan, planner)
    services.deliveries_send_due()
    assert (session.call_count, create.call_count) == (1, 2)  # one login for both posts

    third = approve(plan, planner)
    services.deliveries_send_due()
    assert (session.call_count, create.call_count) == (2, 4)  # rejected session → fresh login → posted
    assert third.deliveries.get(channel="bluesky").status == "sent"


def test_unexpected_errors_are_retried_then_given_up(plan, planner, settings):
    ChannelAccountFactory(municipality=plan.municipality, kind="mastodon")
    settings.ANNOUNCEMENTS_MAX_ATTEMPTS = 2
    announcement = approve(plan, planner)
    with mock.patch("participation.announcements.channels.mastodon.MastodonClient.post", side_effect=ValueError("odd")):
        services.deliveries_send_due()
        delivery = announcement.deliveries.get(channel="mastodon")
        assert delivery.status == "pending" and "ValueError" in delivery.last_error
        services.deliveries_send_due(now=later())
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 2
