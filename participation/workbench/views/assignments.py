"""Assignments: assign from the weighing page, "Meine Aufgaben", the assignee's work page, the office's answers."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from plans import rules

from .. import assignments, states, text_blocks
from ..access import can_review, reviewer_of
from ..assignment_forms import AnswerForm, AssignForm, ReturnForm
from ..assignment_mail import item_label
from ..models import Assignment, Segment, WeighingState
from .base import error_messages
from .segments import WeighingObjectMixin
from .weighing import TextBlockPickerMixin


class AssignView(WeighingObjectMixin, View):
    """Assign the statement or one of its segments to a person of the municipality (planning office only)."""

    def post(self, request, *args, **kwargs):
        weighing = self.get_weighing()
        segments = list(weighing.segments.order_by("number"))
        form = AssignForm(request.POST, municipality=self.municipality, weighing=weighing, segments=segments)
        back = self.weighing_url("zuweisungen")
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(back)
        data = form.cleaned_data
        segment = next((s for s in segments if s.number == data["segment"]), None)
        assignee = get_object_or_404(get_user_model(), pk=data["assignee"])
        try:
            assignment = assignments.assignment_create(
                weighing=weighing,
                segment=segment,
                assignee=assignee,
                due_date=data["due_date"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as error:
            error_messages(request, error)
        else:
            messages.success(
                request,
                _("%(item)s zugewiesen an %(name)s.")
                % {"item": item_label(assignment), "name": assignee.get_full_name() or assignee.get_username()},
            )
        return redirect(back)


class MyTasksView(LoginRequiredMixin, TemplateView):
    """The user's open assignments across consultations, soonest due first; overdue ones marked."""

    template_name = "workbench/my_tasks.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not (rules.is_staff_anywhere(request.user) or reviewer_of(request.user)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        reviewer = reviewer_of(self.request.user)
        tasks = list(assignments.assignments_for(self.request.user)) if not reviewer or reviewer.active else []
        for task in tasks:
            task.overdue = assignments.is_overdue(task, today)
            task.label = item_label(task)
            task.target = task.segment or task.weighing
        context.update(tasks=tasks, reviewer=reviewer, overdue_count=sum(t.overdue for t in tasks))
        return context


class AssignmentObjectMixin(LoginRequiredMixin):
    """Resolve the assignment; its assignee (while it is open) may work on it, the planning office may see it.

    Anyone else of the municipality gets 403, everyone else 404 (no leak that it exists).
    """

    manage_only = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.assignment = get_object_or_404(
            Assignment.objects.select_related(
                "weighing__statement__consultation__plan__municipality", "segment", "assignee"
            ),
            pk=kwargs["assignment_id"],
        )
        self.weighing = self.assignment.weighing
        self.consultation = self.weighing.statement.consultation
        self.municipality = self.consultation.plan.municipality
        self.is_assignee = (
            not self.manage_only
            and self.assignment.assignee_id == request.user.pk
            and can_review(request.user, self.weighing, self.assignment.segment)
        )
        if not self.is_assignee:
            if rules.role_in(request.user, self.municipality) is None:
                raise Http404
            if self.manage_only:
                pass  # the service decides (planning office; a staff assignee may mark their own task done)
            elif not rules.can_manage(request.user, self.municipality):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class AssignmentView(TextBlockPickerMixin, AssignmentObjectMixin, TemplateView):
    """The assignee's page: the statement without personal data, the answer with text blocks, submit as proposal."""

    template_name = "workbench/assignment.html"

    def target(self):
        return self.assignment.segment or self.weighing

    def segment_parts(self, bound: tuple[int, AnswerForm] | None = None) -> list[dict]:
        """Return the segments a whole-statement assignment covers, each with its own answer form."""
        if self.assignment.segment_id is not None:
            return []
        parts = []
        for segment in self.weighing.segments.order_by("number"):
            form = bound[1] if bound and bound[0] == segment.pk else None
            parts.append(
                {
                    "segment": segment,
                    "label": f"{item_label(self.assignment)}.{segment.number}",
                    "editable": self.assignment.done_at is None
                    and segment.state == WeighingState.DRAFT
                    and self.weighing.state != WeighingState.DECIDED,
                    "form": form
                    or AnswerForm(
                        initial={"decision": segment.decision, "response": segment.response},
                        auto_id=f"teil{segment.number}_%s",
                    ),
                }
            )
        return parts

    def get_context_data(self, form=None, segment_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        target = self.target()
        target.refresh_from_db()
        editable = (
            self.assignment.done_at is None
            and target.state == WeighingState.DRAFT
            and self.weighing.state != WeighingState.DECIDED
        )
        context["parts"] = self.segment_parts(segment_form)
        context.update(
            assignment=self.assignment,
            weighing=self.weighing,
            statement=self.weighing.statement,
            consultation=self.consultation,
            municipality=self.municipality,
            label=item_label(self.assignment),
            target=target,
            editable=editable,
            overdue=assignments.is_overdue(self.assignment),
            form=form or AnswerForm(initial={"decision": target.decision, "response": target.response}),
        )
        if context["parts"]:  # the statement's decision follows from its segments
            decision = context["form"].fields["decision"]
            decision.disabled = True
            decision.help_text = _("Ergibt sich aus den Entscheidungen der Teile.")
        if editable:
            context.update(self.picker_context(getattr(target, "topic", "") or self.weighing.statement.topic))
        return context

    def post(self, request, *args, **kwargs):
        topic = getattr(self.target(), "topic", "") or self.weighing.statement.topic
        if "insert_block" in request.POST:
            data, error = self.insert_block(request.POST, topic)
            if error:
                messages.error(request, error)
            initial = {name: data.get(name, "") for name in AnswerForm.base_fields}
            return self.render_to_response(self.get_context_data(form=AnswerForm(initial=initial)))
        if "segment" in request.POST:
            return self.answer_segment(request)
        form = AnswerForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = {key: form.cleaned_data[key] for key in ("decision", "response")}
        try:
            assignments.assignment_answer(assignment=self.assignment, by=request.user, **data)
            text_blocks.text_block_uses_record(
                consultation=self.consultation,
                by=request.user,
                block_ids=text_blocks.parse_block_ids(form.cleaned_data["inserted_blocks"]),
                response=data["response"],
                weighing=self.weighing,
                segment=self.assignment.segment,
            )
            if "propose" in request.POST:
                states.weighing_propose(weighing=self.weighing, segment=self.assignment.segment, by=request.user)
        except ValidationError as error:
            error_messages(request, error)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        if "propose" in request.POST:
            messages.success(request, _("Als Abwägungsvorschlag eingereicht. Die Planung prüft ihn."))
            return redirect("workbench:my_tasks")
        messages.success(request, _("Gespeichert."))
        return redirect("workbench:assignment", assignment_id=self.assignment.pk)

    def answer_segment(self, request):
        """Save the answer to one segment of a whole-statement assignment (the statement is proposed as a whole)."""
        if self.assignment.segment_id is not None:
            raise Http404
        segment_id = request.POST.get("segment", "")
        if not segment_id.isdigit():
            raise Http404
        segment = get_object_or_404(Segment, pk=int(segment_id), weighing=self.weighing)
        form = AnswerForm(request.POST, auto_id=f"teil{segment.number}_%s")
        if form.is_valid():
            try:
                assignments.assignment_answer(
                    assignment=self.assignment,
                    by=request.user,
                    segment=segment,
                    decision=form.cleaned_data["decision"],
                    response=form.cleaned_data["response"],
                )
            except ValidationError as error:
                error_messages(request, error)
            else:
                messages.success(request, _("Teil %(number)s gespeichert.") % {"number": segment.number})
                url = reverse("workbench:assignment", kwargs={"assignment_id": self.assignment.pk})
                return redirect(f"{url}#teil-{segment.number}")
        context = self.get_context_data(segment_form=(segment.pk, form))
        return self.render_to_response(context, status=400)


class AssignmentActionView(AssignmentObjectMixin, View):
    """Done, accept ("übernehmen"), send back with a note, or delete an assignment (POST only)."""

    manage_only = True
    action = ""

    def post(self, request, *args, **kwargs):
        back = reverse("workbench:weighing", args=[self.consultation.pk, self.weighing.statement_id]) + "#zuweisungen"
        try:
            if self.action == "done":
                assignments.assignment_done(assignment=self.assignment, by=request.user)
                messages.success(request, _("Zuweisung erledigt."))
            elif self.action == "accept":
                assignments.assignment_accept(assignment=self.assignment, by=request.user)
                messages.success(request, _("Vorschlag übernommen."))
            elif self.action == "return":
                form = ReturnForm(request.POST)
                note = form.cleaned_data["note"] if form.is_valid() else ""
                assignments.assignment_return(assignment=self.assignment, by=request.user, note=note)
                messages.success(request, _("Vorschlag mit Hinweis zurückgegeben."))
            else:
                assignments.assignment_delete(assignment=self.assignment, by=request.user)
                messages.success(request, _("Zuweisung gelöscht."))
        except ValidationError as error:
            error_messages(request, error)
        if rules.role_in(request.user, self.municipality) is None:
            return redirect("workbench:my_tasks")
        return redirect(back)
