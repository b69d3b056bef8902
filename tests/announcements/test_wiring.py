"""Period changes and published results draft announcements; nothing is sent before approval."""

import datetime as dt

import pytest
from django.utils import timezone

from participation import services
from participation.announcements.models import Announcement, Delivery
from participation.workbench.services import result_publish
from tests.factories import ConsultationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def events(consultation):
    return set(Announcement.objects.filter(consultation=consultation).values_list("event", flat=True))


def test_opening_and_closing_a_consultation_drafts_announcements():
    today = timezone.localdate()
    consultation = ConsultationFactory(
        kind="early", start_date=today + dt.timedelta(days=3), end_date=today + dt.timedelta(days=40)
    )
    planner = MembershipFactory(municipality=consultation.plan.municipality).user
    services.consultation_open(consultation=consultation, by=planner, reason="Bekanntmachung erfolgt")
    assert {"consultation_opened", "consultation_reminder"} <= events(consultation)
    assert set(Announcement.objects.filter(consultation=consultation).values_list("status", flat=True)) == {"draft"}
    assert not Delivery.objects.exists()

    services.consultation_close(
        consultation=consultation, by=planner, reason="Vorzeitig beendet", confirm_legal_risk=True
    )
    assert "consultation_closed" in events(consultation)


def test_scheduling_drafts_an_announcement_once():
    today = timezone.localdate()
    consultation = ConsultationFactory(start_date=today + dt.timedelta(days=10), end_date=today + dt.timedelta(days=50))
    planner = MembershipFactory(municipality=consultation.plan.municipality).user
    for _ in range(2):
        services.consultation_schedule(
            consultation=consultation, by=planner, start_date=consultation.start_date, end_date=consultation.end_date
        )
    assert Announcement.objects.filter(consultation=consultation, event="consultation_scheduled").count() == 1


def test_publishing_the_result_drafts_an_announcement():
    today = timezone.localdate()
    consultation = ConsultationFactory(start_date=today - dt.timedelta(days=60), end_date=today - dt.timedelta(days=20))
    planner = MembershipFactory(municipality=consultation.plan.municipality).user
    decided_on = consultation.end_date + dt.timedelta(days=1)
    result_publish(consultation=consultation, by=planner, council_body="Rat", decided_on=decided_on, notify=False)
    assert "result_published" in events(consultation)
