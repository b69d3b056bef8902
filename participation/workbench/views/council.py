"""Staff pages for a municipality's Word templates of the council documents: list, upload, download, delete."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from plans.models import Membership, Municipality
from plans.staff import MunicipalityPermissionMixin

from .. import council_templates
from ..forms import CouncilTemplateForm
from ..models import CouncilTemplate
from ..reports import DOCX
from ..reports.council import LINE_PLACEHOLDERS, PLACEHOLDERS


class CouncilTemplateMixin(MunicipalityPermissionMixin):
    """Resolve the municipality (and the document kind) from the URL; viewing needs 'moderate', changing 'manage'."""

    permission = "moderate"
    edits = False

    def get_municipality(self):
        if "kind" in self.kwargs and self.kwargs["kind"] not in CouncilTemplate.Kind.values:
            raise Http404
        return get_object_or_404(Municipality, pk=self.kwargs["municipality_id"])

    def dispatch(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD", "OPTIONS") or self.edits:
            self.permission = "manage"
        return super().dispatch(request, *args, **kwargs)

    def list_url(self) -> str:
        return reverse("workbench:council_templates", args=[self.municipality.pk])


class CouncilTemplateListView(CouncilTemplateMixin, TemplateView):
    """Each council document with the municipality's own template or the default, and the upload form."""

    template_name = "workbench/council_templates.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            templates=council_templates.templates_of(self.municipality),
            can_edit=context["staff_role"] == Membership.Role.PLANNER,
            form=form or CouncilTemplateForm(),
            placeholders=PLACEHOLDERS,
            line_placeholders=LINE_PLACEHOLDERS,
        )
        return context


class CouncilTemplateUploadView(CouncilTemplateListView):
    """Check and store an uploaded template; a refused one is named with the reason, nothing is stored."""

    edits = True

    def get(self, request, *args, **kwargs):
        return self.http_method_not_allowed(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        form = CouncilTemplateForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                template = council_templates.council_template_upload(
                    municipality=self.municipality, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                found = error.message_dict.items() if hasattr(error, "error_dict") else [("file", error.messages)]
                for field, errors in found:
                    for message in errors:
                        form.add_error(field if field in form.fields else "file", message)
            else:
                messages.success(
                    request,
                    _("Die Vorlage „%(name)s“ gilt jetzt für die %(kind)s.")
                    % {"name": template.original_name, "kind": template.get_kind_display()},
                )
                return redirect(self.list_url())
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CouncilTemplateDownloadView(CouncilTemplateMixin, View):
    """Send the municipality's template of a kind, or the default one (`default`) as a starting point."""

    default = False

    def get(self, request, *args, **kwargs):
        name, content = council_templates.council_template_file(
            municipality=self.municipality, kind=self.kwargs["kind"], by=request.user, default=self.default
        )
        response = HttpResponse(content, content_type=DOCX)
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
        response["Cache-Control"] = "no-store"
        return response


class CouncilTemplateDeleteView(CouncilTemplateMixin, TemplateView):
    """Confirm and delete the municipality's own template; the default applies again."""

    template_name = "workbench/council_template_delete.html"
    edits = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kind_label"] = CouncilTemplate.Kind(self.kwargs["kind"]).label
        return context

    def post(self, request, *args, **kwargs):
        council_templates.council_template_delete(
            municipality=self.municipality, kind=self.kwargs["kind"], by=request.user
        )
        messages.success(
            request,
            _("Die eigene Vorlage für die %(kind)s ist gelöscht; es gilt wieder die Standardvorlage.")
            % {"kind": CouncilTemplate.Kind(self.kwargs["kind"]).label},
        )
        return redirect(self.list_url())
