from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdminMixin

from .admin_scoping import MunicipalityScopedAdmin
from .models import Document, Membership, Municipality, Plan, StageChange


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Municipality)
class MunicipalityAdmin(LeafletGeoAdminMixin, MunicipalityScopedAdmin):
    municipality_path = "pk"
    list_display = ["name", "ags", "slug", "crs_epsg"]
    search_fields = ["name", "ags"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def municipality_of(self, obj):
        return obj

    def get_queryset(self, request):
        return Municipality.objects.for_user(request.user)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_inlines(self, request, obj):
        return self.inlines if request.user.is_superuser else []


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    fields = ["date", "stage", "note"]


class DocumentInline(admin.TabularInline):
    model = Document
    extra = 0
    fields = ["title", "kind", "file", "order", "online_since"]


@admin.register(Plan)
class PlanAdmin(LeafletGeoAdminMixin, MunicipalityScopedAdmin):
    list_display = ["title", "number", "municipality", "kind", "stage", "status", "published_at"]
    list_filter = ["municipality", "kind", "stage", "status"]
    search_fields = ["title", "number", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [StageChangeInline, DocumentInline]
    fieldsets = [
        (None, {"fields": ["municipality", "kind", "number", "title", "slug", "summary", "description"]}),
        (_("Geltungsbereich"), {"fields": ["area"]}),
        (_("Verfahren und Veröffentlichung"), {"fields": ["stage", "status", "published_at"]}),
    ]

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, StageChange) and instance.created_by_id is None:
                instance.created_by = request.user
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Document)
class DocumentAdmin(MunicipalityScopedAdmin):
    municipality_path = "plan__municipality"
    list_display = ["title", "plan", "kind", "size", "online_since"]
    list_filter = ["kind"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "plan" and not request.user.is_superuser:
            kwargs["queryset"] = Plan.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
