"""Staff start page: the user's municipalities, their plans and where to work on them."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Prefetch
from django.views.generic import TemplateView

from . import rules
from .models import Municipality, Plan


class StaffDashboardView(LoginRequiredMixin, TemplateView):
    """/verwaltung/: plans per municipality with links to layers, consultations and the workbench."""

    template_name = "plans/staff/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        municipalities = Municipality.objects.for_user(user).prefetch_related(
            Prefetch("plans", queryset=Plan.objects.order_by("title").prefetch_related("consultations"))
        )
        context["entries"] = [
            {"municipality": m, "role": rules.role_in(user, m), "can_manage": rules.can_manage(user, m)}
            for m in municipalities
        ]
        return context
