"""German wording of the drafted social posts and of the channel form (issue 13, part 9)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from participation.announcements.drafting import announcement_drafts_for_event
from participation.announcements.models import Announcement, Event
from plans.models import Plan

from ..factories import ConsultationFactory, PlanFactory

pytestmark = pytest.mark.django_db


def _consultation(plan, **kwargs):
    today = timezone.localdate()
    kwargs.setdefault("start_date", today + dt.timedelta(days=10))
    kwargs.setdefault("end_date", today + dt.timedelta(days=40))
    return ConsultationFactory(plan=plan, **kwargs)


def test_closed_draft_does_not_decline_the_plan_kind_after_zu(planner):
    plan = PlanFactory(
        municipality=planner.memberships.get().municipality, kind=Plan.Kind.PUBLIC_PROJECT, number="", title="Neue Kita"
    )
    plan.municipality.name = "Stadt Usingen"
    plan.municipality.save()
    consultation = _consultation(plan)
    (draft,) = announcement_drafts_for_event(event=Event.CONSULTATION_CLOSED, plan=plan, consultation=consultation)
    assert draft.body.startswith("Beteiligung beendet: Öffentliches Bauvorhaben „Neue Kita“ (Stadt Usingen).")
    assert "zu Öffentliches" not in draft.body


def test_reminder_and_result_drafts_name_the_plan_with_article(plan):
    consultation = _consultation(plan)
    announcement_drafts_for_event(event=Event.CONSULTATION_SCHEDULED, plan=plan, consultation=consultation)
    reminder = Announcement.objects.get(event=Event.CONSULTATION_REMINDER)
    assert f"können Sie zum Bebauungsplan Nr. 64 „Am Riedborn“ ({plan.municipality.name}) Stellung nehmen." in (
        reminder.body
    )
    assert "zum Plan" not in reminder.body
    (result,) = announcement_drafts_for_event(event=Event.RESULT_PUBLISHED, plan=plan, consultation=consultation)
    assert "Die Stellungnahmen zum Bebauungsplan Nr. 64 „Am Riedborn“" in result.body


def test_quoted_title_is_not_quoted_twice(planner):
    plan = PlanFactory(
        municipality=planner.memberships.get().municipality,
        kind=Plan.Kind.FNP_CHANGE,
        number="Nr. 3",
        title="Wohngebiet „Am Riedborn“",
    )
    (draft,) = announcement_drafts_for_event(event=Event.PLAN_PUBLISHED, plan=plan)
    assert "Neu online: Änderung des Flächennutzungsplans Nr. 3 Wohngebiet „Am Riedborn“" in draft.body
    assert "„„" not in draft.body and "““" not in draft.body


def test_channel_page_gives_each_network_its_own_handle_example(client, planner):
    client.force_login(planner)
    municipality = planner.memberships.get().municipality
    page = client.get(reverse("announcements:staff_channels", args=[municipality.slug])).content.decode()

    def help_of(kind):
        match = re.search(rf'id="id_{kind}-handle_helptext"[^>]*>\s*(.*?)\s*</', page, re.S)
        assert match, kind
        return match.group(1)

    assert "@stadt_usingen" in help_of("x") and "bsky" not in help_of("x")
    assert "@stadt@mastodon.example" in help_of("mastodon")
    assert "usingen.bsky.social" in help_of("bluesky")


@pytest.mark.parametrize(
    "kind,phrase",
    [
        (Plan.Kind.BPLAN, "zum Bebauungsplan Nr. 64 „Am Riedborn“"),
        (Plan.Kind.VBPLAN, "zum vorhabenbezogenen Bebauungsplan Nr. 64 „Am Riedborn“"),
        (Plan.Kind.FNP, "zum Flächennutzungsplan Nr. 64 „Am Riedborn“"),
        (Plan.Kind.FNP_CHANGE, "zur Änderung des Flächennutzungsplans Nr. 64 „Am Riedborn“"),
        (Plan.Kind.STATUTE, "zur Satzung Nr. 64 „Am Riedborn“"),
        (Plan.Kind.PUBLIC_PROJECT, "zum öffentlichen Bauvorhaben Nr. 64 „Am Riedborn“"),
    ],
)
def test_reminder_draft_declines_every_plan_kind(plan, kind, phrase):
    plan.kind = kind
    plan.save()
    consultation = _consultation(plan)
    announcement_drafts_for_event(event=Event.CONSULTATION_SCHEDULED, plan=plan, consultation=consultation)
    assert f"können Sie {phrase} (" in Announcement.objects.get(event=Event.CONSULTATION_REMINDER).body
