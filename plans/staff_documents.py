"""Staff pages for a plan's documents: upload, replace with a new version, move, withdraw, edit their sections."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from . import section_services, services
from .forms import (
    DocumentReplaceForm,
    DocumentUploadForm,
    DocumentWithdrawForm,
    SectionFormSet,
    apply_service_errors,
)
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


class DocumentSectionsView(DocumentMixin, TemplateView):
    """…/dokumente/<document>/abschnitte/: list, add, edit, delete and reorder a document's sections."""

    template_name = "plans/staff/document_sections.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.get_document()
        context.setdefault("formset", kwargs.get("formset") or SectionFormSet(initial=self.initial(), prefix="s"))
        context.update(sections=list(document.sections.all()), section_kinds=section_services.SECTION_KINDS)
        return context

    def initial(self):
        return [
            {"id": s.pk, "number": s.number, "title": s.title, "level": s.level, "page": s.page, "ORDER": index + 1}
            for index, s in enumerate(self.get_document().sections.all())
        ]

    def post(self, request, *args, **kwargs):
        document = self.get_document()
        formset = SectionFormSet(request.POST, initial=self.initial(), prefix="s")
        if formset.is_valid():
            changed, deleted, added, rows = {}, [], [], []
            for index, form in enumerate(formset.forms):
                data = form.cleaned_data
                if not data:
                    continue
                fields = {name: data.get(name) for name in section_services.EDITABLE}
                if data.get("DELETE"):
                    if data.get("id"):
                        deleted.append(data["id"])
                elif data.get("id"):
                    changed[data["id"]] = fields
                    rows.append((data.get("ORDER") or 0, index, data["id"]))
                else:
                    added.append(fields)
            try:
                section_services.document_sections_save(
                    document=document,
                    by=request.user,
                    changed=changed,
                    deleted=deleted,
                    added=added,
                    order=[pk for _order, _index, pk in sorted(rows)],
                )
            except ValidationError as exc:
                formset._non_form_errors = formset.error_class(exc.messages)
            else:
                messages.success(request, _("Die Abschnitte wurden gespeichert."))
                return redirect("plans:staff_document_sections", pk=self.plan.pk, document=document.pk)
        return self.render_to_response(self.get_context_data(formset=formset), status=400)


class DocumentSectionsRefreshView(DocumentMixin, View):
    """POST …/dokumente/<document>/abschnitte/einlesen/: read the sections from the PDF again, in the background."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        document = self.get_document()
        try:
            section_services.document_sections_refresh(document=document, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Die PDF-Datei wird neu eingelesen; die gefundenen Abschnitte erscheinen hier in Kürze."),
            )
        return redirect("plans:staff_document_sections", pk=self.plan.pk, document=document.pk)
