"""Read-only operators' views of the workbench's records (export jobs and log, result notices, assignments and
external reviewers). Changes go through the staff pages and their services."""

from django.contrib import admin

from plans.admin_scoping import OperatorAdmin

from .models import Assignment, ExportJob, ExternalReviewer, PersonalDataExportLog, ResultNotification


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


@admin.register(ExternalReviewer)
class ExternalReviewerAdmin(OperatorAdmin):
    list_display = ["user", "organisation", "municipality", "active", "created_at"]
    list_filter = ["active", "municipality"]
    list_select_related = ["user", "municipality"]
    search_fields = ["user__email", "organisation"]


@admin.register(Assignment)
class AssignmentAdmin(OperatorAdmin):
    list_display = ["weighing", "segment", "assignee", "due_date", "done_at", "created_at"]
    list_filter = ["due_date", "done_at"]
    list_select_related = ["weighing", "segment", "assignee"]
    exclude = ["note"]  # may quote the statement; operators need who, what and when
