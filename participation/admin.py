from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from plans.admin_scoping import MunicipalityScopedAdmin

from . import services
from .models import Consultation, ConsultationAction, ModerationAction, Statement


class ConsultationActionInline(admin.TabularInline):
    model = ConsultationAction
    extra = 0
    can_delete = False
    fields = ("at", "kind", "by", "start_date", "end_date", "closed_at", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Consultation)
class ConsultationAdmin(MunicipalityScopedAdmin):
    municipality_path = "plan__municipality"
    list_display = ("plan", "kind", "round", "start_date", "end_date", "closed_at", "moderation")
    list_filter = ("kind", "moderation")
    readonly_fields = ("closed_at",)
    inlines = [ConsultationActionInline]
    actions = ["close_now"]

    def get_readonly_fields(self, request, obj=None):
        # Once created, period dates change only through the logged services (staff UI or commands).
        if obj is not None and obj.pk:
            return ("start_date", "end_date", "closed_at", "short_period_reason")
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        start, end = obj.start_date, obj.end_date
        super().save_model(request, obj, form, change)
        try:
            services.consultation_schedule(
                consultation=obj, by=request.user, start_date=start, end_date=end, reason=obj.short_period_reason
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.WARNING)

    @admin.action(description=_("Ausgewählte Beteiligungen jetzt beenden"))
    def close_now(self, request, queryset):
        for consultation in queryset:
            try:
                services.consultation_close(
                    consultation=consultation, by=request.user, reason=str(_("Über die Verwaltung beendet"))
                )
            except ValidationError as error:
                self.message_user(request, f"{consultation}: {' '.join(error.messages)}", messages.WARNING)


class ModerationActionInline(admin.TabularInline):
    model = ModerationAction
    extra = 0
    can_delete = False
    fields = ("at", "kind", "by", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Statement)
class StatementAdmin(MunicipalityScopedAdmin):
    municipality_path = "consultation__plan__municipality"
    moderator_can_edit = True
    list_display = (
        "pk",
        "consultation",
        "pseudonym",
        "topic",
        "channel",
        "submit_date",
        "confirmed_at",
        "is_public",
        "is_removed",
        "flag_count",
    )
    list_filter = ("channel", "topic", "is_public", "is_removed")
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
        "is_public",
        "is_removed",
        "is_official",
        "flag_count",
    )
    readonly_fields = fields
    inlines = [ModerationActionInline]
    actions = ["approve"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Ausgewählte Stellungnahmen freigeben"))
    def approve(self, request, queryset):
        for statement in queryset:
            try:
                services.statement_moderate(statement=statement, by=request.user, action="approve")
            except ValidationError as error:
                self.message_user(request, f"{statement.pk}: {' '.join(error.messages)}", messages.WARNING)
