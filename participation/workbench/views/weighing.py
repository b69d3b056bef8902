"""The Abwägung pages: the statement table with bulk actions, one statement's weighing, a group's answer."""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from participation.models import Attachment, Consultation

from .. import grouping, services, text_blocks
from ..assignment_forms import AssignForm
from ..assignments import open_assignments_by_statement, weighing_assignments
from ..forms import (
    BulkActionForm,
    FilterForm,
    GroupAnswerForm,
    GroupSimilarForm,
    SegmentCreateForm,
    TextBlockPickForm,
    WeighingForm,
)
from ..inspection import INSPECTION_MORE_THAN
from ..models import (
    ConsultationResult,
    Decision,
    ResultNotification,
    Segment,
    StatementGroup,
    Weighing,
    WeighingState,
)
from ..reports.data import section_order
from ..segments import frozen_error
from ..selectors import (
    invitation_deadlines,
    late_q,
    result_blockers,
    statement_counts,
    statement_place,
    weighed_statements,
)
from .base import ConsultationStaffMixin, error_messages
from .notices import InspectionNoticeForm

PAGE_SIZE = 50
DECISION_LABELS = dict(Decision.choices)


class StatementTableView(ConsultationStaffMixin, TemplateView):
    """The filterable, paginated table of a consultation's statements with counts and bulk actions."""

    template_name = "workbench/table.html"
    tab = "table"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        services.weighings_ensure(consultation=self.consultation, by=self.request.user)
        # Counting and paginating need no per-row "late" expression; only the 50 shown rows get it.
        base = weighed_statements(self.consultation, annotate_late=False)
        filters = FilterForm(self.request.GET or None, consultation=self.consultation)
        filtered = filters.apply(base) if self.request.GET else base
        # One scan yields the ordered ids of all matches (count and page from the same list); then only
        # the 50 visible rows are loaded with their long texts.
        order = section_order() if filters.by_section else ["weighing__number"]
        ids = list(filtered.order_by(*order).values_list("id", flat=True))
        page = Paginator(ids, PAGE_SIZE).get_page(self.request.GET.get("page"))
        page.object_list = list(
            weighed_statements(self.consultation)
            .filter(id__in=list(page.object_list))
            .select_related("weighing__group", "feature__layer", "section__document", "invitation")
            .order_by(*order)
        )
        attachment_counts = dict(
            Attachment.objects.filter(statement_id__in=[s.pk for s in page.object_list])
            .values_list("statement_id")
            .annotate(n=Count("id"))
        )
        segment_decisions: dict[int, list] = {}
        for sid, number, decision in (
            Segment.objects.filter(weighing__statement_id__in=[s.pk for s in page.object_list])
            .order_by("weighing__statement_id", "number")
            .values_list("weighing__statement_id", "number", "decision")
        ):
            segment_decisions.setdefault(sid, []).append((number, DECISION_LABELS.get(decision, "")))
        assigned = open_assignments_by_statement([s.pk for s in page.object_list])
        for statement in page.object_list:
            statement.attachment_count = attachment_counts.get(statement.pk, 0)
            statement.segment_decisions = segment_decisions.get(statement.pk, [])
            statement.open_assignments = assigned.get(statement.pk, [])
        counts = self.counts(base)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filters=filters,
            by_section=filters.by_section,
            page=page,
            counts=counts,
            statement_counts=statement_counts(self.consultation),
            decision_counts=[(label, counts[value]) for value, label in Decision.choices],
            query=query.urlencode(),
            bulk_form=BulkActionForm(initial={"filters": query.urlencode()}, auto_id="bulk-%s"),
            similar_form=GroupSimilarForm(),
            grouping=grouping.grouping_state(self.consultation),
            groups=StatementGroup.objects.filter(consultation=self.consultation).annotate(size=Count("weighings")),
            result=ConsultationResult.objects.filter(consultation=self.consultation).first(),
            notification_counts=dict(
                ResultNotification.objects.filter(statement__consultation=self.consultation)
                .values_list("status")
                .annotate(n=Count("id"))
            ),
        )
        if context["can_decide"]:
            # Why "publish result" is disabled: the period still runs, or statements are undecided.
            context["result_blockers"] = [
                message for error in result_blockers(self.consultation) for message in error.messages
            ]
        return context

    def counts(self, base) -> dict:
        """Return the counts over the whole consultation, cached per data version, effective end and deadlines."""
        # Every service write bumps the version; extending or closing the period (or an authority's
        # deadline) changes which are late.
        deadlines = ",".join(f"{d:%Y%m%d}" for d in invitation_deadlines(self.consultation))
        key = (
            f"workbench:counts:{self.consultation.pk}:{services.workbench_version(self.consultation)}:"
            f"{self.consultation.ends_at.timestamp()}:{deadlines}"
        )
        counts = cache.get(key)
        if counts is None:
            counts = base.aggregate(
                total=Count("id"),
                late=Count("id", filter=late_q(self.consultation)),
                open=Count("id", filter=Q(weighing__decision="")),
                **{value: Count("id", filter=Q(weighing__decision=value)) for value in Decision.values},
            )
            cache.set(key, counts, 3600)
        return counts


class BulkActionView(ConsultationStaffMixin, View):
    """Apply a decision/response, grouping or ungrouping to selected or all filtered statements."""

    def post(self, request, *args, **kwargs):
        ids = list(weighed_statements(self.consultation).values_list("id", flat=True))
        form = BulkActionForm(request.POST, statement_ids=ids)
        back = self.table_url(request.POST.get("filters", ""))
        if not form.is_valid():
            for error in form.non_field_errors() + [e for f in form for e in f.errors]:
                messages.error(request, error)
            return redirect(back)
        data = form.cleaned_data
        if data["scope"] == "filtered":
            filters = FilterForm(QueryDict(data["filters"]), consultation=self.consultation)
            selected = list(filters.apply(weighed_statements(self.consultation)).values_list("id", flat=True))
        else:
            selected = data["statements"]
        common = {"consultation": self.consultation, "statement_ids": selected, "by": request.user}
        try:
            if data["action"] == "decide":
                count = services.weighings_bulk_update(
                    **common, decision=data["decision"] or None, response=data["response"] or None
                )
                messages.success(request, _("%(count)s Stellungnahmen aktualisiert.") % {"count": count})
            elif data["action"] == "group":
                group = services.statements_group(**common, label=data["label"])
                messages.success(request, _("Gruppe „%(label)s“ angelegt.") % {"label": group.label})
            else:
                count = services.statements_ungroup(**common)
                messages.success(request, _("%(count)s Stellungnahmen aus Gruppen gelöst.") % {"count": count})
        except ValidationError as error:
            error_messages(request, error)
        return redirect(back)


class GroupSimilarView(ConsultationStaffMixin, View):
    """Start grouping identical and near-identical statements in the background."""

    def post(self, request, *args, **kwargs):
        form = GroupSimilarForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Bitte geben Sie eine Übereinstimmung zwischen 0,5 (50 %) und 1,0 (100 %) an."))
            return redirect(self.table_url())
        try:
            grouping.grouping_start(
                consultation=self.consultation, by=request.user, threshold=form.cleaned_data["threshold"]
            )
        except ValidationError as error:
            error_messages(request, error)
        else:
            messages.success(request, _("Die Gruppierung wurde gestartet."))
        return redirect("workbench:grouping_status", consultation_id=self.consultation.pk)


class GroupingStatusView(ConsultationStaffMixin, TemplateView):
    """Progress of the latest grouping (the page reloads itself while it runs), then its outcome."""

    template_name = "workbench/grouping_status.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["grouping"] = grouping.grouping_state(self.consultation)
        return context


def ordered_statement_ids(consultation, query: str) -> list[int]:
    """Return the statement ids of the table filtered by `query`, in the table's order."""
    filters = FilterForm(QueryDict(query), consultation=consultation)
    base = weighed_statements(consultation, annotate_late=False)
    filtered = filters.apply(base) if query else base
    order = section_order() if filters.by_section else ["weighing__number"]
    return list(filtered.order_by(*order).values_list("id", flat=True))


def _filters_query(data) -> str:
    """Return the table's query string carried by a weighing page (GET parameters or the form's hidden field)."""
    if "filters" in data:
        # Re-encoded: whatever was posted, only a well-formed query string goes into the redirect.
        query = QueryDict(str(data.get("filters", ""))[:1000], mutable=True)
    else:
        query = data.copy()
    query.pop("page", None)
    return query.urlencode()


class TextBlockPickerMixin:
    """The text block picker of the weighing and group pages (progressive enhancement: works without JS)."""

    consultation: Consultation
    request: HttpRequest

    def picker_context(self, topic: str) -> dict:
        blocks = text_blocks.blocks_for(self.consultation, topic)
        values = text_blocks.placeholder_values(self.consultation)
        return {
            "pick_form": TextBlockPickForm(blocks=blocks, auto_id="pick-%s"),
            "text_blocks_data": {str(b.pk): text_blocks.render(b.text, values) for b in blocks},
        }

    def insert_block(self, data: QueryDict, topic: str) -> tuple[QueryDict, str | None]:
        """Return the POST data with the chosen block appended to the response, and an error if none was chosen."""
        blocks = text_blocks.blocks_for(self.consultation, topic)
        pick = TextBlockPickForm(data, blocks=blocks)
        data = data.copy()
        if not pick.is_valid() or not pick.cleaned_data["text_block"]:
            return data, _("Bitte wählen Sie einen Textbaustein aus.")
        block = next(b for b in blocks if b.pk == pick.cleaned_data["text_block"])
        rendered = text_blocks.render(block.text, text_blocks.placeholder_values(self.consultation))
        response = data.get("response", "").rstrip()
        data["response"] = f"{response}\n\n{rendered}" if response else rendered
        ids = text_blocks.parse_block_ids(data.get("inserted_blocks", ""))
        data["inserted_blocks"] = ",".join(str(i) for i in dict.fromkeys([*ids, block.pk]))
        return data, None


def text_pieces(text: str, segments) -> list[tuple[int, str, object]]:
    """Return the statement's text as (start, text, segment or None) pieces, the segments' spans marked."""
    pieces: list[tuple[int, str, object]] = []
    position = 0
    for segment in sorted(segments, key=lambda s: s.start):
        if segment.start > position:
            pieces.append((position, text[position : segment.start], None))
        pieces.append((segment.start, text[segment.start : segment.end], segment))
        position = max(position, segment.end)
    if position < len(text) or not pieces:
        pieces.append((position, text[position:], None))
    return pieces


class WeighingEditView(TextBlockPickerMixin, ConsultationStaffMixin, TemplateView):
    """Show one statement with its context and edit its weighing."""

    template_name = "workbench/weighing.html"

    def get_weighing(self):
        services.weighings_ensure(consultation=self.consultation, by=self.request.user)
        return get_object_or_404(
            Weighing.objects.select_related(
                "statement",
                "group",
                "updated_by",
                "statement__feature__layer",
                "statement__section__document",
                "statement__invitation",
            ),
            statement_id=self.kwargs["statement_id"],
            statement__consultation=self.consultation,
        )

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        weighing = getattr(self, "weighing", None) or self.get_weighing()
        statement = weighing.statement
        segments = list(weighing.segments.select_related("section", "feature__layer").order_by("number"))
        statement.consultation = self.consultation
        filters = _filters_query(self.request.POST if self.request.method == "POST" else self.request.GET)
        context.update(
            weighing=weighing,
            statement=statement,
            # The table's definition (selectors.late_q, honouring an authority's own deadline), not a second one.
            late=weighed_statements(self.consultation).filter(pk=statement.pk).values_list("late", flat=True).first(),
            invitation=statement.invitation,
            attachments=statement.attachments.order_by("id"),
            replies=type(statement).objects.filter(thread_id=statement.thread_id, level__gt=0).order_by("submit_date"),
            form=form or WeighingForm(instance=weighing),
            filters=filters,
            back_url=self.table_url(filters),
            place=statement_place(statement),
            show_personal=context["can_export_personal"],
            segments=segments,
            text_pieces=text_pieces(statement.comment, segments),
            frozen=weighing.state == WeighingState.DECIDED,
            segment_form=SegmentCreateForm(auto_id="span-%s"),
            group_members=(
                weighing.group.weighings.select_related("statement").exclude(pk=weighing.pk).order_by("number")[:50]
                if weighing.group
                else []
            ),
        )
        context["assignments"] = weighing_assignments(weighing)
        if context["can_decide"]:
            context.update(self.picker_context(statement.topic))
            context["assign_form"] = AssignForm(
                municipality=self.municipality, weighing=weighing, segments=segments, auto_id="assign-%s"
            )
        return context

    def post(self, request, *args, **kwargs):
        self.weighing = self.get_weighing()
        if self.weighing.state == WeighingState.DECIDED:
            messages.error(request, frozen_error().messages[0])
            return self.render_to_response(self.get_context_data(), status=400)
        topic = self.weighing.statement.topic
        if "insert_block" in request.POST:
            data, error = self.insert_block(request.POST, topic)
            if error:
                messages.error(request, error)
            initial = {name: data.get(name, "") for name in WeighingForm.base_fields}
            form = WeighingForm(initial=initial, instance=self.weighing)
            return self.render_to_response(self.get_context_data(form=form))
        form = WeighingForm(request.POST, instance=self.weighing)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        filters = _filters_query(request.POST)
        # The next statement is looked up before saving: saving may move this one out of the filter.
        ids = ordered_statement_ids(self.consultation, filters) if "save_next" in request.POST else []
        # The statement's consultation is the one resolved from the URL: no second lookup.
        self.weighing.statement.consultation = self.consultation
        data = {key: form.cleaned_data[key] for key in ("decision", "response", "internal_note", "organisation")}
        services.weighing_update(weighing=self.weighing, by=request.user, **data)
        text_blocks.text_block_uses_record(
            consultation=self.consultation,
            by=request.user,
            block_ids=text_blocks.parse_block_ids(form.cleaned_data["inserted_blocks"]),
            response=data["response"],
            weighing=self.weighing,
        )
        messages.success(request, _("Abwägung zu Nr. %(number)s gespeichert.") % {"number": self.weighing.number})
        if "save_next" in request.POST:
            current = self.weighing.statement_id
            following = ids[ids.index(current) + 1 :] if current in ids else []
            if following:
                url = reverse("workbench:weighing", args=[self.consultation.pk, following[0]])
                return redirect(f"{url}?{filters}" if filters else url)
            messages.info(request, _("Das war die letzte Stellungnahme in der aktuellen Auswahl."))
        return redirect(self.table_url(filters))


class GroupView(TextBlockPickerMixin, ConsultationStaffMixin, TemplateView):
    """Show a group of similar statements and answer all of them at once."""

    template_name = "workbench/group.html"

    def get_group(self):
        group = get_object_or_404(StatementGroup, pk=self.kwargs["group_id"], consultation=self.consultation)
        group.consultation = self.consultation
        return group

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        group = self.get_group()
        context.update(
            group=group,
            members=group.weighings.select_related("statement").order_by("number"),
            form=form or GroupAnswerForm(initial={"decision": group.decision, "response": group.response}),
            inspection_limit=INSPECTION_MORE_THAN,
            inspection_form=InspectionNoticeForm(
                initial={"place": group.inspection_place, "times": group.inspection_times}, auto_id="inspection-%s"
            ),
        )
        if context["can_decide"]:
            context.update(self.picker_context(self.group_topic(group)))
        return context

    @staticmethod
    def group_topic(group) -> str:
        """Return the topic most members share (the picker lists its blocks first)."""
        first = group.weighings.values_list("statement__topic").annotate(n=Count("id")).order_by("-n").first()
        return first[0] if first else ""

    def post(self, request, *args, **kwargs):
        if "insert_block" in request.POST:
            data, error = self.insert_block(request.POST, self.group_topic(self.get_group()))
            if error:
                messages.error(request, error)
            initial = {name: data.get(name, "") for name in GroupAnswerForm.base_fields}
            return self.render_to_response(self.get_context_data(form=GroupAnswerForm(initial=initial)))
        form = GroupAnswerForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        group = self.get_group()
        data = {key: form.cleaned_data[key] for key in ("decision", "response")}
        count = services.group_answer(group=group, by=request.user, **data)
        text_blocks.text_block_uses_record(
            consultation=self.consultation,
            by=request.user,
            block_ids=text_blocks.parse_block_ids(form.cleaned_data["inserted_blocks"]),
            response=data["response"],
            group=group,
        )
        messages.success(request, _("%(count)s Stellungnahmen der Gruppe beantwortet.") % {"count": count})
        return redirect(self.table_url())
