"""Segments of a statement (split off, edit, propose, delete), the history of a weighing and the council decision."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from .. import segments, states, text_blocks, versions
from ..forms import CouncilDecisionForm, SegmentCreateForm, SegmentForm
from ..models import Segment, Weighing
from .base import ConsultationStaffMixin, error_messages
from .weighing import TextBlockPickerMixin


class WeighingObjectMixin(ConsultationStaffMixin):
    """Resolve the statement's weighing (and a segment by its number) from the URL."""

    def get_weighing(self) -> Weighing:
        weighing = get_object_or_404(
            Weighing.objects.select_related("statement"),
            statement_id=self.kwargs["statement_id"],
            statement__consultation=self.consultation,
        )
        weighing.statement.consultation = self.consultation
        return weighing

    def get_segment(self, weighing: Weighing) -> Segment:
        segment = get_object_or_404(Segment, weighing=weighing, number=self.kwargs["segment_number"])
        segment.weighing = weighing
        return segment

    def weighing_url(self, anchor: str = "teile") -> str:
        url = reverse("workbench:weighing", args=[self.consultation.pk, self.kwargs["statement_id"]])
        return f"{url}#{anchor}" if anchor else url


class SegmentCreateView(WeighingObjectMixin, View):
    """Split a selected text span (start/end offsets) off as a segment."""

    def post(self, request, *args, **kwargs):
        weighing = self.get_weighing()
        form = SegmentCreateForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Bitte geben Sie Beginn und Ende des Abschnitts als Zeichenzahlen an."))
            return redirect(self.weighing_url("teil-abtrennen"))
        try:
            segment = segments.segment_create(weighing=weighing, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            error_messages(request, error)
            return redirect(self.weighing_url("teil-abtrennen"))
        messages.success(request, _("Teil %(number)s abgetrennt.") % {"number": f"{weighing.number}.{segment.number}"})
        return redirect(self.weighing_url(f"teil-{segment.number}"))


class SegmentSplitView(WeighingObjectMixin, View):
    """Make a segment of each paragraph not yet in a segment."""

    def post(self, request, *args, **kwargs):
        weighing = self.get_weighing()
        try:
            created = segments.segments_split_by_paragraph(weighing=weighing, by=request.user)
        except ValidationError as error:
            error_messages(request, error)
        else:
            messages.success(request, _("%(count)s Teile nach Absätzen angelegt.") % {"count": len(created)})
        return redirect(self.weighing_url())


class SegmentEditView(TextBlockPickerMixin, WeighingObjectMixin, TemplateView):
    """Edit one segment: topic, plan section and element, decision, response (with text blocks); propose it."""

    template_name = "workbench/segment.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        weighing = self.get_weighing()
        segment = getattr(self, "segment", None) or self.get_segment(weighing)
        context.update(
            weighing=weighing,
            statement=weighing.statement,
            segment=segment,
            segment_label=f"{weighing.number}.{segment.number}",
            frozen=segment.state == "decided" or weighing.state == "decided",
            form=form or SegmentForm(instance=segment, consultation=self.consultation, auto_id="segment-%s"),
            back_url=self.weighing_url(f"teil-{segment.number}"),
        )
        if context["can_decide"]:
            context.update(self.picker_context(segment.topic or weighing.statement.topic))
        return context

    def post(self, request, *args, **kwargs):
        weighing = self.get_weighing()
        self.segment = self.get_segment(weighing)
        topic = self.segment.topic or weighing.statement.topic
        if "insert_block" in request.POST:
            data, error = self.insert_block(request.POST, topic)
            if error:
                messages.error(request, error)
            initial = {name: data.get(name, "") for name in SegmentForm.base_fields}
            form = SegmentForm(
                initial=initial, instance=self.segment, consultation=self.consultation, auto_id="segment-%s"
            )
            return self.render_to_response(self.get_context_data(form=form))
        form = SegmentForm(request.POST, instance=self.segment, consultation=self.consultation, auto_id="segment-%s")
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = {key: form.cleaned_data[key] for key in ("topic", "section", "feature", "decision", "response")}
        segment = Segment.objects.get(pk=self.segment.pk)  # the form changed the instance; the service loads again
        try:
            segment = segments.segment_update(segment=segment, by=request.user, **data)
            text_blocks.text_block_uses_record(
                consultation=self.consultation,
                by=request.user,
                block_ids=text_blocks.parse_block_ids(form.cleaned_data["inserted_blocks"]),
                response=data["response"],
                weighing=weighing,
            )
            if "propose" in request.POST:
                states.weighing_propose(segment=segment, by=request.user)
        except ValidationError as error:
            error_messages(request, error)
            self.segment = Segment.objects.get(pk=self.segment.pk)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        label = f"{weighing.number}.{segment.number}"
        if "propose" in request.POST:
            messages.success(request, _("Teil %(number)s als Abwägungsvorschlag gespeichert.") % {"number": label})
        else:
            messages.success(request, _("Teil %(number)s gespeichert.") % {"number": label})
        return redirect(self.weighing_url(f"teil-{segment.number}"))


class SegmentDeleteView(WeighingObjectMixin, View):
    """Delete a segment: its text is weighed with the statement again."""

    def post(self, request, *args, **kwargs):
        weighing = self.get_weighing()
        segment = self.get_segment(weighing)
        try:
            segments.segment_delete(segment=segment, by=request.user)
        except ValidationError as error:
            error_messages(request, error)
        else:
            messages.success(request, _("Teil gelöscht."))
        return redirect(self.weighing_url())


class ProposeView(WeighingObjectMixin, View):
    """Mark the statement's weighing (or the segment named in the form) as the Abwägungsvorschlag."""

    def post(self, request, *args, **kwargs):
        weighing = self.get_weighing()
        number = request.POST.get("segment", "")
        segment = None
        if number:
            if not number.isdigit():
                raise Http404
            self.kwargs["segment_number"] = int(number)
            segment = self.get_segment(weighing)
        try:
            states.weighing_propose(weighing=weighing, segment=segment, by=request.user)
        except ValidationError as error:
            error_messages(request, error)
        else:
            messages.success(request, _("Als Abwägungsvorschlag markiert."))
        return redirect(self.weighing_url(f"teil-{segment.number}" if segment else "stand"))


class HistoryView(WeighingObjectMixin, TemplateView):
    """Who changed the weighing and its segments when, and what; links to the diff of the responses."""

    template_name = "workbench/history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        weighing = self.get_weighing()
        parts = [(str(_("Stellungnahme")), "", versions.versions(weighing))]
        for segment in weighing.segments.order_by("number"):
            label = _("Teil %(number)s") % {"number": f"{weighing.number}.{segment.number}"}
            parts.append((label, str(segment.number), versions.versions(segment)))
        context.update(weighing=weighing, statement=weighing.statement, parts=parts)
        return context


class DiffView(WeighingObjectMixin, TemplateView):
    """The response of one version against another (by default the one before): words removed and added."""

    template_name = "workbench/diff.html"

    def get(self, request, *args, **kwargs):
        if not request.GET.get("version"):
            return redirect("workbench:history", self.consultation.pk, kwargs["statement_id"])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        weighing = self.get_weighing()
        number = self.request.GET.get("teil", "")
        if number:
            if not number.isdigit():
                raise Http404
            self.kwargs["segment_number"] = int(number)
            instance = self.get_segment(weighing)
            label = _("Teil %(number)s") % {"number": f"{weighing.number}.{instance.number}"}
        else:
            instance, label = weighing, _("Stellungnahme Nr. %(number)s") % {"number": weighing.number}
        history = instance.history.select_related("history_user")
        new = get_object_or_404(history, history_id=self._id("version"))
        old_id = self._id("gegen", required=False)
        if old_id is not None:
            old = get_object_or_404(history, history_id=old_id)
        else:
            old = history.filter(history_date__lt=new.history_date).order_by("-history_date", "-history_id").first()
        context.update(
            weighing=weighing,
            label=label,
            new=new,
            old=old,
            diff=versions.word_diff(old.response if old else "", new.response),
        )
        return context

    def _id(self, name: str, required: bool = True) -> int | None:
        value = self.request.GET.get(name, "")
        if value.isdigit():
            return int(value)
        if required:
            raise Http404
        return None


class CouncilDecisionView(ConsultationStaffMixin, View):
    """Record the council's decision: every Abwägungsvorschlag becomes decided with the date, then frozen."""

    permission = "manage"

    def post(self, request, *args, **kwargs):
        form = CouncilDecisionForm(request.POST)
        back = reverse("workbench:publish", args=[self.consultation.pk])
        if form.is_valid():
            try:
                counts = states.weighings_decide(consultation=self.consultation, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                error_messages(request, error)
            else:
                messages.success(
                    request,
                    _("Ratsbeschluss erfasst: %(weighings)s Stellungnahmen und %(segments)s Teile beschlossen.")
                    % counts,
                )
        return redirect(f"{back}#ratsbeschluss")
