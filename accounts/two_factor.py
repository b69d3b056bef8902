"""Staff pages to set up, confirm and remove a TOTP authenticator app (django-otp)."""

from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from plans.rules import is_second_factor_verified as is_otp_verified

from .forms import CodeForm
from .security import municipalities_requiring_mfa


def confirmed_device(user):
    """Return `user`'s confirmed TOTP device, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


class TwoFactorStatusView(LoginRequiredMixin, TemplateView):
    """Show whether two-factor login is set up and whether the current session is confirmed with it."""

    template_name = "staff/two_factor.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            device=confirmed_device(user),
            verified=is_otp_verified(user),
            required_by=list(municipalities_requiring_mfa(user).values_list("name", flat=True)),
            form=CodeForm(),
            **kwargs,
        )


class TwoFactorSetupView(LoginRequiredMixin, FormView):
    """Show the QR code and the secret of a new device; the first correct code confirms it."""

    template_name = "staff/two_factor_setup.html"
    form_class = CodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and confirmed_device(request.user):
            return redirect("accounts:two_factor")
        return super().dispatch(request, *args, **kwargs)

    def get_device(self) -> TOTPDevice:
        device = TOTPDevice.objects.filter(user=self.request.user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=self.request.user, name=_("Authenticator-App"), confirmed=False)
        return device

    def get_context_data(self, **kwargs):
        device = self.get_device()
        qr = segno.make(device.config_url, error="m")
        secret = b32encode(device.bin_key).decode()
        return super().get_context_data(
            qr_svg=mark_safe(qr.svg_inline(scale=5, title=_("QR-Code für die Authenticator-App"))),  # noqa: S308
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            **kwargs,
        )

    def form_valid(self, form):
        device = self.get_device()
        if not device.verify_token(form.cleaned_data["token"]):
            form.add_error("token", _("Der Code ist falsch oder abgelaufen. Bitte versuchen Sie es erneut."))
            return self.form_invalid(form)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(self.request, device)
        messages.success(self.request, _("Die Zwei-Faktor-Anmeldung ist eingerichtet."))
        return redirect("accounts:two_factor")


class TwoFactorRemoveView(LoginRequiredMixin, FormView):
    """Remove the authenticator app after a correct current code (POST only)."""

    form_class = CodeForm
    http_method_names = ["post"]

    def form_valid(self, form):
        device = confirmed_device(self.request.user)
        if device is None or not device.verify_token(form.cleaned_data["token"]):
            messages.error(self.request, _("Der Code ist falsch oder abgelaufen. Die App bleibt eingerichtet."))
            return redirect("accounts:two_factor")
        TOTPDevice.objects.filter(user=self.request.user).delete()
        messages.success(self.request, _("Die Zwei-Faktor-Anmeldung wurde entfernt."))
        return redirect("accounts:two_factor")

    def form_invalid(self, form):
        messages.error(self.request, _("Bitte geben Sie die sechs Ziffern aus der App ein."))
        return redirect("accounts:two_factor")
