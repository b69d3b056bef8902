"""The reading view of a plan text: its sections as HTML, each with a link to comment on it while comments are open."""

from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from participation.selectors import plans_open_for_comments
from plans.models import Document, Plan


class DocumentReadView(TemplateView):
    """/<municipality>/plaene/<plan>/dokumente/<pk>/lesen/: a current document of a published plan, by section."""

    template_name = "portal/document_read.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = get_object_or_404(
            Document.objects.current().select_related("plan__municipality"),
            pk=self.kwargs["pk"],
            plan__in=Plan.objects.published(),
            plan__slug=self.kwargs["plan"],
            plan__municipality__slug=self.kwargs["municipality"],
        )
        plan = document.plan
        sections = list(document.sections.all())
        open_for_comments = plans_open_for_comments(Plan.objects.filter(pk=plan.pk)).exists()
        for section in sections:
            section.heading_level = 2 if section.level <= 1 else 3
        context.update(
            document=document,
            plan=plan,
            municipality=plan.municipality,
            sections=sections,
            open_for_comments=open_for_comments,
        )
        return context
