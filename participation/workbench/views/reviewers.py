"""The municipality's address book of external reviewers: list, invite (create), deactivate."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from plans.models import Membership

from .. import external_reviewers
from ..assignment_forms import ReviewerForm
from ..models import ExternalReviewer
from .text_blocks import TextBlockMixin


class ReviewerListView(TextBlockMixin, TemplateView):
    """List the external reviewers; planners invite new ones with the form on the same page."""

    template_name = "workbench/reviewers.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reviewers"] = external_reviewers.reviewers_of(self.municipality)
        context["can_edit"] = context["staff_role"] == Membership.Role.PLANNER
        context["form"] = form or ReviewerForm(auto_id="reviewer-%s")
        return context

    def post(self, request, *args, **kwargs):
        form = ReviewerForm(request.POST, auto_id="reviewer-%s")
        if form.is_valid():
            try:
                reviewer = external_reviewers.external_reviewer_create(
                    municipality=self.municipality, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(
                    request,
                    _("%(email)s eingeladen: Die Einladung mit dem Link zum Festlegen des Passworts ist unterwegs.")
                    % {"email": reviewer.user.email},
                )
                return redirect(reverse("workbench:reviewers", args=[self.municipality.pk]))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ReviewerDeactivateView(TextBlockMixin, TemplateView):
    """Deactivate a reviewer (POST): login and access to assigned items end."""

    edits = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        reviewer = get_object_or_404(ExternalReviewer, pk=self.kwargs["reviewer_id"], municipality=self.municipality)
        try:
            external_reviewers.external_reviewer_deactivate(reviewer=reviewer, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("%(name)s deaktiviert.") % {"name": reviewer})
        return redirect(reverse("workbench:reviewers", args=[self.municipality.pk]))


class ReviewerInviteAgainView(TextBlockMixin, TemplateView):
    """Send a reviewer a new set-password link (POST)."""

    edits = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        reviewer = get_object_or_404(ExternalReviewer, pk=self.kwargs["reviewer_id"], municipality=self.municipality)
        try:
            external_reviewers.external_reviewer_invite_again(reviewer=reviewer, by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Neue Einladung an %(email)s ist unterwegs.") % {"email": reviewer.user.email})
        return redirect(reverse("workbench:reviewers", args=[self.municipality.pk]))
