"""E-mail alerts for new plans: subscriptions with double opt-in, matching, and one alert per plan."""

import datetime as dt

from django.contrib.gis.geos import Polygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .geo import distance_m
from .mail import send_plan_alert
from .models import Subscription, SubscriptionNotification
from .tasks import send_plan_alerts, send_subscription_confirmation


@transaction.atomic
def subscription_create(*, email: str, municipality=None, point=None, radius_m: int | None = None) -> Subscription:
    """Store an unconfirmed subscription and mail the double opt-in link."""
    email = email.strip().lower()
    recent = Subscription.objects.filter(
        email=email, confirmed_at__isnull=True, created_at__gte=timezone.now() - dt.timedelta(hours=1)
    )
    if recent.count() >= 3:
        # Someone keeps requesting mails for this address: do not become a mail cannon.
        raise ValidationError(
            _("Für diese Adresse wurden gerade mehrere Bestätigungen verschickt. Bitte prüfen Sie Ihr Postfach."),
            code="too_many_confirmations",
        )
    subscription = Subscription(email=email, municipality=municipality, point=point, radius_m=radius_m)
    subscription.full_clean()
    subscription.save()
    transaction.on_commit(lambda: send_subscription_confirmation.enqueue(subscription.pk))
    return subscription


@transaction.atomic
def subscription_confirm(*, subscription: Subscription) -> Subscription:
    """Activate a subscription (idempotent)."""
    if subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])
    return subscription


@transaction.atomic
def subscription_delete(*, subscription: Subscription) -> None:
    """Remove a subscription and its e-mail address."""
    subscription.delete()


def subscriptions_matching(*, plan) -> list[Subscription]:
    """Return confirmed subscriptions for `plan`: its municipality, or a point within the radius of its area."""
    confirmed = Subscription.objects.filter(confirmed_at__isnull=False)
    matches = list(confirmed.filter(municipality=plan.municipality, point__isnull=True))
    # Coarse bounding box in the database (10 km is the largest radius), exact distance in metres after.
    xmin, ymin, xmax, ymax = plan.area.extent
    box = Polygon.from_bbox((xmin - 0.15, ymin - 0.1, xmax + 0.15, ymax + 0.1))
    box.srid = 4326
    for subscription in confirmed.filter(point__isnull=False, point__intersects=box):
        if subscription.point is None or subscription.radius_m is None:
            continue  # not reached: filtered on point, and the check constraint requires a radius with it
        if distance_m(subscription.point, plan.area, plan.municipality.crs_epsg) <= subscription.radius_m:
            matches.append(subscription)
    return matches


def subscriptions_notify_plan_published(*, plan) -> None:
    """Mail every matching subscriber about the newly published `plan` (after commit, via the task queue)."""
    transaction.on_commit(lambda: send_plan_alerts.enqueue(plan.pk))


def plan_alerts_send(*, plan) -> int:
    """Send the alert mails for `plan` once per subscription; return how many went out."""
    if not plan.is_public:
        return 0
    sent = 0
    for subscription in subscriptions_matching(plan=plan):
        with transaction.atomic():
            _notification, created = SubscriptionNotification.objects.get_or_create(
                subscription=subscription, plan=plan
            )
            if created:
                send_plan_alert(subscription=subscription, plan=plan)
                sent += 1
    return sent
