"""Base class for the operators' admin: superusers only, procedure data read-only by default.

Municipal staff work in the staff pages under /verwaltung/; the admin site itself admits only
operators (see accounts.admin_site). Procedure records (plans, consultations, statements,
announcements ...) change only through the services, so their admin pages show them read-only
and offer service-backed actions; a subclass sets `editable = True` for the installation's own
configuration (municipalities, memberships).
"""

from django.contrib import admin

from . import rules


class OperatorAdmin(admin.ModelAdmin):
    """Admin for operators; read-only unless `editable`."""

    editable = False

    def has_module_permission(self, request):
        return rules.can_operate(request.user)

    def has_view_permission(self, request, obj=None):
        return rules.can_operate(request.user)

    def has_add_permission(self, request):
        return self.editable and rules.can_operate(request.user)

    def has_change_permission(self, request, obj=None):
        return self.editable and rules.can_operate(request.user)

    def has_delete_permission(self, request, obj=None):
        return self.editable and rules.can_operate(request.user)


class OperatorInline(admin.TabularInline):
    """Read-only inline for operators' admin pages."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
