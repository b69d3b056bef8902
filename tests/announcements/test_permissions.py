"""Every announcement action checks the actor itself: planners of the municipality only (and SYSTEM).

Each action is called directly and over HTTP as planner, moderator and a foreign planner.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from participation.announcements import services
from participation.announcements.models import Announcement, AnnouncementTemplate, ChannelAccount, Delivery
from plans.rules import SYSTEM
from tests.factories import AnnouncementFactory, ChannelAccountFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    announcement = AnnouncementFactory()
    municipality = announcement.municipality
    return {
        "announcement": announcement,
        "account": ChannelAccountFactory(municipality=municipality, kind="x"),
        "planner": MembershipFactory(municipality=municipality).user,
        "moderator": MembershipFactory(municipality=municipality, role="moderator").user,
        "foreign": MembershipFactory().user,
    }


def failed_delivery(announcement):
    services.announcement_approve(announcement=announcement, by=SYSTEM)
    delivery = announcement.deliveries.get(channel="x")
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED, last_error="kaputt")
    return delivery


ACTIONS = {
    "update": lambda w, by: services.announcement_update(
        announcement=w["announcement"], by=by, title="Neu", body="Neuer Text"
    ),
    "approve": lambda w, by: services.announcement_approve(announcement=w["announcement"], by=by),
    "discard": lambda w, by: services.announcement_discard(announcement=w["announcement"], by=by),
    "retry": lambda w, by: services.delivery_retry(delivery=failed_delivery(w["announcement"]), by=by),
    "save_account": lambda w, by: services.channel_account_save(account=w["account"], by=by, secrets={}),
    "test_account": lambda w, by: services.channel_account_test(
        account=ChannelAccountFactory(municipality=w["announcement"].municipality, kind="mastodon", enabled=False),
        by=by,
    ),
    "save_template": lambda w, by: services.announcement_template_save(
        template=AnnouncementTemplate(
            municipality=w["announcement"].municipality, event="plan_published", body="Neu: {{ plan_title }}"
        ),
        by=by,
    ),
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ["moderator", "foreign"])
def test_actions_refuse_moderators_and_foreign_planners(world, action, role):
    with pytest.raises(PermissionDenied):
        ACTIONS[action](world, world[role])


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("actor", ["planner", "system"])
def test_actions_admit_planners_and_the_system(world, action, actor):
    ACTIONS[action](world, SYSTEM if actor == "system" else world[actor])


@pytest.mark.parametrize("action", ["approve", "discard", "save_account"])
def test_an_action_without_an_actor_fails_loudly(world, action):
    with pytest.raises(TypeError):
        ACTIONS[action](world, None)


def test_the_system_approves_without_a_user_on_record(world):
    announcement = services.announcement_approve(announcement=world["announcement"], by=SYSTEM)
    assert announcement.status == "approved" and announcement.approved_by is None


def test_a_broken_template_is_refused_with_a_code(world):
    template = AnnouncementTemplate(
        municipality=world["announcement"].municipality, event="plan_published", body="{% if %}"
    )
    with pytest.raises(ValidationError) as error:
        services.announcement_template_save(template=template, by=world["planner"])
    assert error.value.code == "template_syntax"
    assert not AnnouncementTemplate.objects.exists()


def http_requests(world):
    announcement, account = world["announcement"], world["account"]
    delivery = failed_delivery(AnnouncementFactory(plan=announcement.plan))
    slug = announcement.municipality.slug
    return [
        (
            reverse("announcements:staff_detail", args=[announcement.pk]),
            {"title": "X", "body": "Y", "scheduled_for": ""},
        ),
        (reverse("announcements:staff_approve", args=[announcement.pk]), {}),
        (reverse("announcements:staff_discard", args=[announcement.pk]), {}),
        (reverse("announcements:staff_retry", args=[delivery.pk]), {}),
        (reverse("announcements:staff_channels", args=[slug]), {"kind": "x", "x-enabled": "", "x-handle": "neu"}),
        (reverse("announcements:staff_channel_test", args=[account.pk]), {}),
    ]


@pytest.mark.parametrize("role,status", [("moderator", 403), ("foreign", 404)])
def test_http_actions_are_refused_and_change_nothing(client, world, role, status):
    requests = http_requests(world)
    client.force_login(world[role])
    for url, data in requests:
        assert client.post(url, data).status_code == status, url
    announcement = Announcement.objects.get(pk=world["announcement"].pk)
    assert (announcement.status, announcement.title) == ("draft", world["announcement"].title)
    assert not Delivery.objects.filter(status=Delivery.Status.PENDING).exists()
    account = ChannelAccount.objects.get(pk=world["account"].pk)
    assert (account.enabled, account.handle, account.last_checked_at) == (True, "stadt_test", None)


def test_http_actions_work_for_the_planner(client, world):
    requests = http_requests(world)
    client.force_login(world["planner"])
    for url, data in requests:
        assert client.post(url, data).status_code == 302, url
    assert Delivery.objects.filter(status=Delivery.Status.PENDING).exists()  # the retried one
    account = ChannelAccount.objects.get(pk=world["account"].pk)
    assert (account.enabled, account.handle) == (False, "neu")
