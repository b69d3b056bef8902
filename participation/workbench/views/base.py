"""The workbench's entry page and the base of every page about one consultation."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from participation.models import Consultation
from plans import rules
from plans.models import Membership, Municipality
from plans.staff import MunicipalityPermissionMixin

from ..reports import FORMATS


class WorkbenchIndexView(LoginRequiredMixin, TemplateView):
    """List the consultations of the municipalities the user works for."""

    template_name = "workbench/index.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not rules.is_staff_anywhere(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["consultations"] = (
            Consultation.objects.for_user(self.request.user)
            .select_related("plan__municipality")
            .annotate(
                statement_count=Count(
                    "statements",
                    filter=Q(
                        statements__level=0,
                        statements__is_official=False,
                        statements__confirmed_at__isnull=False,
                        statements__withdrawn_at__isnull=True,  # as selectors.weighed_statements
                    ),
                )
            )
            .order_by("plan__municipality__name", "plan__title", "start_date")
        )
        context["municipalities"] = [
            m
            for m in Municipality.objects.for_user(self.request.user).order_by("name")
            if rules.can_moderate(self.request.user, m)
        ]
        return context


class ConsultationStaffMixin(MunicipalityPermissionMixin):
    """Resolve the consultation from the URL; viewing needs 'moderate', changing needs 'manage'.

    The services check the same permissions again; this is the courtesy check that answers
    404 for a foreign municipality and hides what the role may not use.
    """

    permission = "moderate"
    write_permission = "manage"

    def get_municipality(self):
        self.consultation = get_object_or_404(
            Consultation.objects.select_related("plan__municipality"), pk=self.kwargs["consultation_id"]
        )
        return self.consultation.plan.municipality

    def dispatch(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            self.permission = self.write_permission
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["consultation"] = self.consultation
        context["tab"] = getattr(self, "tab", "")
        context["plan"] = self.consultation.plan
        # The base mixin looked the role up once already (context["staff_role"]): no further queries.
        context["can_decide"] = context["staff_role"] == Membership.Role.PLANNER
        context["can_export_personal"] = context["can_decide"]  # rules.can_export_personal_data: planners only
        context["formats"] = FORMATS.values()
        return context

    def table_url(self, query: str = "") -> str:
        url = reverse("workbench:table", args=[self.consultation.pk])
        return f"{url}?{query}" if query else url


def error_messages(request, error: ValidationError) -> None:
    """Show every message of a service's ValidationError as an error message."""
    for message in error.messages:
        messages.error(request, message)
