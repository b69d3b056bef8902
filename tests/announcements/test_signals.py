"""Domain events draft announcements and retire the pending ones a period change made wrong.

The tests send the signals themselves, as `plans.services`, the participation period services and
`workbench.services.result_publish` do.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from participation.announcements import services
from participation.announcements.models import Announcement, Delivery, Event
from participation.models import Consultation
from participation.signals import period_changed, result_published
from plans.rules import SYSTEM
from tests.factories import ConsultationActionFactory, ConsultationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def change(consultation, kind):
    """Send `period_changed` the way the period services do: with the action's log row."""
    action = ConsultationActionFactory(consultation=consultation, kind=kind)
    period_changed.send(sender=Consultation, consultation=consultation, action=action)


def of(consultation, event, status=None):
    queryset = Announcement.objects.filter(consultation=consultation, event=event)
    return queryset.filter(status=status) if status else queryset


@pytest.fixture
def consultation():
    today = timezone.localdate()
    return ConsultationFactory(start_date=today, end_date=today + dt.timedelta(days=30))


@pytest.fixture
def planner(consultation):
    return MembershipFactory(municipality=consultation.plan.municipality).user


def test_scheduling_drafts_the_announcement_and_the_reminder():
    today = timezone.localdate()
    consultation = ConsultationFactory(start_date=today + dt.timedelta(days=7), end_date=today + dt.timedelta(days=40))
    change(consultation, "schedule")
    change(consultation, "schedule")  # rescheduling drafts nothing twice
    assert of(consultation, Event.CONSULTATION_SCHEDULED, "draft").count() == 1
    assert of(consultation, Event.CONSULTATION_REMINDER, "draft").count() == 1


def test_reopening_retires_the_pending_closed_announcements(consultation, planner):
    change(consultation, "open")
    change(consultation, "close")
    closed = of(consultation, Event.CONSULTATION_CLOSED).get()
    assert closed.status == "draft"

    change(consultation, "reopen")

    closed.refresh_from_db()
    assert closed.status == "discarded"  # kept as a record, not deleted
    assert closed.discard_reason == "Die Beteiligung wurde wieder geöffnet."
    assert closed.discarded_at is not None
    assert of(consultation, Event.CONSULTATION_OPENED, "draft").count() == 1


def test_opening_retires_an_approved_closed_announcement_that_has_not_gone_out(consultation, planner):
    closed = services.announcement_drafts_for_event(
        event=Event.CONSULTATION_CLOSED, plan=consultation.plan, consultation=consultation
    )[0]
    services.announcement_approve(announcement=closed, by=planner, scheduled_for=timezone.now() + dt.timedelta(days=2))

    change(consultation, "open")

    closed.refresh_from_db()
    assert (closed.status, closed.published_at) == ("discarded", None)
    assert not Delivery.objects.filter(announcement=closed).exists()


def test_announcements_that_went_out_are_history_and_stay(consultation, planner):
    closed = services.announcement_drafts_for_event(
        event=Event.CONSULTATION_CLOSED, plan=consultation.plan, consultation=consultation
    )[0]
    services.announcement_approve(announcement=closed, by=planner)  # published in the feeds right away
    change(consultation, "reopen")
    closed.refresh_from_db()
    assert closed.status == "approved"


def test_closing_early_retires_pending_opened_and_reminder(consultation, planner):
    change(consultation, "open")
    opened = of(consultation, Event.CONSULTATION_OPENED).get()
    reminder = of(consultation, Event.CONSULTATION_REMINDER).get()
    services.announcement_approve(announcement=reminder, by=planner)  # waits for its time in the outbox
    assert reminder.deliveries.exists()

    change(consultation, "close")

    opened.refresh_from_db()
    reminder.refresh_from_db()
    assert (opened.status, reminder.status) == ("discarded", "discarded")
    assert reminder.discard_reason == "Die Beteiligung wurde vorzeitig beendet."
    assert not reminder.deliveries.exists()  # nothing left in the outbox to remind of a closed period
    assert of(consultation, Event.CONSULTATION_CLOSED, "draft").count() == 1


def test_extending_reschedules_the_reminder(consultation, planner):
    change(consultation, "open")
    reminder = of(consultation, Event.CONSULTATION_REMINDER).get()
    services.announcement_approve(announcement=reminder, by=planner)
    new_end = consultation.end_date + dt.timedelta(days=14)
    consultation.end_date = new_end
    consultation.save()

    change(consultation, "extend")

    reminder.refresh_from_db()
    assert reminder.status == "discarded"  # its approved text names the old end date
    assert "Zeitraum wurde geändert" in reminder.discard_reason
    fresh = of(consultation, Event.CONSULTATION_REMINDER, "draft").get()
    assert timezone.localtime(fresh.scheduled_for).date() == new_end - dt.timedelta(days=7)
    assert new_end.strftime("%d.%m.%Y") in fresh.body
    opened = of(consultation, Event.CONSULTATION_OPENED, "draft").get()
    assert new_end.strftime("%d.%m.%Y") in opened.body


def test_extending_moves_a_draft_reminder(consultation):
    change(consultation, "open")
    new_end = consultation.end_date + dt.timedelta(days=10)
    consultation.end_date = new_end
    consultation.save()
    change(consultation, "extend")
    reminder = of(consultation, Event.CONSULTATION_REMINDER).get()
    assert timezone.localtime(reminder.scheduled_for).date() == new_end - dt.timedelta(days=7)


def test_result_published_drafts_the_result_announcement(consultation):
    result_published.send(sender=Consultation, consultation=consultation, by=SYSTEM)
    assert of(consultation, Event.RESULT_PUBLISHED, "draft").count() == 1


def test_authorities_round_changes_draft_nothing():
    consultation = ConsultationFactory(kind="authorities")
    change(consultation, "open")
    change(consultation, "close")
    assert not Announcement.objects.exists()


def test_staff_page_shows_why_an_announcement_was_discarded(client, consultation, planner):
    change(consultation, "close")
    change(consultation, "reopen")
    closed = of(consultation, Event.CONSULTATION_CLOSED).get()
    client.force_login(planner)
    page = client.get(reverse("announcements:staff_detail", args=[closed.pk])).content.decode()
    assert "Verworfen" in page and "Die Beteiligung wurde wieder geöffnet." in page
