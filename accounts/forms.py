"""Forms of the staff login: one-time code, password reset mail through the site's mail sender."""

import logging

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from plans.links import absolute_url
from plans.mail import send_templated_mail

logger = logging.getLogger(__name__)


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
