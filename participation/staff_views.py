"""Staff pages under /verwaltung/: consultation periods, history, moderation, paper statements."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView

from plans import rules
from plans.models import Municipality
from plans.staff import MunicipalityPermissionMixin

from . import services
from .forms import ModerationForm, PaperStatementForm, PeriodActionForm
from .models import Consultation, Statement


class ConsultationListView(ListView):
    """All consultations of the municipalities the user works for."""

    template_name = "participation/staff/consultation_list.html"
    context_object_name = "consultations"

    def dispatch(self, request, *args, **kwargs):
        if not rules.is_staff_anywhere(request.user):
            from django.contrib.auth.views import redirect_to_login

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
    def get_consultation(self):
        if not hasattr(self, "consultation"):
            self.consultation = get_object_or_404(
                Consultation.objects.select_related("plan__municipality"), pk=self.kwargs["pk"]
            )
        return self.consultation

    def get_municipality(self):
        return self.get_consultation().plan.municipality


class ConsultationDetailView(ConsultationMixin, TemplateView):
    """Period, actions with reason, history and statement counts of one consultation."""

    template_name = "participation/staff/consultation_detail.html"
    permission = "moderate"

    def get_context_data(self, **kwargs):
        consultation = self.get_consultation()
        statements = Statement.objects.filter(consultation=consultation)
        return super().get_context_data(
            consultation=consultation,
            now=timezone.now(),
            history=consultation.actions.select_related("by"),
            can_manage=rules.can_manage(self.request.user, self.municipality),
            forms={action: PeriodActionForm(prefix=action) for action in ConsultationActionView.actions},
            counts={
                "submitted": statements.submitted().count(),
                "unconfirmed": statements.unconfirmed().count(),
                "awaiting": statements.awaiting_moderation().count(),
                "published": statements.published().count(),
                "paper": statements.exclude(channel=Statement.Channel.ONLINE).count(),
            },
            **kwargs,
        )


class ConsultationActionView(ConsultationMixin, FormView):
    """POST one period action (schedule, open, extend, close, reopen); the service validates and logs it."""

    form_class = PeriodActionForm
    http_method_names = ["post"]
    actions = {
        "schedule": services.consultation_schedule,
        "open": services.consultation_open,
        "extend": services.consultation_extend,
        "close": services.consultation_close,
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
        if action == "schedule":
            if not (data["start_date"] and data["end_date"]):
                return self._error(_("Bitte Beginn und Ende angeben."))
            arguments.update(start_date=data["start_date"], end_date=data["end_date"])
        elif action == "extend":
            if not data["end_date"]:
                return self._error(_("Bitte das neue Ende angeben."))
            arguments["end_date"] = data["end_date"]
        elif action in ("open", "reopen") and data["end_date"]:
            arguments["end_date"] = data["end_date"]
        try:
            self.actions[action](**arguments)
        except ValidationError as error:
            return self._error(" ".join(error.messages))
        messages.success(self.request, _("Gespeichert: %(state)s") % {"state": self._state_text()})
        return self._back()

    def form_invalid(self, form):
        return self._error(_("Bitte die Eingaben prüfen: %(errors)s") % {"errors": form.errors.as_text()})

    def _state_text(self):
        from .templatetags.participation_tags import consultation_status

        return consultation_status(self.get_consultation(), timezone.now())

    def _error(self, message):
        messages.error(self.request, message)
        return self._back()

    def _back(self):
        return HttpResponseRedirect(reverse("participation:staff_detail", kwargs={"pk": self.get_consultation().pk}))


class ModerationQueueView(ConsultationMixin, TemplateView):
    """Statements awaiting approval, reported and hidden ones, with approve/hide/unhide forms."""

    template_name = "participation/staff/moderation.html"
    permission = "moderate"

    def get_context_data(self, **kwargs):
        consultation = self.get_consultation()
        statements = Statement.objects.filter(consultation=consultation).submitted().select_related("feature__layer")
        return super().get_context_data(
            consultation=consultation,
            awaiting=statements.awaiting_moderation().order_by("submit_date"),
            flagged=statements.filter(flag_count__gt=0, is_removed=False).order_by("-flag_count"),
            hidden=statements.filter(is_removed=True).prefetch_related("moderation_actions"),
            form=ModerationForm(),
            **kwargs,
        )


class ModerateView(MunicipalityPermissionMixin, FormView):
    """Approve, hide or unhide one statement (moderators and planners)."""

    form_class = ModerationForm
    permission = "moderate"
    http_method_names = ["post"]

    def get_municipality(self):
        self.statement = get_object_or_404(
            Statement.objects.select_related("consultation__plan__municipality"), pk=self.kwargs["pk"]
        )
        return self.statement.consultation.plan.municipality

    def form_valid(self, form):
        try:
            services.statement_moderate(
                statement=self.statement,
                by=self.request.user,
                action=form.cleaned_data["action"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(self.request, _("Moderation gespeichert."))
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
        return self._back()

    def form_invalid(self, form):
        messages.error(self.request, _("Unbekannte Moderationsaktion."))
        return self._back()

    def _back(self):
        return HttpResponseRedirect(
            reverse("participation:staff_moderation", kwargs={"pk": self.statement.consultation_id})
        )


class PaperStatementView(ConsultationMixin, FormView):
    """Enter a statement received by post, e-mail or in person (planning office)."""

    template_name = "participation/staff/paper_statement.html"
    form_class = PaperStatementForm
    permission = "manage"

    def get_context_data(self, **kwargs):
        return super().get_context_data(consultation=self.get_consultation(), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.paper_statement_create(
                consultation=self.get_consultation(),
                by=self.request.user,
                text=data["text"],
                channel=data["channel"],
                received_on=data["received_on"],
                topic=data["topic"],
                name=data["name"],
                email=data["email"],
                postal_address=data["postal_address"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, _("Die Stellungnahme wurde erfasst."))
        return HttpResponseRedirect(reverse("participation:staff_detail", kwargs={"pk": self.get_consultation().pk}))
