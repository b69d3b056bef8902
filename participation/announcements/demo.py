"""Demo: per-municipality templates, drafts for the open consultations, and published announcements for the feeds."""

import datetime as dt

from django.utils import timezone

from participation.models import Consultation
from plans.rules import SYSTEM

from .drafting import DEFAULT_TEMPLATES, announcement_approve, announcement_drafts_for_event
from .models import Announcement, AnnouncementTemplate, Event


def load_demo(result: dict) -> None:
    """Create templates and announcements for the demo plans (idempotent; channels stay unconfigured)."""
    for municipality in result["municipalities"].values():
        for event, body in DEFAULT_TEMPLATES.items():
            AnnouncementTemplate.objects.get_or_create(municipality=municipality, event=event, defaults={"body": body})
    plans = result["plans"]
    for plan in plans.values():
        announcement_drafts_for_event(event=Event.PLAN_PUBLISHED, plan=plan)
    now = timezone.now()
    for consultation in Consultation.objects.public().filter(plan__in=plans.values()):
        state = consultation.state_at(now)
        event = {
            "scheduled": Event.CONSULTATION_SCHEDULED,
            "open": Event.CONSULTATION_OPENED,
            "closed": Event.CONSULTATION_CLOSED,
        }[state]
        announcement_drafts_for_event(event=event, plan=consultation.plan, consultation=consultation)
    # Publish the "plan published" announcements so the feeds have content; the rest stay drafts for staff.
    for announcement in Announcement.objects.filter(
        plan__in=plans.values(), event=Event.PLAN_PUBLISHED, status=Announcement.Status.DRAFT
    ):
        announcement_approve(announcement=announcement, by=SYSTEM)
        Announcement.objects.filter(pk=announcement.pk).update(
            published_at=(announcement.plan.published_at or now) + dt.timedelta(minutes=5)
        )
