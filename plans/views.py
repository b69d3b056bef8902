"""Public pages of the plans app alone: per-municipality legal pages and document downloads.

The plan map and plan page compose several apps and live in `portal.views`.
"""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from . import rules
from .models import Document, Municipality


class LegalPageView(TemplateView):
    """Impressum, Datenschutz or Barrierefreiheit of one municipality."""

    pages = {
        "impressum": ("imprint", "Impressum"),
        "datenschutz": ("privacy", "Datenschutzerklärung"),
        "barrierefreiheit": ("accessibility", "Erklärung zur Barrierefreiheit"),
        "leichte-sprache": ("easy_language", "Leichte Sprache"),
    }
    page = None

    def get_template_names(self):
        return [f"legal/{self.page}.html"]

    def get_context_data(self, **kwargs):
        if self.page not in self.pages:
            raise Http404
        context = super().get_context_data(**kwargs)
        municipality = get_object_or_404(Municipality, slug=self.kwargs["municipality"])
        field, _title = self.pages[self.page]
        context.update(municipality=municipality, text=getattr(municipality, field))
        return context


class LegalIndexView(TemplateView):
    """List the legal pages of every municipality (linked from the shared start page)."""

    template_name = "legal/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["municipalities"] = Municipality.objects.all()
        return context


def document_download(request, municipality, plan, pk):
    """Serve a document of a published plan, earlier versions included; withdrawn ones and drafts to staff only."""
    document = get_object_or_404(
        Document.objects.select_related("plan__municipality"),
        pk=pk,
        plan__slug=plan,
        plan__municipality__slug=municipality,
    )
    public = document.plan.is_public and document.withdrawn_at is None
    if not public and not rules.can_view(request.user, document.plan.municipality):
        raise Http404
    return FileResponse(
        document.file.open("rb"), content_type="application/pdf", filename=document.file.name.split("/")[-1]
    )
