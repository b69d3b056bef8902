"""Receivers of the domain events (connected in AppConfig.ready()): draft, retire and re-date announcements.

They run inside the transaction of the action that sent the event, so drafts commit or roll back
with it; e-mail alerts go out through the task queue after commit.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from participation.models import ConsultationAction

from .drafting import announcement_drafts_for_event, announcements_consultation_changed, announcements_retire
from .models import Event
from .subscriptions import subscriptions_notify_plan_published

Kind = ConsultationAction.Kind


def on_plan_published(sender, plan, by=None, **kwargs) -> None:
    """Draft the plan-published announcement and alert matching subscribers after commit."""
    announcement_drafts_for_event(event=Event.PLAN_PUBLISHED, plan=plan)
    subscriptions_notify_plan_published(plan=plan)


def on_period_changed(sender, consultation, action, **kwargs) -> None:
    """Draft what a period change calls for and retire pending announcements it made wrong."""
    kind = getattr(action, "kind", action)  # the action's log row (or its kind)
    at = getattr(action, "at", None) or timezone.now()
    plan = consultation.plan
    if kind == Kind.SCHEDULE:
        announcement_drafts_for_event(event=Event.CONSULTATION_SCHEDULED, plan=plan, consultation=consultation, at=at)
        announcements_consultation_changed(consultation=consultation, at=at)
    elif kind in (Kind.OPEN, Kind.REOPEN):
        announcements_retire(
            consultation=consultation,
            events=[Event.CONSULTATION_CLOSED],
            reason=_("Die Beteiligung wurde wieder geöffnet.")
            if kind == Kind.REOPEN
            else _("Die Beteiligung wurde geöffnet."),
            at=at,
        )
        announcement_drafts_for_event(event=Event.CONSULTATION_OPENED, plan=plan, consultation=consultation, at=at)
        announcements_consultation_changed(consultation=consultation, at=at)
    elif kind == Kind.EXTEND:
        announcements_consultation_changed(consultation=consultation, at=at)
    elif kind == Kind.CLOSE:
        announcements_retire(
            consultation=consultation,
            events=[Event.CONSULTATION_SCHEDULED, Event.CONSULTATION_OPENED, Event.CONSULTATION_REMINDER],
            reason=_("Die Beteiligung wurde vorzeitig beendet."),
            at=at,
        )
        announcement_drafts_for_event(event=Event.CONSULTATION_CLOSED, plan=plan, consultation=consultation, at=at)


def on_result_published(sender, consultation, by=None, **kwargs) -> None:
    """Draft the result-published announcement."""
    announcement_drafts_for_event(event=Event.RESULT_PUBLISHED, plan=consultation.plan, consultation=consultation)
