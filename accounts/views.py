"""The staff login: password, then (if the user has an authenticator app) a one-time code; logout; lockout page."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView
from django_otp import login as otp_login
from django_otp import match_token

from plans.rules import is_second_factor_verified

from .forms import CodeForm, StaffAuthenticationForm
from .oidc import oidc_enabled
from .security import has_code_device, municipalities_requiring_mfa

PENDING_KEY = "pb_login_pending"
PENDING_SECONDS = 5 * 60


class StaffLoginView(auth_views.LoginView):
    """Step 1: user name and password (django-axes counts failures per user name and client address)."""

    template_name = "registration/login.html"
    authentication_form = StaffAuthenticationForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(sso_enabled=oidc_enabled(), **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if not has_code_device(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "since": time.time(),
            "next": self.get_success_url(),
        }
        return redirect("accounts:login_code")


class LoginCodeView(FormView):
    """Step 2: the one-time code from the authenticator app completes the login."""

    template_name = "registration/login_code.html"
    form_class = CodeForm

    def dispatch(self, request, *args, **kwargs):
        pending = request.session.get(PENDING_KEY)
        if not pending or time.time() - pending["since"] > PENDING_SECONDS:
            request.session.pop(PENDING_KEY, None)
            messages.info(request, _("Bitte melden Sie sich erneut an."))
            return redirect("accounts:login")
        self.pending = pending
        self.user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
        if self.user is None:
            return redirect("accounts:login")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        device = match_token(self.user, form.cleaned_data["token"])
        if device is None:
            form.add_error("token", _("Der Code ist falsch oder abgelaufen. Bitte versuchen Sie es erneut."))
            return self.form_invalid(form)
        del self.request.session[PENDING_KEY]
        self.user.backend = self.pending["backend"]
        auth_login(self.request, self.user)
        otp_login(self.request, device)
        return HttpResponseRedirect(self.pending["next"])


class StaffLogoutView(auth_views.LogoutView):
    """Log out (POST only) and return to the login page."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("Sie haben sich abgemeldet."))
        return response


def locked_out(request, credentials=None, *args, **kwargs):
    """Answer a locked-out login attempt (django-axes) with the login page and a German message, status 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        "form": None,
        "locked_out": True,
        "cooloff_minutes": minutes,
        "reset_url": reverse("accounts:password_reset"),
    }
    return TemplateResponse(request, "registration/login.html", context, status=429).render()


def permission_denied(request, exception=None):
    """Render the 403 page; explain two-factor setup when a municipality requires it for personal data."""
    user = request.user
    needs_mfa = not is_second_factor_verified(user) and municipalities_requiring_mfa(user).exists()
    context = {"needs_mfa": needs_mfa, "has_device": needs_mfa and has_code_device(user)}
    return TemplateResponse(request, "403.html", context, status=403).render()
