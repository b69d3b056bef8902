"""Operators' admin for consultations and statements: creation and actions go through the services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from plans import rules
from plans.admin_scoping import OperatorAdmin, OperatorInline

from . import services
from .models import CitizenRequest, Consultation, ConsultationAction, ModerationAction, Statement

# Service error keys that are not named like the admin form's fields.
FIELD_FOR_ERROR = {"reason": "short_period_reason"}


class ConsultationAddForm(forms.ModelForm):
    """Creates the consultation through `consultation_create`; a refusal is shown and nothing is saved."""

    actor = None  # set by ConsultationAdmin.get_form

    class Meta:
        model = Consultation
        fields = [
            "plan",
            "kind",
            "round",
            "title",
            "start_date",
            "end_date",
            "short_period_reason",
            "access_routes",
            "contact",
            "moderation",
        ]

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        data = self.cleaned_data
        try:
            self.instance = services.consultation_create(
                plan=data["plan"],
                by=self.actor,
                kind=data["kind"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                round=data["round"],
                title=data.get("title", ""),
                reason=data.get("short_period_reason", ""),
                moderation=data["moderation"],
                access_routes=data.get("access_routes", ""),
                contact=data.get("contact", ""),
            )
        except ValidationError as error:
            self._add_service_error(error)

    def _add_service_error(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, errors in error.error_dict.items():
            field = FIELD_FOR_ERROR.get(key, key)
            self.add_error(field if field in self.fields else None, errors)


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Begründung für das vorzeitige Ende"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Wird in der Verfahrenshistorie gespeichert."),
    )
    confirm_legal_risk = forms.BooleanField(
        label=_(
            "Mir ist bewusst, dass das vorzeitige Ende einer Veröffentlichung nach § 3 Abs. 2 oder § 4a Abs. 3 BauGB "
            "den Plan fehlerhaft machen kann (§ 214 Abs. 1 Nr. 2 BauGB)."
        ),
        required=False,
    )


class ConsultationActionInline(OperatorInline):
    model = ConsultationAction
    fields = ("at", "kind", "by", "start_date", "end_date", "closed_at", "reason")
    readonly_fields = fields


@admin.register(Consultation)
class ConsultationAdmin(OperatorAdmin):
    """Operators may add a consultation (scheduled through the service) and close one with a reason."""

    list_display = ("plan", "kind", "round", "start_date", "end_date", "closed_at", "moderation")
    list_filter = ("kind", "moderation")
    list_select_related = ("plan",)
    inlines = [ConsultationActionInline]
    actions = ["close_now"]
    autocomplete_fields = ["plan"]

    def has_add_permission(self, request):
        return rules.can_operate(request.user)

    def get_inlines(self, request, obj):
        # No formsets on the add page: the form itself saves (through the service) once it is valid.
        return self.inlines if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = type("BoundConsultationAddForm", (ConsultationAddForm,), {"actor": request.user})
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        """Nothing to do: ConsultationAddForm saved the consultation through consultation_create."""

    @admin.action(description=_("Ausgewählte Beteiligungen jetzt beenden …"))
    def close_now(self, request, queryset):
        form = CloseForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for consultation in queryset:
                try:
                    services.consultation_close(
                        consultation=consultation,
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                        confirm_legal_risk=form.cleaned_data["confirm_legal_risk"],
                    )
                except (ValidationError, PermissionDenied) as error:
                    self.message_user(request, f"{consultation}: {' '.join(error.messages)}", messages.ERROR)
                else:
                    self.message_user(request, _("%(name)s beendet.") % {"name": consultation}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Beteiligungen vorzeitig beenden"),
            "opts": self.model._meta,
            "form": form,
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/participation/consultation/close_now.html", context)


class ModerationActionInline(OperatorInline):
    model = ModerationAction
    fields = ("at", "kind", "by", "reason")
    readonly_fields = fields


class CitizenRequestInline(OperatorInline):
    model = CitizenRequest
    fields = ("at", "kind", "outcome", "reason")
    readonly_fields = fields


@admin.register(Statement)
class StatementAdmin(OperatorAdmin):
    """Read-only for operators; moderation happens on the staff pages (or with the logged approve action)."""

    list_display = (
        "pk",
        "consultation",
        "pseudonym",
        "topic",
        "channel",
        "submit_date",
        "confirmed_at",
        "public_opt_in",
        "is_public",
        "is_removed",
        "flag_count",
    )
    list_filter = ("channel", "topic", "public_opt_in", "is_public", "is_removed")
    list_select_related = ("consultation__plan",)
    search_fields = ("comment",)
    fields = (
        "consultation",
        "comment",
        "topic",
        "channel",
        "received_on",
        "submit_date",
        "confirmed_at",
        "user_name",
        "user_email",
        "privacy_consent",
        "public_opt_in",
        "is_public",
        "is_removed",
        "is_official",
        "flag_count",
        "withdrawn_at",
        "erasure_requested_at",
        "personal_data_purged_at",
    )
    readonly_fields = fields
    inlines = [ModerationActionInline, CitizenRequestInline]
    actions = ["approve"]

    @admin.action(description=_("Ausgewählte Stellungnahmen freigeben"))
    def approve(self, request, queryset):
        for statement in queryset:
            try:
                services.statement_moderate(statement=statement, by=request.user, action="approve")
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, f"{statement.pk}: {' '.join(error.messages)}", messages.ERROR)
