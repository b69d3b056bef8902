"""Staff pages for a plan's documents: upload, replace with a new version, move, withdraw."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from . import services
from .forms import DocumentReplaceForm, DocumentUploadForm, DocumentWithdrawForm, apply_service_errors
from .models import Document
from .staff_views import PlanCockpitView, PlanStaffMixin


class DocumentUploadView(PlanCockpitView):
    """POST /verwaltung/plaene/<pk>/dokumente/: add a PDF document."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = DocumentUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                document = services.document_upload(plan=self.plan, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("„%(title)s“ ist hochgeladen.") % {"title": document.title})
                return self.cockpit()
        return self.render_to_response(self.get_context_data(upload_form=form))


class DocumentMixin(PlanStaffMixin):
    """A page about one document (URL kwarg `document`) of the plan `pk`."""

    def get_document(self):
        if not hasattr(self, "document"):
            self.document = get_object_or_404(Document, pk=self.kwargs["document"], plan=self.get_plan())
        return self.document

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["document"] = self.get_document()
        return context


class DocumentMoveView(DocumentMixin, View):
    """POST …/dokumente/<document>/verschieben/ with direction=up|down: move one place."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        document = self.get_document()
        order = list(self.plan.documents.current().values_list("pk", flat=True))
        if document.pk in order:
            index = order.index(document.pk)
            target = index - 1 if request.POST.get("direction") == "up" else index + 1
            if 0 <= target < len(order):
                order[index], order[target] = order[target], order[index]
                services.document_reorder(plan=self.plan, by=request.user, order=order)
                messages.success(request, _("Die Reihenfolge wurde geändert."))
        return self.cockpit()


class DocumentReplaceView(DocumentMixin, FormView):
    """…/dokumente/<document>/ersetzen/: upload a new version; the old one moves to the history."""

    template_name = "plans/staff/document_replace.html"
    form_class = DocumentReplaceForm

    def form_valid(self, form):
        try:
            services.document_replace(document=self.get_document(), by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Die neue Fassung ist online; die bisherige steht in den früheren Fassungen."))
        return self.cockpit()


class DocumentWithdrawView(DocumentMixin, FormView):
    """…/dokumente/<document>/zurueckziehen/: take a document offline with a reason, after confirmation."""

    template_name = "plans/staff/document_withdraw.html"
    form_class = DocumentWithdrawForm

    def form_valid(self, form):
        try:
            services.document_withdraw(
                document=self.get_document(), by=self.request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Das Dokument wurde zurückgezogen."))
        return self.cockpit()
