"""The app's actions in one namespace for views, commands and other apps' callers.

Implemented by job: `drafting` (templates, drafts, review), `outbox` (delivery), `accounts`
(channel accounts), `subscriptions` (e-mail alerts).
"""

from .accounts import channel_account_save, channel_account_test
from .drafting import (
    DEFAULT_TEMPLATES,
    announcement_approve,
    announcement_discard,
    announcement_drafts_for_event,
    announcement_template_save,
    announcement_update,
    announcements_consultation_changed,
    announcements_retire,
    compile_template,
    reminder_time,
    render_body,
    render_context,
    template_for,
)
from .outbox import (
    backoff_seconds,
    deliveries_send_due,
    delivery_check,
    delivery_retry,
    delivery_send,
    next_delivery_due,
)
from .subscriptions import (
    plan_alerts_send,
    subscription_confirm,
    subscription_create,
    subscription_delete,
    subscriptions_matching,
    subscriptions_notify_plan_published,
)

__all__ = [
    "DEFAULT_TEMPLATES",
    "announcement_approve",
    "announcement_discard",
    "announcement_drafts_for_event",
    "announcement_template_save",
    "announcement_update",
    "announcements_consultation_changed",
    "announcements_retire",
    "backoff_seconds",
    "channel_account_save",
    "channel_account_test",
    "compile_template",
    "deliveries_send_due",
    "delivery_check",
    "delivery_retry",
    "delivery_send",
    "next_delivery_due",
    "plan_alerts_send",
    "render_body",
    "render_context",
    "reminder_time",
    "subscription_confirm",
    "subscription_create",
    "subscription_delete",
    "subscriptions_matching",
    "subscriptions_notify_plan_published",
    "template_for",
]
