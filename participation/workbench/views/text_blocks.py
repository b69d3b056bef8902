"""Staff pages for a municipality's text blocks: list (with use counts), create, edit, delete."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from plans.models import Membership, Municipality
from plans.staff import MunicipalityPermissionMixin

from .. import text_blocks
from ..forms import TextBlockForm
from ..models import TextBlock


class TextBlockMixin(MunicipalityPermissionMixin):
    """Resolve the municipality from the URL; viewing needs 'moderate', changing needs 'manage'."""

    permission = "moderate"

    def get_municipality(self):
        return get_object_or_404(Municipality, pk=self.kwargs["municipality_id"])

    def dispatch(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD", "OPTIONS") or getattr(self, "edits", False):
            self.permission = "manage"
        return super().dispatch(request, *args, **kwargs)

    def list_url(self) -> str:
        return reverse("workbench:text_blocks", args=[self.municipality.pk])

    def get_block(self) -> TextBlock:
        return get_object_or_404(TextBlock, pk=self.kwargs["block_id"], municipality=self.municipality)


class TextBlockListView(TextBlockMixin, TemplateView):
    """The municipality's text blocks with how often each was used."""

    template_name = "workbench/text_blocks.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["blocks"] = text_blocks.blocks_with_use_counts(self.municipality)
        context["can_edit"] = context["staff_role"] == Membership.Role.PLANNER
        context["placeholders"] = ["{" + name + "}" for name in text_blocks.PLACEHOLDERS]
        return context


class TextBlockEditView(TextBlockMixin, TemplateView):
    """Create (no block id) or edit a text block."""

    template_name = "workbench/text_block_form.html"
    edits = True

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        block = self.get_block() if "block_id" in self.kwargs else None
        context.update(text_block=block, form=form or TextBlockForm(instance=block))
        return context

    def post(self, request, *args, **kwargs):
        block = self.get_block() if "block_id" in self.kwargs else None
        form = TextBlockForm(request.POST, instance=block)
        if form.is_valid():
            data = {key: form.cleaned_data[key] for key in ("title", "text", "topic")}
            try:
                if "block_id" in self.kwargs:
                    text_blocks.text_block_update(block=self.get_block(), by=request.user, **data)
                else:
                    text_blocks.text_block_create(municipality=self.municipality, by=request.user, **data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Textbaustein „%(title)s“ gespeichert.") % {"title": data["title"]})
                return redirect(self.list_url())
        return self.render_to_response(self.get_context_data(form=form), status=400)


class TextBlockDeleteView(TextBlockMixin, TemplateView):
    """Confirm and delete a text block."""

    template_name = "workbench/text_block_delete.html"
    edits = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["text_block"] = self.get_block()
        return context

    def post(self, request, *args, **kwargs):
        block = self.get_block()
        text_blocks.text_block_delete(block=block, by=request.user)
        messages.success(request, _("Textbaustein „%(title)s“ gelöscht.") % {"title": block.title})
        return redirect(self.list_url())
