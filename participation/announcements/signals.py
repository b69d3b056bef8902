"""Loose coupling to plans (STYLE.md §5): publishing a plan drafts its announcement and alerts subscribers."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def remember_plan_status(sender, instance, raw=False, **kwargs):
    """Remember the stored status so post_save can detect the transition to 'published'."""
    if raw:
        return
    previous = None
    if instance.pk:
        previous = sender.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
    instance._announcements_previous_status = previous


def plan_saved(sender, instance, created, raw=False, **kwargs):
    """On the transition to 'published', draft the announcement and match subscriptions after commit."""
    if raw or instance.status != sender.Status.PUBLISHED:
        return
    if getattr(instance, "_announcements_previous_status", None) == sender.Status.PUBLISHED:
        return
    plan_id = instance.pk

    def run():
        from plans.models import Plan

        from .models import Event
        from .services import announcement_drafts_for_event, subscriptions_notify_plan_published

        plan = Plan.objects.select_related("municipality").get(pk=plan_id)
        with transaction.atomic():
            announcement_drafts_for_event(event=Event.PLAN_PUBLISHED, plan=plan)
            subscriptions_notify_plan_published(plan=plan)

    transaction.on_commit(run, robust=True)
