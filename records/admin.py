"""Read-only operators' views of the publication record (hash chain) and the availability checks.

Nothing here can change: the chain is appended by the publication services and `check_publication`;
`verify_publication_record` recomputes it.
"""

from django.contrib import admin

from plans.admin_scoping import OperatorAdmin

from .models import Check, Entry


@admin.register(Entry)
class EntryAdmin(OperatorAdmin):
    list_display = ["chain", "seq", "at", "kind", "summary", "entry_hash"]
    list_filter = ["kind"]
    search_fields = ["summary", "entry_hash", "document_sha256"]
    ordering = ["chain", "seq"]


@admin.register(Check)
class CheckAdmin(OperatorAdmin):
    list_display = ["at", "plan", "url", "ok", "status_code", "content_matches", "duration_ms"]
    list_filter = ["ok", "content_matches"]
    list_select_related = ["plan"]
