"""The e-mails of a § 4 round: invitation, deadline extension, reminder (rendered, not sent)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from operations.mail import templated_message
from plans.links import absolute_url

from .models import Invitation, InvitationAction
from .tokens import make_token


def access_url(invitation: Invitation) -> str:
    """Return the absolute personal access link for `invitation`'s current key (own domain if set)."""
    municipality = invitation.consultation.plan.municipality
    path = reverse("authorities:access", kwargs={"token": make_token(invitation)})
    return absolute_url(path, municipality=municipality)


def _context(invitation: Invitation) -> dict:
    consultation = invitation.consultation
    plan = consultation.plan
    return {
        "invitation": invitation,
        "authority": invitation.authority,
        "consultation": consultation,
        "plan": plan,
        "municipality": plan.municipality,
        "plan_url": absolute_url(plan.get_absolute_url(), municipality=plan.municipality),
        "access_url": access_url(invitation),
    }


def invitation_message(invitation: Invitation):
    """Return the invitation mail to all addresses of the invited authority."""
    return templated_message(
        to=list(invitation.emails),
        subject=_("Beteiligung der Behörden: %(plan)s") % {"plan": invitation.consultation.plan.display_name},
        body_template="authorities/email/invitation.txt",
        context=_context(invitation),
    )


def extension_message(action: InvitationAction):
    """Return the mail that tells the authority its deadline was extended."""
    invitation = action.invitation
    return templated_message(
        to=list(invitation.emails),
        subject=_("Fristverlängerung: %(plan)s") % {"plan": invitation.consultation.plan.display_name},
        body_template="authorities/email/extension.txt",
        context={**_context(invitation), "action": action},
    )


def reminder_message(invitation: Invitation):
    """Return the reminder mail before the deadline."""
    return templated_message(
        to=list(invitation.emails),
        subject=_("Erinnerung: Frist für Ihre Stellungnahme %(plan)s")
        % {"plan": invitation.consultation.plan.about_phrase},
        body_template="authorities/email/reminder.txt",
        context=_context(invitation),
    )
