"""Staff view of a failed delivery: the server's message, whether the post may exist, "check and mark as sent"."""

import httpx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from participation.announcements import services
from participation.announcements.channels.bluesky import delivery_tid
from tests.factories import AnnouncementFactory, MembershipFactory

from .conftest import BSKY
from .test_delivery import later

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(bluesky_mock, plan, planner, settings):
    """A Bluesky delivery that failed with a 502 while the check could not run either (the post may exist)."""
    settings.ANNOUNCEMENTS_MAX_ATTEMPTS = 1
    bluesky_mock.post(f"{BSKY}/com.atproto.repo.createRecord").mock(
        return_value=httpx.Response(502, json={"error": "BadGateway", "message": "upstream closed the connection"})
    )
    get = bluesky_mock.get(f"{BSKY}/com.atproto.repo.getRecord")
    get.mock(return_value=httpx.Response(502, text="Bad Gateway"))
    announcement = services.announcement_approve(announcement=AnnouncementFactory(plan=plan), by=planner)
    services.deliveries_send_due()
    delivery = announcement.deliveries.get(channel="bluesky")
    assert (delivery.status, delivery.uncertain) == ("failed", True)
    return delivery


def found(delivery):
    rkey = delivery_tid(delivery)
    return httpx.Response(
        200,
        json={
            "uri": f"at://did:plc:stadt/app.bsky.feed.post/{rkey}",
            "cid": "bafy",
            "value": {"$type": "app.bsky.feed.post", "text": delivery.text, "createdAt": "2026-11-30T03:00:00Z"},
        },
    )


def test_failed_delivery_page_shows_server_message_maybe_posted_and_both_actions(failed, planner, client):
    client.force_login(planner)
    page = client.get(reverse("announcements:staff_detail", args=[failed.announcement_id])).content.decode()

    assert "upstream closed the connection" in page
    assert "Aufgegeben nach 1 Versuchen" in page
    assert "möglicherweise" in page
    assert reverse("announcements:staff_retry", args=[failed.pk]) in page
    assert reverse("announcements:staff_delivery_check", args=[failed.pk]) in page
    assert "prüfen und als gesendet markieren" in page


def test_check_finds_the_post_and_marks_the_delivery_sent(failed, bluesky_mock, planner, client):
    bluesky_mock.get(f"{BSKY}/com.atproto.repo.getRecord").mock(return_value=found(failed))
    client.force_login(planner)

    response = client.post(reverse("announcements:staff_delivery_check", args=[failed.pk]), follow=True)

    failed.refresh_from_db()
    assert (failed.status, failed.uncertain, failed.last_error) == ("sent", False, "")
    assert failed.remote_url == f"https://bsky.app/profile/did:plc:stadt/post/{delivery_tid(failed)}"
    assert "Beitrag gefunden" in response.content.decode()
    assert services.deliveries_send_due(now=later()) == {}  # nothing left to send


def test_check_without_a_post_changes_nothing_and_says_so(failed, bluesky_mock, planner, client):
    bluesky_mock.get(f"{BSKY}/com.atproto.repo.getRecord").mock(
        return_value=httpx.Response(400, json={"error": "RecordNotFound", "message": "Could not locate record"})
    )
    client.force_login(planner)

    response = client.post(reverse("announcements:staff_delivery_check", args=[failed.pk]), follow=True)

    failed.refresh_from_db()
    assert failed.status == "failed"
    assert "nicht gefunden" in response.content.decode()


def test_check_when_the_server_still_fails_changes_nothing(failed, planner):
    with pytest.raises(ValidationError) as error:
        services.delivery_check(delivery=failed, by=planner)
    assert error.value.code == "check_failed"
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_check_is_refused_for_moderators_and_foreign_planners_and_for_unfailed_rows(failed, plan, planner, client):
    moderator = MembershipFactory(municipality=plan.municipality, role="moderator").user
    for user in (moderator, MembershipFactory().user):
        with pytest.raises(PermissionDenied):
            services.delivery_check(delivery=failed, by=user)
    client.force_login(moderator)
    assert client.post(reverse("announcements:staff_delivery_check", args=[failed.pk])).status_code == 403
    services.delivery_retry(delivery=failed, by=planner)
    failed.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.delivery_check(delivery=failed, by=planner)
    assert error.value.code == "not_checkable"
