"""The outbox through the project's Bluesky channel against a real local PDS; asserts on what the server holds."""

import datetime as dt
import os
import signal
import socket

import pytest
from django.utils import timezone

from participation.announcements import services
from participation.announcements.channels.bluesky import delivery_tid
from participation.announcements.text import LIMITS, count, graphemes
from tests.factories import AnnouncementFactory, ChannelAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def connect(plan, bluesky_pds, bluesky_account):
    """Return a function that sets up the municipality's Bluesky account at `url` (default: the PDS itself)."""

    def make(url: str | None = None):
        return ChannelAccountFactory(
            municipality=plan.municipality,
            kind="bluesky",
            handle=bluesky_account.handle,
            api_base_url=url or bluesky_pds.url,
            credentials={"app_password": bluesky_account.app_password},
        )

    return make


def approve(plan, planner, **kwargs):
    return services.announcement_approve(announcement=AnnouncementFactory(plan=plan, **kwargs), by=planner)


def later(minutes=600):
    return timezone.now() + dt.timedelta(minutes=minutes)


def only_record(pds, account, delivery) -> dict:
    """Assert the server holds exactly one post, under the delivery's record key, and return its value."""
    records = pds.records(account.did)
    assert len(records) == 1, records
    assert records[0]["uri"] == f"at://{account.did}/app.bsky.feed.post/{delivery_tid(delivery)}"
    return records[0]["value"]


def links(value: dict) -> list[str]:
    """Return the text each link facet points at (sliced by UTF-8 bytes), checked against the facet's URI."""
    raw = value["text"].encode("utf-8")
    found = []
    for facet in value.get("facets") or []:
        (feature,) = facet["features"]
        sliced = raw[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode("utf-8")
        assert feature["uri"] == sliced
        found.append(sliced)
    return found


def test_a_post_lands_once_with_text_link_facet_and_a_did_based_url(
    bluesky_pds, bluesky_account, connect, plan, planner
):
    connect()
    announcement = approve(
        plan, planner, body="Neu online: Bebauungsplan „Am Riedborn“ – Stellungnahmen bis 15. Januar."
    )

    assert services.deliveries_send_due() == {"sent": 1}

    delivery = announcement.deliveries.get(channel="bluesky")
    value = only_record(bluesky_pds, bluesky_account, delivery)
    assert value["text"] == delivery.text == f"{announcement.body}\n\n{announcement.link}"
    assert links(value) == [announcement.link]
    assert value["langs"] == ["de"]
    assert delivery.remote_id == f"at://{bluesky_account.did}/app.bsky.feed.post/{delivery_tid(delivery)}"
    assert delivery.remote_url == f"https://bsky.app/profile/{bluesky_account.did}/post/{delivery_tid(delivery)}"
    assert services.deliveries_send_due(now=later()) == {}  # nothing due: a second run posts nothing
    assert len(bluesky_pds.records(bluesky_account.did)) == 1


def test_long_text_with_emoji_and_a_flag_is_fitted_to_300_graphemes_and_accepted(
    bluesky_pds, bluesky_account, connect, plan, planner
):
    connect()
    body = "🏡🇩🇪 Öffentliche Auslegung für „Am Riedborn“: " + "Grünflächen, Straßen und Wege 🌳🚲 " * 20
    announcement = approve(plan, planner, body=body)

    services.deliveries_send_due()

    delivery = announcement.deliveries.get(channel="bluesky")
    assert delivery.status == "sent", delivery.last_error
    value = only_record(bluesky_pds, bluesky_account, delivery)
    assert value["text"] == delivery.text
    assert value["text"].startswith("🏡🇩🇪 ") and value["text"].endswith("…\n\n" + announcement.link)
    assert count(value["text"], "bluesky") <= LIMITS["bluesky"] < len(value["text"].encode("utf-16-le")) // 2
    assert len(graphemes(value["text"])) <= 300  # the server's own limit (it would answer 400 otherwise)
    assert links(value) == [announcement.link]


def test_links_in_the_body_stop_before_trailing_punctuation(bluesky_pds, bluesky_account, connect, plan, planner):
    connect()
    body = (
        "Unterlagen: https://usingen.de/plan-64. Fragen? (https://usingen.de/kontakt) "
        "Recht: https://de.wikipedia.org/wiki/Bebauungsplan_(Deutschland), Filter https://usingen.de/?x=1, ✓"
    )
    announcement = approve(plan, planner, body=body)

    services.deliveries_send_due()

    delivery = announcement.deliveries.get(channel="bluesky")
    value = only_record(bluesky_pds, bluesky_account, delivery)
    assert links(value) == [
        "https://usingen.de/plan-64",
        "https://usingen.de/kontakt",
        "https://de.wikipedia.org/wiki/Bebauungsplan_(Deutschland)",
        "https://usingen.de/?x=1",
        announcement.link,
    ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_server_down_before_the_run_then_up_posts_exactly_once(
    bluesky_pds, bluesky_account, connect, make_proxy, plan, planner
):
    port = _free_port()
    connect(f"http://127.0.0.1:{port}")  # the server's front door, closed for now
    announcement = approve(plan, planner)

    services.deliveries_send_due()

    delivery = announcement.deliveries.get(channel="bluesky")
    assert (delivery.status, delivery.uncertain) == ("pending", False)
    assert "nicht erreichbar" in delivery.last_error
    assert bluesky_pds.records(bluesky_account.did) == []

    make_proxy(port)  # the server is back
    services.deliveries_send_due(now=later())

    delivery.refresh_from_db()
    assert delivery.status == "sent"
    only_record(bluesky_pds, bluesky_account, delivery)


def test_502_from_the_proxy_after_the_post_was_created_ends_as_sent_with_one_record(
    bluesky_pds, bluesky_account, connect, make_proxy, plan, planner
):
    proxy = make_proxy()
    proxy.mode = "create_then_502"
    connect(proxy.url)
    announcement = approve(plan, planner)

    assert services.deliveries_send_due() == {"sent": 1}

    delivery = announcement.deliveries.get(channel="bluesky")
    assert (delivery.attempts, delivery.last_error, proxy.created) == (1, "", 1)
    value = only_record(bluesky_pds, bluesky_account, delivery)
    assert value["text"] == delivery.text
    assert delivery.remote_url.endswith(f"/profile/{bluesky_account.did}/post/{delivery_tid(delivery)}")


def test_502_when_the_check_fails_too_stays_uncertain_and_the_next_run_posts_nothing_new(
    bluesky_pds, bluesky_account, connect, make_proxy, plan, planner
):
    proxy = make_proxy()
    proxy.mode = "502_after_create"
    connect(proxy.url)
    announcement = approve(plan, planner)

    services.deliveries_send_due()

    delivery = announcement.deliveries.get(channel="bluesky")
    assert (delivery.status, delivery.uncertain) == ("pending", True)
    assert delivery.last_error == "Bluesky: Fehler 502: 502 Bad Gateway"  # the proxy's page, without markup

    proxy.mode = "forward"
    services.deliveries_send_due(now=later())

    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert proxy.created == 1  # the check found the record: no second createRecord
    only_record(bluesky_pds, bluesky_account, delivery)


def test_server_frozen_mid_request_posts_exactly_once(bluesky_pds, bluesky_account, connect, plan, planner, settings):
    account = connect()
    settings.SOCIAL_REQUEST_TIMEOUT = 1.5
    ok, message = services.channel_account_test(account=account, by=planner)  # logs in; the session is cached
    assert ok, message
    announcement = approve(plan, planner)

    os.kill(bluesky_pds.process.pid, signal.SIGSTOP)
    try:
        services.deliveries_send_due()  # createRecord times out, and so does the check
    finally:
        os.kill(bluesky_pds.process.pid, signal.SIGCONT)

    delivery = announcement.deliveries.get(channel="bluesky")
    assert (delivery.status, delivery.uncertain) == ("pending", True)
    assert "Zeitüberschreitung" in delivery.last_error

    settings.SOCIAL_REQUEST_TIMEOUT = 15
    services.deliveries_send_due(now=later())

    delivery.refresh_from_db()
    assert delivery.status == "sent"
    only_record(bluesky_pds, bluesky_account, delivery)


class WorkerKilled(BaseException):
    """Stands for SIGKILL between the network call and recording it (escapes the outbox's error handling)."""


def test_worker_killed_after_the_post_went_out_is_reclaimed_and_posts_nothing_new(
    bluesky_pds, bluesky_account, connect, make_proxy, plan, planner, monkeypatch
):
    from participation.announcements import outbox

    proxy = make_proxy()
    connect(proxy.url)
    announcement = approve(plan, planner)

    def killed(*args, **kwargs):
        raise WorkerKilled

    with monkeypatch.context() as patched:
        patched.setattr(outbox, "_record_success", killed)
        with pytest.raises(WorkerKilled):
            services.deliveries_send_due()

    delivery = announcement.deliveries.get(channel="bluesky")
    assert delivery.status == "sending"  # the row was claimed, the post is out, nothing was recorded
    services.deliveries_send_due()
    assert announcement.deliveries.get(channel="bluesky").status == "sending"  # not stale yet: left alone

    services.deliveries_send_due(now=later())  # past ANNOUNCEMENTS_CLAIM_TIMEOUT: reclaimed as uncertain

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, proxy.created) == ("sent", 2, 1)  # checked, not posted again
    only_record(bluesky_pds, bluesky_account, delivery)
