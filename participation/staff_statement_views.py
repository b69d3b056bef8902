"""Staff pages under /verwaltung/ for statements: moderation queue, moderation steps, paper statements."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from plans.staff import MunicipalityPermissionMixin

from . import services
from .forms import ModerationForm, PaperStatementForm
from .models import Attachment, Statement
from .staff_views import ConsultationMixin


class ModerationQueueView(ConsultationMixin, TemplateView):
    """Statements awaiting approval, reported and hidden ones, with approve/hide/unhide forms."""

    template_name = "participation/staff/moderation.html"
    permission = "moderate"

    def get_context_data(self, **kwargs):
        consultation = self.get_consultation()
        statements = (
            Statement.objects.filter(consultation=consultation)
            .submitted()
            .select_related("feature__layer")
            .prefetch_related("attachments")
        )
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
                attachments=data["attachments"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, _("Die Stellungnahme wurde erfasst."))
        return HttpResponseRedirect(reverse("participation:staff_detail", kwargs={"pk": self.get_consultation().pk}))


class AttachmentDownloadView(MunicipalityPermissionMixin, View):
    """Send one attachment of a statement to staff of its municipality, streamed from the private storage."""

    permission = "moderate"

    def get_municipality(self):
        self.attachment = get_object_or_404(
            Attachment.objects.select_related("statement__consultation__plan__municipality"), pk=self.kwargs["pk"]
        )
        return self.attachment.statement.consultation.plan.municipality

    def get(self, request, pk):
        try:
            handle = self.attachment.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=self.attachment.original_name,
            content_type=self.attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
