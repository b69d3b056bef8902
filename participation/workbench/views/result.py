"""The result: confirm and publish it with the council's decision, take it offline, the public page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from participation.models import Consultation

from .. import letters, services
from ..forms import CouncilDecisionForm, ResultPublishForm
from ..models import ConsultationResult, ExportJob, Segment, StatementGroup, Weighing
from ..selectors import postal_recipients, result_blockers, result_recipient_count, state_counts, weighed_statements
from .base import ConsultationStaffMixin


class ResultPublishView(ConsultationStaffMixin, TemplateView):
    """Confirmation step: why publishing is not possible yet, or whom it notifies; then publish."""

    template_name = "workbench/result_publish.html"
    permission = "manage"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        result = ConsultationResult.objects.filter(consultation=self.consultation).first()
        if form is None:
            council_body = (result and result.council_body) or self.municipality.council_body
            decided_on = result.decided_on if result else None
            form = ResultPublishForm(
                initial={"council_body": council_body, "decided_on": decided_on, "notify": True},
                auto_id="result-%s",
            )
        context.update(
            form=form,
            decision_form=CouncilDecisionForm(
                initial={
                    "council_body": (result and result.council_body) or self.municipality.council_body,
                    "decided_on": result.decided_on if result else None,
                },
                auto_id="decision-%s",
            ),
            state_counts=state_counts(self.consultation),
            result=result,
            blockers=[message for error in result_blockers(self.consultation) for message in error.messages],
            recipient_count=result_recipient_count(self.consultation),
            postal_count=postal_recipients(self.consultation).count(),
            letter_jobs=ExportJob.objects.filter(
                consultation=self.consultation, format=letters.FORMAT, expires_at__gt=timezone.now()
            )[:5],
            inspection_groups=StatementGroup.objects.filter(
                consultation=self.consultation, inspection_recorded_at__isnull=False
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = ResultPublishForm(request.POST, auto_id="result-%s")
        if form.is_valid():
            data = form.cleaned_data
            try:
                outcome = services.result_publish(
                    consultation=self.consultation,
                    by=request.user,
                    council_body=data["council_body"],
                    decided_on=data["decided_on"],
                    notify=data["notify"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Ergebnis veröffentlicht; %(count)s Benachrichtigungen eingeplant.")
                    % {"count": outcome["queued"]},
                )
                return redirect(self.table_url())
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ResultUnpublishView(ConsultationStaffMixin, View):
    """Take the public result page offline."""

    def post(self, request, *args, **kwargs):
        services.result_unpublish(consultation=self.consultation, by=request.user)
        messages.success(request, _("Ergebnisseite offline genommen."))
        return redirect(self.table_url())


class PublicResultView(TemplateView):
    """Public, pseudonymised statements with the administration's responses, once staff published them."""

    template_name = "workbench/public_result.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        consultation = get_object_or_404(
            Consultation.objects.select_related("plan__municipality", "result"), pk=self.kwargs["consultation_id"]
        )
        result = getattr(consultation, "result", None)
        if not consultation.plan.is_public or result is None or result.published_at is None:
            raise Http404
        weighings = (
            Weighing.objects.filter(statement__in=weighed_statements(consultation).filter(is_removed=False))
            .select_related("statement")
            .only(
                "number",
                "decision",
                "response",
                "organisation",
                "statement__comment",
                "statement__organisation",
                "statement__submit_date",
                "statement__received_on",
                "statement__topic",
            )
            .order_by("number")
        )
        page = Paginator(weighings, 100).get_page(self.request.GET.get("page"))
        shown = list(page.object_list)
        by_weighing: dict[int, list[Segment]] = {}
        for segment in Segment.objects.filter(weighing__in=[w.pk for w in shown]).order_by("weighing_id", "number"):
            by_weighing.setdefault(segment.weighing_id, []).append(segment)
        for weighing in shown:
            weighing.shown_segments = by_weighing.get(weighing.pk, [])
        page.object_list = shown
        context.update(
            consultation=consultation,
            plan=consultation.plan,
            municipality=consultation.plan.municipality,
            result=result,
            inspection_groups=[
                (group, group.weighings.count())
                for group in consultation.statement_groups.filter(inspection_recorded_at__isnull=False)
            ],
            page=page,
        )
        return context
