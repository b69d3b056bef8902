"""Staff pages under /verwaltung/: a municipality's authority address book and the § 4 rounds."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from participation.models import Consultation
from participation.staff_views import ConsultationMixin
from plans import rules
from plans.models import Municipality
from plans.staff import MunicipalityPermissionMixin

from . import csv_io, selectors, services
from .forms import AddressBookImportForm, AreaFilterForm, AuthorityForm, ExtendForm, InviteForm
from .models import Authority, Invitation, SubjectArea


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(("\ufeff" + text).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Address book -----------------------------------------------------------------------------


class AddressBookMixin(MunicipalityPermissionMixin):
    permission = "manage"

    def get_municipality(self):
        return get_object_or_404(Municipality, slug=self.kwargs["municipality"])

    def list_url(self) -> str:
        return reverse("authorities:staff_list", kwargs={"municipality": self.municipality.slug})


class AddressBookView(AddressBookMixin, TemplateView):
    """The address book, filterable by subject area."""

    template_name = "authorities/staff/address_book.html"

    def get_context_data(self, **kwargs):
        form = AreaFilterForm(self.request.GET or None)
        area = form.cleaned_data["area"] if form.is_valid() else ""
        return super().get_context_data(
            filter_form=form, authorities=selectors.address_book(self.municipality, area=area), area=area, **kwargs
        )


class AuthorityCreateView(AddressBookMixin, FormView):
    """Add an authority to the address book."""

    template_name = "authorities/staff/authority_form.html"
    form_class = AuthorityForm

    def form_valid(self, form):
        try:
            authority = services.authority_create(
                municipality=self.municipality, by=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(authority)s ist im Adressbuch gespeichert.") % {"authority": authority})
        return HttpResponseRedirect(self.list_url())


class AuthorityEditView(AddressBookMixin, FormView):
    """Edit (or deactivate) an address book entry."""

    template_name = "authorities/staff/authority_form.html"
    form_class = AuthorityForm

    def get_municipality(self):
        self.authority = get_object_or_404(Authority.objects.select_related("municipality"), pk=self.kwargs["pk"])
        return self.authority.municipality

    def get_initial(self):
        a = self.authority
        return {
            "organisation": a.organisation,
            "department": a.department,
            "emails": "\n".join(a.emails),
            "subject_areas": a.subject_areas,
            "active": a.active,
            "notes": a.notes,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(authority=self.authority, **kwargs)

    def form_valid(self, form):
        try:
            services.authority_update(authority=self.authority, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(authority)s ist gespeichert.") % {"authority": self.authority})
        return HttpResponseRedirect(self.list_url())


class AuthorityDeleteView(AddressBookMixin, View):
    """POST: delete an entry that was never invited."""

    http_method_names = ["post"]

    def get_municipality(self):
        self.authority = get_object_or_404(Authority.objects.select_related("municipality"), pk=self.kwargs["pk"])
        return self.authority.municipality

    def post(self, request, *args, **kwargs):
        name = str(self.authority)
        try:
            services.authority_delete(authority=self.authority, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(authority)s ist gelöscht.") % {"authority": name})
        return HttpResponseRedirect(self.list_url())


class AddressBookImportView(AddressBookMixin, FormView):
    """Import a CSV: all rows or none; the result counts created, updated and unchanged entries."""

    template_name = "authorities/staff/import.html"
    form_class = AddressBookImportForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(subject_areas=SubjectArea.choices, **kwargs)

    def form_valid(self, form):
        try:
            result = services.address_book_import(
                municipality=self.municipality, data=form.cleaned_data["file"].read(), by=self.request.user
            )
        except ValidationError as error:
            form.add_error("file", error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Import abgeschlossen: %(created)s neu, %(updated)s geändert, %(unchanged)s unverändert.")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
        )
        return HttpResponseRedirect(self.list_url())


class AddressBookExportView(AddressBookMixin, View):
    """Download the address book as CSV (the import layout)."""

    def get(self, request, *args, **kwargs):
        authorities = Authority.objects.filter(municipality=self.municipality)
        return _csv_response(csv_io.write_address_book(authorities), f"behoerden-{self.municipality.slug}.csv")


# --- § 4 rounds -------------------------------------------------------------------------------


class RoundMixin(ConsultationMixin):
    """A page of an authorities consultation; other consultations go back to their detail page."""

    def get(self, request, *args, **kwargs):
        if self.get_consultation().kind != Consultation.Kind.AUTHORITIES:
            messages.error(request, _("Behörden werden nur zu einer Beteiligung der Behörden (§ 4 BauGB) eingeladen."))
            return HttpResponseRedirect(self.detail_url())
        return super().get(request, *args, **kwargs)

    def round_url(self) -> str:
        return reverse("authorities:staff_round", kwargs={"pk": self.get_consultation().pk})


class RoundBoardView(RoundMixin, TemplateView):
    """Status board: per authority invited, opened, answered, "keine Bedenken", overdue, revoked."""

    template_name = "authorities/staff/round.html"
    permission = "moderate"

    def get_context_data(self, **kwargs):
        consultation = self.get_consultation()
        rows, counts = selectors.round_board(consultation)
        return super().get_context_data(
            consultation=consultation,
            rows=rows,
            counts=counts,
            can_manage=rules.can_manage(self.request.user, self.municipality),
            today=timezone.localdate(),
            **kwargs,
        )


class RoundBoardCsvView(RoundMixin, View):
    """Download the status board as CSV."""

    permission = "moderate"

    def get(self, request, *args, **kwargs):
        consultation = self.get_consultation()
        if consultation.kind != Consultation.Kind.AUTHORITIES:
            return HttpResponseRedirect(self.detail_url())
        rows, _counts = selectors.round_board(consultation)
        return _csv_response(csv_io.write_board(rows), f"behoerdenbeteiligung-{consultation.pk}.csv")


class RoundInviteView(RoundMixin, FormView):
    """Choose authorities by subject area or individually and send the invitations."""

    template_name = "authorities/staff/invite.html"
    form_class = InviteForm
    permission = "manage"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "authorities": selectors.invitable_authorities(self.get_consultation())}

    def get_initial(self):
        return {"deadline": self.get_consultation().end_date}

    def get_context_data(self, **kwargs):
        return super().get_context_data(consultation=self.get_consultation(), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            invited = services.invitations_send(
                consultation=self.get_consultation(),
                by=self.request.user,
                authorities=list(data["authorities"]),
                subject_areas=data["subject_areas"],
                deadline=data["deadline"],
                reason=data["reason"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
            return self.form_invalid(form)
        if invited:
            messages.success(self.request, _("Eingeladene Behörden: %(count)s.") % {"count": len(invited)})
        else:
            messages.info(self.request, _("Alle ausgewählten Behörden waren bereits eingeladen."))
        return HttpResponseRedirect(self.round_url())


class InvitationMixin(MunicipalityPermissionMixin):
    permission = "manage"

    def get_municipality(self):
        self.invitation = get_object_or_404(
            Invitation.objects.select_related("authority", "consultation__plan__municipality"), pk=self.kwargs["pk"]
        )
        return self.invitation.consultation.plan.municipality

    def round_url(self) -> str:
        return reverse("authorities:staff_round", kwargs={"pk": self.invitation.consultation_id})


class InvitationRevokeView(InvitationMixin, View):
    """POST: revoke the authority's access link."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            services.invitation_revoke(invitation=self.invitation, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Der Zugang von %(authority)s ist widerrufen.") % {"authority": self.invitation.authority}
            )
        return HttpResponseRedirect(self.round_url())


class InvitationResendView(InvitationMixin, View):
    """POST: send a new access link (the old one stops working)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        services.invitation_resend(invitation=self.invitation, by=request.user)
        messages.success(
            request, _("%(authority)s erhält einen neuen Zugangslink.") % {"authority": self.invitation.authority}
        )
        return HttpResponseRedirect(self.round_url())


class InvitationExtendView(InvitationMixin, FormView):
    """Extend one authority's deadline with a reason; the authority is told by mail."""

    template_name = "authorities/staff/extend.html"
    form_class = ExtendForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(invitation=self.invitation, consultation=self.invitation.consultation, **kwargs)

    def form_valid(self, form):
        try:
            services.invitation_extend(invitation=self.invitation, by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Die Frist von %(authority)s ist bis %(deadline)s verlängert; die Behörde wird benachrichtigt.")
            % {"authority": self.invitation.authority, "deadline": f"{self.invitation.deadline:%d.%m.%Y}"},
        )
        return HttpResponseRedirect(self.round_url())
