"""Staff pages under /verwaltung/ for consultations: list, create, edit, Bekanntmachung, period actions, history."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView

from plans import rules
from plans.models import Municipality, Plan
from plans.staff import MunicipalityPermissionMixin

from . import selectors, services
from .forms import BekanntmachungForm, CloseForm, ConsultationForm, PeriodActionForm
from .models import CitizenRequest, Consultation, Statement

State = Consultation.State

# The period actions each state offers on the detail page (the services refuse the others anyway).
ACTIONS_BY_STATE = {
    State.SCHEDULED: ("update", "bekanntmachung", "open"),
    State.OPEN: ("extend", "close"),
    State.CLOSED: ("reopen",),
}


def allowed_actions(consultation: Consultation, now) -> tuple[str, ...]:
    """Return the period actions to offer; an announced publication opens on its announced start, not "now"."""
    actions = ACTIONS_BY_STATE[consultation.state_at(now)]
    if consultation.needs_bekanntmachung:
        actions = tuple(action for action in actions if action != "open")
    return actions


class ConsultationListView(ListView):
    """All consultations of the municipalities the user works for."""

    template_name = "participation/staff/consultation_list.html"
    context_object_name = "consultations"

    def dispatch(self, request, *args, **kwargs):
        if not rules.is_staff_anywhere(request.user):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return (
            Consultation.objects.filter(plan__municipality__in=Municipality.objects.for_user(self.request.user))
            .select_related("plan__municipality")
            .order_by("plan__municipality__name", "-start_date")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(now=timezone.now(), **kwargs)


class ConsultationMixin(MunicipalityPermissionMixin):
    def get_consultation(self) -> Consultation:
        if not hasattr(self, "consultation"):
            self.consultation = get_object_or_404(
                Consultation.objects.select_related("plan__municipality"), pk=self.kwargs["pk"]
            )
        return self.consultation

    def get_municipality(self):
        return self.get_consultation().plan.municipality

    def detail_url(self) -> str:
        return reverse("participation:staff_detail", kwargs={"pk": self.get_consultation().pk})


class ServiceFormMixin:
    """Show a service's ValidationError on the form (the form renderer adds the aria attributes)."""

    def call_service(self, form, service, **arguments):
        """Call `service`; return None if it refused (its errors are now on `form`)."""
        try:
            return service(by=self.request.user, **arguments)
        except ValidationError as error:
            form.add_service_errors(error)
            return None


class ConsultationCreateView(ServiceFormMixin, MunicipalityPermissionMixin, FormView):
    """Create a consultation for a plan and schedule its period."""

    template_name = "participation/staff/consultation_form.html"
    form_class = ConsultationForm
    permission = "manage"

    def get_municipality(self):
        self.plan = get_object_or_404(Plan.objects.select_related("municipality"), pk=self.kwargs["plan_pk"])
        return self.plan.municipality

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "plan": self.plan}

    def get_context_data(self, **kwargs):
        return super().get_context_data(plan=self.plan, consultation=None, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        consultation = self.call_service(form, services.consultation_create, plan=self.plan, **data)
        if consultation is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Die Beteiligung ist angelegt: %(state)s") % {"state": _state(consultation)})
        return HttpResponseRedirect(reverse("participation:staff_detail", kwargs={"pk": consultation.pk}))


class ConsultationUpdateView(ServiceFormMixin, ConsultationMixin, FormView):
    """Edit dates and details of a consultation before its start."""

    template_name = "participation/staff/consultation_form.html"
    form_class = ConsultationForm
    permission = "manage"

    def get(self, request, *args, **kwargs):
        if self.get_consultation().state_at() != State.SCHEDULED:
            messages.error(
                request, _("Die Beteiligung hat bereits begonnen; ihre Angaben können nicht mehr geändert werden.")
            )
            return HttpResponseRedirect(self.detail_url())
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        consultation = self.get_consultation()
        return {**super().get_form_kwargs(), "editing": True, "plan": consultation.plan, "consultation": consultation}

    def get_initial(self):
        c = self.get_consultation()
        return {
            "title": c.title,
            "start_date": c.start_date,
            "end_date": c.end_date,
            "reason": c.short_period_reason,
            "moderation": c.moderation,
            "access_routes": c.access_routes,
            "contact": c.contact,
            "old_version": c.comparison.old_version_id if c.comparison else None,
            "new_version": c.comparison.new_version_id if c.comparison else None,
            "limited_to_changes": c.limited_to_changes,
        }

    def get_context_data(self, **kwargs):
        consultation = self.get_consultation()
        return super().get_context_data(plan=consultation.plan, consultation=consultation, **kwargs)

    def form_valid(self, form):
        consultation = self.get_consultation()
        done = self.call_service(form, _update_or_unchanged, consultation=consultation, **form.cleaned_data)
        if done is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Gespeichert: %(state)s") % {"state": _state(consultation)})
        return HttpResponseRedirect(self.detail_url())


def _update_or_unchanged(**arguments):
    """Call consultation_update; return True also when nothing changed (None means refused)."""
    services.consultation_update(**arguments)
    return True


class BekanntmachungView(ServiceFormMixin, ConsultationMixin, FormView):
    """Record the ortsübliche Bekanntmachung; the text is drafted from the known facts."""

    template_name = "participation/staff/bekanntmachung_form.html"
    form_class = BekanntmachungForm
    permission = "manage"

    def get_initial(self):
        c = self.get_consultation()
        return {
            "date": c.bekanntmachung_date or timezone.localdate(),
            "media": c.bekanntmachung_media,
            "text": c.bekanntmachung_text or services.bekanntmachung_draft(c),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(consultation=self.get_consultation(), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        action = self.call_service(
            form,
            services.bekanntmachung_record,
            consultation=self.get_consultation(),
            date=data["date"],
            media=data["media"],
            text=data["text"],
        )
        if action is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Die Bekanntmachung ist erfasst."))
        return HttpResponseRedirect(self.detail_url())


class ConsultationCloseView(ServiceFormMixin, ConsultationMixin, FormView):
    """Confirm an early close: names the legal risk (§ 214 Abs. 1 Nr. 2 BauGB) and asks for reason and checkbox."""

    template_name = "participation/staff/consultation_close.html"
    form_class = CloseForm
    permission = "manage"

    def get_context_data(self, **kwargs):
        consultation = self.get_consultation()
        return super().get_context_data(
            consultation=consultation,
            needs_confirmation=services.close_needs_confirmation(consultation),
            status=_state(consultation),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        action = self.call_service(
            form,
            services.consultation_close,
            consultation=self.get_consultation(),
            reason=data["reason"],
            confirm_legal_risk=data["confirm_legal_risk"],
        )
        if action is None:
            return self.form_invalid(form)
        messages.success(self.request, _("Gespeichert: %(state)s") % {"state": _state(self.get_consultation())})
        return HttpResponseRedirect(self.detail_url())


class ConsultationDetailView(ConsultationMixin, TemplateView):
    """Period, Bekanntmachung, the actions the current state allows, history and statement counts."""

    template_name = "participation/staff/consultation_detail.html"
    permission = "moderate"

    def get_context_data(self, **kwargs):
        consultation = self.get_consultation()
        statements = Statement.objects.filter(consultation=consultation)
        now = timezone.now()
        can_manage = rules.can_manage(self.request.user, self.municipality)
        return super().get_context_data(
            consultation=consultation,
            now=now,
            status=selectors.consultation_status(consultation, now),
            history=consultation.actions.select_related("by"),
            citizen_requests=CitizenRequest.objects.filter(statement__consultation=consultation).select_related(
                "statement"
            ),
            can_manage=can_manage,
            comparison=consultation.comparison,
            allowed=allowed_actions(consultation, now) if can_manage else (),
            forms={
                action: PeriodActionForm(prefix=action, reason_required=action == "reopen")
                for action in ConsultationActionView.actions
            },
            counts={
                "submitted": statements.submitted().count(),
                "unconfirmed": statements.unconfirmed().count(),
                "awaiting": statements.awaiting_moderation().count(),
                "published": statements.published().count(),
                "paper": statements.exclude(channel=Statement.Channel.ONLINE).count(),
                # How "Eingegangen" splits up (as workbench.selectors.statement_counts): weighed + replies + withdrawn.
                "weighed": statements.submitted().filter(level=0, is_official=False, withdrawn_at__isnull=True).count(),
                "withdrawn": statements.submitted()
                .filter(level=0, is_official=False, withdrawn_at__isnull=False)
                .count(),
                "replies": statements.submitted().exclude(level=0, is_official=False).count(),
            },
            **kwargs,
        )


class ConsultationActionView(ConsultationMixin, FormView):
    """POST one period action (open, extend, reopen); the service checks, validates and logs it."""

    form_class = PeriodActionForm
    http_method_names = ["post"]
    permission = "manage"
    actions = {
        "open": services.consultation_open,
        "extend": services.consultation_extend,
        "reopen": services.consultation_reopen,
    }

    def get_prefix(self):
        return self.kwargs["action"]

    def post(self, request, *args, **kwargs):
        if self.kwargs["action"] not in self.actions:
            raise Http404
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        action, data = self.kwargs["action"], form.cleaned_data
        arguments = {"consultation": self.get_consultation(), "by": self.request.user, "reason": data["reason"] or ""}
        if action == "extend":
            if not data["end_date"]:
                return self._error(_("Bitte das neue Ende angeben."))
            arguments["end_date"] = data["end_date"]
        elif data["end_date"]:
            arguments["end_date"] = data["end_date"]
        try:
            self.actions[action](**arguments)
        except ValidationError as error:
            return self._error(" ".join(error.messages))
        messages.success(self.request, _("Gespeichert: %(state)s") % {"state": _state(self.get_consultation())})
        return HttpResponseRedirect(self.detail_url())

    def form_invalid(self, form):
        return self._error(_("Bitte die Eingaben prüfen: %(errors)s") % {"errors": form.errors.as_text()})

    def _error(self, message):
        messages.error(self.request, message)
        return HttpResponseRedirect(self.detail_url())


def _state(consultation: Consultation) -> str:
    return selectors.consultation_status(consultation, timezone.now())
