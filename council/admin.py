"""Read-only operators' views of the mirrored council information (OParl) and the links to plan stages.

Planners set the OParl address, synchronise and confirm links in the staff pages (`council.services`).
"""

from django.contrib import admin

from plans.admin_scoping import OperatorAdmin

from .models import AgendaItem, Meeting, OParlSource, Organization, Paper, StageLink


@admin.register(OParlSource)
class OParlSourceAdmin(OperatorAdmin):
    list_display = ["municipality", "system_url", "body_name", "last_sync_at", "last_error_at"]
    list_select_related = ["municipality"]


@admin.register(Organization)
class OrganizationAdmin(OperatorAdmin):
    list_display = ["name", "source", "deleted", "modified"]
    list_filter = ["deleted"]
    search_fields = ["name"]


@admin.register(Meeting)
class MeetingAdmin(OperatorAdmin):
    list_display = ["name", "start", "source", "deleted"]
    list_filter = ["deleted"]
    search_fields = ["name"]


@admin.register(Paper)
class PaperAdmin(OperatorAdmin):
    list_display = ["reference", "name", "date", "paper_type", "deleted"]
    list_filter = ["deleted"]
    search_fields = ["name", "reference"]


@admin.register(AgendaItem)
class AgendaItemAdmin(OperatorAdmin):
    list_display = ["number", "name", "meeting", "result", "public"]
    list_select_related = ["meeting"]
    search_fields = ["name"]


@admin.register(StageLink)
class StageLinkAdmin(OperatorAdmin):
    list_display = ["plan", "stage", "paper", "agenda_item", "status", "created_at"]
    list_filter = ["status", "stage"]
    list_select_related = ["plan", "paper", "agenda_item"]
