"""Operators' admin for municipalities and memberships; plans and documents are read-only here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdminMixin

from .admin_scoping import OperatorAdmin, OperatorInline
from .models import Document, Membership, Municipality, Plan, StageChange


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["source"]  # roles granted here are "local"; SSO logins set their own


@admin.register(Municipality)
class MunicipalityAdmin(LeafletGeoAdminMixin, OperatorAdmin):
    """Operators create municipalities, set their legal texts and MFA flag, and assign staff roles."""

    editable = True
    list_display = ["name", "ags", "slug", "crs_epsg", "mfa_required", "password_login"]
    search_fields = ["name", "ags"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(OperatorAdmin):
    editable = True
    list_display = ["user", "municipality", "role", "source"]
    list_filter = ["municipality", "role", "source"]
    readonly_fields = ["source"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]


class StageChangeInline(OperatorInline):
    model = StageChange
    fields = ["date", "stage", "note", "created_by"]
    readonly_fields = fields  # type: ignore[assignment]  # django-stubs: list[_FieldGroup] vs list[str]


class DocumentInline(OperatorInline):
    model = Document
    fields = ["title", "kind", "file", "order", "online_since"]
    readonly_fields = fields  # type: ignore[assignment]  # django-stubs: list[_FieldGroup] vs list[str]


@admin.register(Plan)
class PlanAdmin(LeafletGeoAdminMixin, OperatorAdmin):
    """Read-only: planning offices edit plans on the staff pages."""

    list_display = ["title", "number", "municipality", "kind", "stage", "status", "published_at"]
    list_filter = ["municipality", "kind", "stage", "status"]
    search_fields = ["title", "number", "summary"]
    inlines = [StageChangeInline, DocumentInline]
    fieldsets = [
        (None, {"fields": ["municipality", "kind", "number", "title", "slug", "summary", "description"]}),
        (_("Geltungsbereich"), {"fields": ["area"]}),
        (_("Verfahren und Veröffentlichung"), {"fields": ["stage", "status", "published_at"]}),
    ]


@admin.register(Document)
class DocumentAdmin(OperatorAdmin):
    """Read-only: documents are uploaded and replaced on the staff pages (with version history)."""

    list_display = ["title", "plan", "kind", "size", "online_since"]
    list_filter = ["kind"]
    list_select_related = ["plan"]
