"""Background tasks (django_tasks API; database backend and `manage.py db_worker` by default).

Tasks take ids and import the actions inside the function: the actions import this module at the top.
"""

from django_tasks import task

from plans.models import Plan

from .mail import send_confirmation
from .models import Subscription


@task()
def send_due_deliveries() -> dict:
    """Send every due delivery in the outbox."""
    from .outbox import deliveries_send_due

    return dict(deliveries_send_due())


@task()
def send_plan_alerts(plan_id: int) -> int:
    """Mail the subscribers whose area or municipality matches the published plan."""
    from .subscriptions import plan_alerts_send

    plan = Plan.objects.select_related("municipality").filter(pk=plan_id).first()
    return plan_alerts_send(plan=plan) if plan else 0


@task()
def send_subscription_confirmation(subscription_id: int) -> bool:
    """Mail the double opt-in link of a new subscription."""
    subscription = Subscription.objects.filter(pk=subscription_id, confirmed_at__isnull=True).first()
    if subscription is None:
        return False
    send_confirmation(subscription=subscription)
    return True
