"""Staff pages: a plan's council decisions (/verwaltung/plaene/<pk>/gremien/) and the OParl endpoint."""

from collections.abc import Sequence

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from participation.workbench.models import ExportJob
from plans.forms import apply_service_errors
from plans.models import Municipality, Plan
from plans.staff import MunicipalityPermissionMixin
from plans.staff_views import PlanStaffMixin

from . import selectors, services
from .forms import ConfirmLinkForm, LinkForm, SourceForm
from .models import AgendaItem, OParlSource, Paper, StageLink

# Decisions to which the Abwägungstabelle belongs as a file of the paper.
WEIGHING_STAGES = {Plan.Stage.WEIGHING, Plan.Stage.ADOPTED}


class PlanCouncilView(PlanStaffMixin, TemplateView):
    """GET: the plan's linked and suggested council decisions, and a paper search to link one."""

    template_name = "council/staff/plan_council.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.plan
        source = selectors.source_of(plan)
        query = self.request.GET.get("q", "")[:200]
        links = selectors.plan_links(plan)
        context.update(
            source=source,
            query=query,
            results=selectors.paper_search(source, query) if source else [],
            suggested=links["suggested"],
            confirmed=links["confirmed"],
            stages=Plan.Stage.choices,
            weighing_exports=self.weighing_exports()
            if any(link.stage in WEIGHING_STAGES for link, _d in links["confirmed"])
            else [],
        )
        return context

    def weighing_exports(self) -> list[dict]:
        """Return per consultation of the plan: the export page of its Abwägungstabelle and the finished files."""
        now = timezone.now()
        found = []
        for consultation in self.plan.consultations.order_by("start_date", "round"):
            jobs = ExportJob.objects.filter(
                consultation=consultation, status=ExportJob.Status.SUCCEEDED, personal=False, expires_at__gt=now
            ).order_by("-finished_at")[:3]
            found.append(
                {
                    "consultation": consultation,
                    "start_url": reverse(
                        "workbench:export", kwargs={"consultation_id": consultation.pk, "format": "pdf"}
                    ),
                    "jobs": [
                        (
                            job,
                            reverse(
                                "workbench:export_download",
                                kwargs={"consultation_id": consultation.pk, "job_id": job.pk},
                            ),
                        )
                        for job in jobs
                    ],
                }
            )
        return found


class LinkActionMixin(PlanStaffMixin):
    """A POST about one of the plan's links (URL kwarg `link`); back to the council page."""

    http_method_names: Sequence[str] = ["post"]

    def get_link(self) -> StageLink:
        return get_object_or_404(
            StageLink.objects.select_related("paper__source", "plan__municipality"),
            pk=self.kwargs["link"],
            plan=self.plan,
        )

    def back(self):
        return redirect("council:plan", pk=self.plan.pk)

    def fail(self, error: ValidationError):
        messages.error(self.request, " ".join(error.messages))
        return self.back()


class LinkCreateView(LinkActionMixin, View):
    """POST …/gremien/verknuepfen/: link a paper (and agenda item) to a stage."""

    def post(self, request, *args, **kwargs):
        form = LinkForm(request.POST)
        if not form.is_valid():
            return self.fail(ValidationError(_("Bitte Vorlage und Verfahrensschritt angeben.")))
        paper = get_object_or_404(Paper, pk=form.cleaned_data["paper"], source__municipality=self.municipality)
        item = None
        if form.cleaned_data["agenda_item"]:
            item = get_object_or_404(AgendaItem, pk=form.cleaned_data["agenda_item"], source=paper.source)
        try:
            services.stage_link_create(
                plan=self.plan, paper=paper, agenda_item=item, stage=form.cleaned_data["stage"], by=request.user
            )
        except ValidationError as error:
            return self.fail(error)
        messages.success(request, _("Die Vorlage ist mit dem Verfahrensschritt verknüpft."))
        return self.back()


class LinkConfirmView(LinkActionMixin, View):
    """POST …/gremien/<link>/bestaetigen/: confirm a suggestion (optionally with another stage)."""

    def post(self, request, *args, **kwargs):
        link = self.get_link()
        form = ConfirmLinkForm(request.POST)
        stage = form.cleaned_data["stage"] if form.is_valid() else None
        try:
            services.stage_link_confirm(link=link, stage=stage or None, by=request.user)
        except ValidationError as error:
            return self.fail(error)
        messages.success(request, _("Der Beschluss erscheint jetzt im Verfahrensablauf der Plan-Seite."))
        return self.back()


class LinkRejectView(LinkActionMixin, View):
    """POST …/gremien/<link>/ablehnen/: reject a suggestion or unlink a confirmed decision."""

    def post(self, request, *args, **kwargs):
        services.stage_link_reject(link=self.get_link(), by=request.user)
        messages.success(request, _("Die Verknüpfung ist gelöst."))
        return self.back()


class SourceMixin(MunicipalityPermissionMixin):
    """A staff page about a municipality's OParl endpoint (URL kwarg `municipality_id`); planners only."""

    permission = "manage"

    def get_municipality(self):
        return get_object_or_404(Municipality, pk=self.kwargs["municipality_id"])


class SourceUpdateView(SourceMixin, FormView):
    """/verwaltung/gremien/<municipality_id>/: set the council system's OParl endpoint; see the last sync."""

    template_name = "council/staff/source_form.html"
    form_class = SourceForm

    def get_initial(self):
        source = OParlSource.objects.filter(municipality=self.municipality).first()
        return {"system_url": source.system_url, "body_url": source.body_url} if source else {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["source"] = OParlSource.objects.filter(municipality=self.municipality).first()
        return context

    def form_valid(self, form):
        try:
            source = services.oparl_source_update(
                municipality=self.municipality, by=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_errors(form, error)
            return self.form_invalid(form)
        if source is None:
            messages.success(self.request, _("Die Anbindung an das Ratsinformationssystem ist entfernt."))
        else:
            services.oparl_sync_enqueue(source=source, by=self.request.user)
            messages.success(self.request, _("Die OParl-Adresse ist gespeichert; der Abgleich läuft im Hintergrund."))
        return redirect("council:source", municipality_id=self.municipality.pk)


class SourceSyncView(SourceMixin, View):
    """POST /verwaltung/gremien/<municipality_id>/abgleichen/: sync now (in the background)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        source = get_object_or_404(OParlSource, municipality=self.municipality)
        services.oparl_sync_enqueue(source=source, by=request.user)
        messages.success(request, _("Der Abgleich mit dem Ratsinformationssystem läuft im Hintergrund."))
        return redirect("council:source", municipality_id=self.municipality.pk)
