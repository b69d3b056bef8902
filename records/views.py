"""Staff pages of the publication record: summary, PDF and JSON downloads."""

from django.http import HttpResponse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from plans.staff_views import PlanStaffMixin

from .evidence import evidence_json, evidence_pdf, evidence_report


class EvidenceView(PlanStaffMixin, TemplateView):
    """/verwaltung/plaene/<pk>/nachweis/: the publication record of a plan, with the downloads."""

    permission = "moderate"
    template_name = "records/evidence.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(evidence_report(plan=self.plan, by=self.request.user))
        return context


class _Download(PlanStaffMixin, View):
    permission = "moderate"

    def get(self, request, pk):
        plan = self.get_plan()
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        body, content_type, suffix = self.render(plan)
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="nachweis-{plan.slug}-{stamp}.{suffix}"'
        response["Cache-Control"] = "no-store"
        return response


class EvidencePdfView(_Download):
    def render(self, plan):
        return evidence_pdf(plan=plan, by=self.request.user), "application/pdf", "pdf"


class EvidenceJsonView(_Download):
    def render(self, plan):
        return evidence_json(plan=plan, by=self.request.user), "application/json; charset=utf-8", "json"
