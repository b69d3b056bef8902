"""Background tasks (django_tasks API; `manage.py run_worker` runs them on the configured backend).

Tasks take ids and import the actions inside the function: the actions import this module at the top.
Each one is safe to run twice: deliveries and plan alerts are recorded per recipient, the opt-in mail
under an idempotency key; transient errors are retried with backoff (operations.retry).
"""

from django_tasks import task

from operations.mail import record_sent, was_sent
from operations.retry import retry_transient
from plans.models import Plan

from .mail import send_confirmation
from .models import Subscription


@task()
@retry_transient
def send_due_deliveries() -> dict:
    """Send every due delivery in the outbox."""
    from .outbox import deliveries_send_due

    return dict(deliveries_send_due())


@task()
@retry_transient
def send_plan_alerts(plan_id: int) -> int:
    """Mail the subscribers whose area or municipality matches the published plan."""
    from .subscriptions import plan_alerts_send

    plan = Plan.objects.select_related("municipality").filter(pk=plan_id).first()
    return plan_alerts_send(plan=plan) if plan else 0


@task()
@retry_transient
def send_subscription_confirmation(subscription_id: int) -> bool:
    """Mail the double opt-in link of a new subscription, once."""
    subscription = Subscription.objects.filter(pk=subscription_id, confirmed_at__isnull=True).first()
    key = f"subscription-confirmation:{subscription_id}"
    if subscription is None or was_sent(key):
        return False
    send_confirmation(subscription=subscription)
    record_sent(key)  # right after the server accepted it: see operations.mail for the window
    return True
