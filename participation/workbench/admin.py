"""Read-only operators' views of the workbench's records (export jobs and log, result notices)."""

from django.contrib import admin

from plans.admin_scoping import OperatorAdmin

from .models import ExportJob, PersonalDataExportLog, ResultNotification


@admin.register(PersonalDataExportLog)
class PersonalDataExportLogAdmin(OperatorAdmin):
    list_display = ["at", "user", "via", "format", "rows", "consultation"]
    list_filter = ["via", "format"]
    list_select_related = ["user", "consultation__plan"]


@admin.register(ResultNotification)
class ResultNotificationAdmin(OperatorAdmin):
    list_display = ["statement_id", "channel", "status", "decision", "queued_at", "sent_at"]
    list_filter = ["channel", "status"]
    exclude = ["email_sha256"]


@admin.register(ExportJob)
class ExportJobAdmin(OperatorAdmin):
    list_display = ["created_at", "created_by", "format", "personal", "status", "rows", "expires_at", "consultation"]
    list_filter = ["status", "format", "personal"]
    list_select_related = ["created_by", "consultation__plan"]
