"""The private "Meine Stellungnahme" page behind the link in every mail: status, result, withdraw, erasure, receipt.

Composed here because it reads the core (statement, token) and the workbench (decision once published).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from participation.my_statement import STEPS, core_step, my_statement_path, statement_for_token
from participation.private_links import mark_private
from participation.receipts import citizen_receipt_pdf, receipt_filename, received_display, reference_number
from participation.services.citizen import (
    can_withdraw,
    erasure_possible_now,
    statement_erasure_request,
    statement_withdraw,
)
from participation.workbench.selectors import statement_progress


class _PrivateLinkView(View):
    def dispatch(self, request, *args, **kwargs):
        return mark_private(super().dispatch(request, *args, **kwargs))

    def statement(self, token):
        statement = statement_for_token(token)
        if statement is None:
            raise Http404
        return statement


class MyStatementView(_PrivateLinkView):
    """Show the submitter's statement, its step (eingegangen → bestätigt → in Abwägung → Ergebnis) and actions."""

    template_name = "portal/my_statement.html"

    def get(self, request, token):
        statement = self.statement(token)
        progress = statement_progress(statement) if statement.confirmed_at and not statement.withdrawn_at else {}
        step = progress.get("step") or core_step(statement)
        reached = [key for key, _label in STEPS][: [key for key, _label in STEPS].index(step) + 1]
        plan = statement.consultation.plan
        return render(
            request,
            self.template_name,
            {
                "statement": statement,
                "plan": plan,
                "municipality": plan.municipality,
                "token": token,
                "reference": reference_number(statement),
                "received": received_display(statement),
                "steps": [{"key": key, "label": label, "done": key in reached} for key, label in STEPS],
                "step_label": dict(STEPS)[step],
                "progress": progress,
                "can_withdraw": can_withdraw(statement),
                "erasure_now": erasure_possible_now(statement),
                "result_url": reverse("workbench:public_result", args=[statement.consultation_id])
                if progress.get("step") == "result"
                else "",
            },
        )


class _ActionView(_PrivateLinkView):
    """Run `run()` for the token holder, then show the page again with the outcome."""

    def post(self, request, token):
        self.statement(token)
        try:
            self.run(token, request.POST.get("reason", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages), extra_tags="focus")
        return HttpResponseRedirect(my_statement_path(statement_for_token(token)))


class MyStatementWithdrawView(_ActionView):
    """Withdraw the statement (before the period ends)."""

    def run(self, token, reason):
        statement_withdraw(token=token, reason=reason)
        messages.success(
            self.request,
            _("Ihre Stellungnahme ist zurückgezogen. Sie wird nicht mehr veröffentlicht und nicht abgewogen."),
            extra_tags="focus",
        )


class MyStatementErasureView(_ActionView):
    """Ask for the deletion of personal data (Art. 17 DSGVO)."""

    def run(self, token, reason):
        request = statement_erasure_request(token=token, reason=reason)
        if request.outcome == request.Outcome.DONE:
            text = _("Ihr Name, Ihre E-Mail-Adresse und Ihre Anhänge sind gelöscht.")
        else:
            text = _(
                "Ihr Antrag ist vermerkt. Ihre Personendaten werden gelöscht, sobald das Verfahren sie nicht mehr "
                "benötigt."
            )
        messages.success(self.request, text, extra_tags="focus")


class MyStatementReceiptView(_PrivateLinkView):
    """The PDF receipt of a confirmed statement."""

    def get(self, request, token):
        statement = self.statement(token)
        if statement.confirmed_at is None:
            raise Http404
        response = HttpResponse(citizen_receipt_pdf(statement), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{receipt_filename(statement)}"'
        return response
