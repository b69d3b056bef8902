"""Public page: send the confirmation link again (one answer for every address, rate-limited)."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from plans.client import client_address

from .services.citizen import statement_confirmation_resend
from .services.ratelimit import RateLimited


class ResendForm(forms.Form):
    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        help_text=_("Die Adresse, die Sie bei Ihrer Stellungnahme angegeben haben."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ConfirmationResendView(View):
    """Ask for the address and send fresh links for its unconfirmed statements, saying the same whatever it finds."""

    template_name = "participation/resend.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ResendForm()})

    def post(self, request):
        form = ResendForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        try:
            statement_confirmation_resend(email=form.cleaned_data["email"], ip_address=client_address(request))
        except RateLimited:
            return render(request, self.template_name, {"form": form, "rate_limited": True}, status=429)
        return render(request, self.template_name, {"form": ResendForm(), "sent": True})
