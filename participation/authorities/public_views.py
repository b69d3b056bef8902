"""The pages behind an authority's access link: plan documents, map, statements, receipt. Thin views over services.

The token in the address is the credential, so these pages are never indexed, never stored by caches
and never send their address to another site (`_private`).
"""

import uuid

from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from participation.models import Statement
from participation.periods import local_date
from participation.private_links import REFERRER_POLICY  # noqa: F401  (re-exported for callers and tests)
from participation.private_links import mark_private as _private
from plans.client import client_address

from . import submissions
from .public_forms import AuthorityStatementForm, NoObjectionsForm
from .receipt import receipt_filename, receipt_pdf, receipt_rows, reference_number

_INVALID = gettext_lazy(
    "Dieser Zugangslink ist ungültig. Bitte prüfen Sie, ob Sie ihn vollständig aus der E-Mail übernommen haben."
)
# A link on another municipality's domain gets the same answer as a wrong one: nothing about the invitation shows.
REFUSALS = {
    "invalid": _INVALID,
    "foreign_domain": _INVALID,
    "revoked": gettext_lazy(
        "Dieser Zugangslink gilt nicht mehr. Wenn Ihnen die Gemeinde einen neuen Link geschickt hat, "
        "verwenden Sie bitte diesen; sonst wenden Sie sich an die Gemeinde."
    ),
    "unpublished": gettext_lazy(
        "Die Unterlagen zu diesem Verfahren sind derzeit nicht online. Bitte wenden Sie sich an die Gemeinde."
    ),
}


class _AccessLinkView(View):
    """Resolve the token first; a refused link gets the same neutral page on every path."""

    def dispatch(self, request, *args, **kwargs):
        try:
            response = super().dispatch(request, *args, **kwargs)
        except submissions.AccessRefused as refused:
            response = render(
                request,
                "authorities/public/refused.html",
                {"message": str(REFUSALS[refused.code])},
                status=refused.status,
            )
        return _private(response)

    def invitation(self, token):
        return submissions.invitation_for_token(token, municipality=getattr(self.request, "municipality", None))


class AccessView(_AccessLinkView):
    """The authority's page: plan documents and map, its statements so far, the statement and "keine Bedenken" forms.

    POST with `action=statement` submits a statement, `action=no_objections` the one-click answer; both
    redirect to the receipt (PRG).
    """

    template_name = "authorities/public/access.html"

    def get(self, request, token):
        invitation = submissions.invitation_open(token=token, municipality=getattr(request, "municipality", None))
        return self._page(invitation, token)

    def post(self, request, token):
        invitation = self.invitation(token)
        no_objections = request.POST.get("action") == "no_objections"
        if no_objections:
            form = NoObjectionsForm(request.POST, invitation=invitation)
        else:
            form = AuthorityStatementForm(request.POST, request.FILES, invitation=invitation)
        if not form.is_valid():
            return self._page(invitation, token, form=form, status=400)
        data = form.cleaned_data
        try:
            statement = submissions.authority_statement_submit(
                token=token,
                municipality=getattr(request, "municipality", None),
                clerk_name=data["clerk_name"],
                email=data["email"],
                file_reference=data["file_reference"],
                text=data.get("comment", ""),
                topic=data.get("topic") or Statement.Topic.OTHER,
                location=data.get("location"),
                drawn_area=data.get("drawn_area"),
                drawn_line=data.get("drawn_line"),
                feature=data.get("feature"),
                section=data.get("section"),
                no_objections=no_objections,
                form_token=data["form_token"],
                attachments=data.get("attachments") or None,
                ip_address=client_address(request),
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "form_token_used":
                form = self._with_fresh_token(form)
            _add_errors(form, error)
            return self._page(invitation, token, form=form, status=400)
        return HttpResponseRedirect(reverse("authorities:receipt", args=[token, statement.pk]))

    def _with_fresh_token(self, form):
        """Return the form again with a new form token, so that sending it once more is possible."""
        data = form.data.copy()
        data[form.add_prefix("form_token")] = str(uuid.uuid4())
        again = type(form)(data, form.files, invitation=form.invitation)
        again.is_valid()
        return again

    def _page(self, invitation, token, *, form=None, status=200):
        consultation = invitation.consultation
        plan = consultation.plan
        statement_form = (
            form if isinstance(form, AuthorityStatementForm) else AuthorityStatementForm(invitation=invitation)
        )
        no_objections_form = form if isinstance(form, NoObjectionsForm) else NoObjectionsForm(invitation=invitation)
        statements = list(
            invitation.statements.filter(confirmed_at__isnull=False)
            .select_related("consultation", "invitation")
            .prefetch_related("attachments")
            .order_by("submit_date", "pk")
        )
        for statement in statements:
            statement.reference = reference_number(statement)
        context = {
            "token": token,
            "invitation": invitation,
            "authority": invitation.authority,
            "consultation": consultation,
            "plan": plan,
            "municipality": plan.municipality,
            "documents": plan.documents.current(),
            "statements": statements,
            "form": statement_form,
            "no_objections_form": no_objections_form,
            "no_objections_text": submissions.NO_OBJECTIONS_TEXT,
            "deadline": deadline_status(invitation),
            "map_config": {"area": plan.area.json, "plan_id": plan.pk},
        }
        return render(self.request, self.template_name, context, status=status)


class ReceiptView(_AccessLinkView):
    """The receipt of one statement of this invitation (after the redirect, and from the list)."""

    template_name = "authorities/public/receipt.html"

    def get(self, request, token, pk):
        statement = _statement(self.invitation(token), pk)
        context = {
            "token": token,
            "statement": statement,
            "reference": reference_number(statement),
            "rows": receipt_rows(statement),
            "attachments": list(statement.attachments.all()),
            "plan": statement.consultation.plan,
            "municipality": statement.consultation.plan.municipality,
        }
        return render(request, self.template_name, context)


class ReceiptPdfView(_AccessLinkView):
    """The receipt as a PDF download ("Eingangsbestätigung als PDF")."""

    def get(self, request, token, pk):
        statement = _statement(self.invitation(token), pk)
        response = HttpResponse(receipt_pdf(statement), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{receipt_filename(statement)}"'
        return response


def _statement(invitation, pk) -> Statement:
    return get_object_or_404(
        Statement.objects.filter(invitation=invitation, confirmed_at__isnull=False).select_related(
            "consultation__plan__municipality", "invitation", "feature__layer"
        ),
        pk=pk,
    )


def _add_errors(form, error: ValidationError) -> None:
    """Put a service's errors on the form: on their field where the form has it, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def deadline_status(invitation, now=None) -> dict:
    """Return the deadline line for the page: text and whether the deadline has passed (late answers are flagged)."""
    now = now or timezone.now()
    date = formats.date_format(invitation.deadline, "d.m.Y")
    if now >= submissions.deadline_end(invitation):
        return {
            "overdue": True,
            "text": _("Die Frist ist am %(date)s, 24:00 Uhr, abgelaufen.") % {"date": date},
            "hint": _(
                "Sie können trotzdem noch Stellungnahmen abgeben. Sie werden mit dem Zeitpunkt des Eingangs "
                "gestempelt und als verspätet gekennzeichnet."
            ),
        }
    days = (invitation.deadline - local_date(now)).days
    remaining = (
        _("heute ist der letzte Tag")
        if days == 0
        else ngettext("noch %(days)d Tag", "noch %(days)d Tage", days) % {"days": days}
    )
    return {
        "overdue": False,
        "text": _("Frist für Ihre Stellungnahme: bis %(date)s, 24:00 Uhr (%(remaining)s).")
        % {"date": date, "remaining": remaining},
        "hint": "",
    }
