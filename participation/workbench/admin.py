"""Read-only operators' views of the workbench's records (export log, result notices)."""

from django.contrib import admin

from plans.admin_scoping import OperatorAdmin

from .models import PersonalDataExportLog, ResultNotification


@admin.register(PersonalDataExportLog)
class PersonalDataExportLogAdmin(OperatorAdmin):
    list_display = ["at", "user", "via", "format", "rows", "consultation"]
    list_filter = ["via", "format"]
    list_select_related = ["user", "consultation__plan"]


@admin.register(ResultNotification)
class ResultNotificationAdmin(OperatorAdmin):
    list_display = ["statement_id", "status", "decision", "queued_at", "sent_at"]
    list_filter = ["status"]
    exclude = ["email_sha256"]
