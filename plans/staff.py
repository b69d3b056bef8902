"""Base for staff pages: login required and per-municipality permission checks.

Foreign municipalities' objects answer 404 (no leak that they exist); own objects
with an insufficient role answer 403.
"""

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from . import rules


class MunicipalityPermissionMixin(LoginRequiredMixin):
    """Check `permission` ('manage', 'moderate' or 'export_personal_data') for `get_municipality()`."""

    # Set by View.setup(); declared here because the mixin is not a View itself.
    request: HttpRequest
    kwargs: Any
    permission = "manage"

    def get_municipality(self):
        raise NotImplementedError("Return the municipality the requested object belongs to.")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.municipality = self.get_municipality()
        if rules.role_in(request.user, self.municipality) is None:
            raise Http404
        check = {
            "manage": rules.can_manage,
            "moderate": rules.can_moderate,
            "export_personal_data": rules.can_export_personal_data,
        }[self.permission]
        if not check(request.user, self.municipality):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["municipality"] = self.municipality
        context["staff_role"] = rules.role_in(self.request.user, self.municipality)
        return context
