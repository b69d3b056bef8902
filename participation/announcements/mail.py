"""E-mails for alerts: double opt-in and new-plan notices with one-click unsubscribe (RFC 8058)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from .services import plan_link


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _describe(subscription) -> str:
    if subscription.point is not None:
        return _("neue Pläne im Umkreis von %(radius)s m um den Punkt %(lat).5f, %(lon).5f") % {
            "radius": subscription.radius_m,
            "lat": subscription.point.y,
            "lon": subscription.point.x,
        }
    return _("neue Pläne in %(name)s") % {"name": subscription.municipality.name}


def _send(*, subscription, subject: str, template: str, context: dict) -> None:
    unsubscribe = absolute(reverse("announcements:unsubscribe", kwargs={"token": subscription.token}))
    context = {**context, "subscription": subscription, "what": _describe(subscription), "unsubscribe_url": unsubscribe}
    message = EmailMessage(
        subject=subject,
        body=render_to_string(template, context),
        to=[subscription.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.send()


def send_confirmation(*, subscription) -> None:
    """Mail the confirmation link of a new subscription."""
    confirm = absolute(reverse("announcements:confirm", kwargs={"token": subscription.token}))
    _send(
        subscription=subscription,
        subject=_("Bitte bestätigen Sie Ihre Benachrichtigung"),
        template="announcements/mail/confirm.txt",
        context={"confirm_url": confirm},
    )


def send_plan_alert(*, subscription, plan) -> None:
    """Mail one subscriber about a newly published plan."""
    _send(
        subscription=subscription,
        subject=_("Neuer Plan: %(plan)s") % {"plan": plan},
        template="announcements/mail/plan_alert.txt",
        context={"plan": plan, "plan_url": plan_link(plan), "municipality": plan.municipality},
    )
