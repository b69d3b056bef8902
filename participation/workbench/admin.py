"""Read-only admin views of the workbench's records (export log, result notices), scoped per municipality."""

from django.contrib import admin

from plans import rules
from plans.admin_scoping import MunicipalityScopedAdmin

from .models import PersonalDataExportLog, ResultNotification


class ReadOnlyScopedAdmin(MunicipalityScopedAdmin):
    """Records written by services only: nobody adds, edits or deletes them in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PersonalDataExportLog)
class PersonalDataExportLogAdmin(ReadOnlyScopedAdmin):
    municipality_path = "consultation__plan__municipality"
    list_display = ["at", "user", "via", "format", "rows", "consultation"]
    list_filter = ["via", "format"]
    list_select_related = ["user", "consultation__plan"]

    def get_queryset(self, request):
        # Planning-office staff only: moderators do not see who exported personal data.
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            consultation__plan__municipality__memberships__user=request.user,
            consultation__plan__municipality__memberships__role="planner",
        )

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return rules.is_staff_anywhere(request.user)
        return rules.can_manage(request.user, self.municipality_of(obj))


@admin.register(ResultNotification)
class ResultNotificationAdmin(ReadOnlyScopedAdmin):
    municipality_path = "statement__consultation__plan__municipality"
    list_display = ["statement_id", "status", "decision", "queued_at", "sent_at"]
    list_filter = ["status"]
    readonly_fields = ["statement", "email_sha256", "status", "decision", "queued_at", "sent_at", "error"]
    raw_id_fields = ["statement"]
