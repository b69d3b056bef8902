"""Admin base class that scopes every object to the user's municipalities."""

from django.contrib import admin

from . import rules
from .models import Municipality


class MunicipalityScopedAdmin(admin.ModelAdmin):
    """Show and allow changes only for objects of the user's own municipalities.

    Subclasses set `municipality_path`, the lookup from the model to its Municipality
    (e.g. "municipality" or "plan__municipality"), and may set `moderator_can_edit`.
    """

    municipality_path = "municipality"
    moderator_can_edit = False

    def municipality_of(self, obj):
        value = obj
        for part in self.municipality_path.split("__"):
            value = getattr(value, part)
        return value

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.municipality_path}__in": Municipality.objects.for_user(request.user)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Municipality and not request.user.is_superuser:
            kwargs["queryset"] = Municipality.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return rules.is_staff_anywhere(request.user)

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return rules.is_staff_anywhere(request.user)
        return rules.can_moderate(request.user, self.municipality_of(obj))

    def has_add_permission(self, request):
        return request.user.is_superuser or request.user.memberships.filter(role="planner").exists()

    def has_change_permission(self, request, obj=None):
        check = rules.can_moderate if self.moderator_can_edit else rules.can_manage
        if obj is None:
            return request.user.is_superuser or request.user.memberships.exists()
        return check(request.user, self.municipality_of(obj))

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return request.user.is_superuser or request.user.memberships.filter(role="planner").exists()
        return rules.can_manage(request.user, self.municipality_of(obj))
