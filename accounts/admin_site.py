"""The Django admin as the operators' tool: active superusers only, logged in through the staff login."""

from functools import wraps

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from plans import rules


class OperatorAdminSite(admin.AdminSite):
    """Admin site for operators; municipal staff (even with is_staff) get 403, anonymous users the staff login."""

    site_header = _("Planbeteiligung – Betrieb")
    site_title = _("Planbeteiligung")

    def has_permission(self, request):
        return rules.can_operate(request.user)

    def admin_view(self, view, cacheable=False):
        wrapped = super().admin_view(view, cacheable)

        @wraps(view)
        def inner(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return wrapped(request, *args, **kwargs)

        return inner

    def login(self, request, extra_context=None):
        """Send everybody to the site's staff login (lockout and two-factor apply there)."""
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied
        if self.has_permission(request):
            return redirect("admin:index")
        next_url = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = reverse("admin:index")
        return redirect_to_login(next_url)
