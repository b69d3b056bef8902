"""Staff pages for operators: the failed tasks of the task queue (dead letters)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from plans import rules

from . import dead_letters


class OperatorRequiredMixin(LoginRequiredMixin):
    """Only operators (permission 'operate'); others get 403. The services check again."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not rules.has_permission(request.user, "operate"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class FailedTaskListView(OperatorRequiredMixin, TemplateView):
    template_name = "operations/failed_tasks.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, tasks=dead_letters.failed_tasks(), limit=dead_letters.LIST_LIMIT)


class FailedTaskActionView(OperatorRequiredMixin, View):
    """POST: run a failed task again ('retry') or discard it ('discard')."""

    action = ""

    def post(self, request, task_id: str):
        try:
            if self.action == "retry":
                dead_letters.failed_task_retry(task_id=task_id, by=request.user)
                messages.success(request, _("Die Aufgabe wurde erneut eingeplant."))
            else:
                dead_letters.failed_task_discard(task_id=task_id, by=request.user)
                messages.success(request, _("Die Aufgabe wurde verworfen."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(reverse("operations:failed_tasks"))
