"""Forms of the staff login: password (refused where only SSO is allowed), one-time code, password reset mail."""

import logging

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from plans.links import absolute_url
from plans.mail import send_templated_mail

from .security import password_login_refused

logger = logging.getLogger(__name__)


class StaffAuthenticationForm(AuthenticationForm):
    """User name and password; refused for users whose municipalities all switched password login off."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if password_login_refused(user):
            if settings.OIDC_ENABLED:
                message = _(
                    "Ihre Kommune hat die Anmeldung mit Passwort abgeschaltet. "
                    "Bitte melden Sie sich über „Mit zentraler Anmeldung (SSO)“ an."
                )
            else:
                message = _(
                    "Ihre Kommune hat die Anmeldung mit Passwort abgeschaltet. "
                    "Bitte wenden Sie sich an den Betrieb der Plattform."
                )
            raise ValidationError(message, code="password_login_off")


class CodeForm(forms.Form):
    """The six-digit code from the authenticator app."""

    token = forms.RegexField(
        label=_("Code aus der Authenticator-App"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Bitte geben Sie die sechs Ziffern aus der App ein.")},
        help_text=_("Die App zeigt alle 30 Sekunden einen neuen sechsstelligen Code."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*", "size": 8}
        ),
    )

    def clean_token(self):
        return self.cleaned_data["token"].strip()


class StaffPasswordResetForm(PasswordResetForm):
    """Send the reset link (under SITE_URL) with `plans.mail.send_templated_mail`."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        context["reset_url"] = absolute_url(path)
        try:
            send_templated_mail(
                to=[to_email],
                subject_template=subject_template_name,
                body_template=email_template_name,
                context=context,
            )
        except Exception:  # the page must not reveal whether an address exists
            logger.exception("Failed to send password reset e-mail")
