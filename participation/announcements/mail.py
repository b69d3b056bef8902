"""E-mails for alerts: double opt-in and new-plan notices with one-click unsubscribe (RFC 8058)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from plans.links import absolute_url
from plans.mail import send_templated_mail


def _describe(subscription) -> str:
    if subscription.point is not None:
        return _("neue Pläne im Umkreis von %(radius)s m um den Punkt %(lat).5f, %(lon).5f") % {
            "radius": subscription.radius_m,
            "lat": subscription.point.y,
            "lon": subscription.point.x,
        }
    return _("neue Pläne in %(name)s") % {"name": subscription.municipality.name}


def _send(*, subscription, subject: str, template: str, context: dict) -> None:
    unsubscribe = absolute_url(reverse("announcements:unsubscribe", kwargs={"token": subscription.token}))
    context = {**context, "subscription": subscription, "what": _describe(subscription), "unsubscribe_url": unsubscribe}
    send_templated_mail(
        to=[subscription.email],
        subject=subject,
        body_template=template,
        context=context,
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def send_confirmation(*, subscription) -> None:
    """Mail the confirmation link of a new subscription."""
    _send(
        subscription=subscription,
        subject=_("Bitte bestätigen Sie Ihre Benachrichtigung"),
        template="announcements/mail/confirm.txt",
        context={"confirm_url": absolute_url(reverse("announcements:confirm", kwargs={"token": subscription.token}))},
    )


def send_plan_alert(*, subscription, plan) -> None:
    """Mail one subscriber about a newly published plan."""
    _send(
        subscription=subscription,
        subject=_("Neuer Plan: %(plan)s") % {"plan": plan.display_name},
        template="announcements/mail/plan_alert.txt",
        context={
            "plan": plan,
            "plan_url": absolute_url(plan.get_absolute_url()),
            "municipality": plan.municipality,
        },
    )
