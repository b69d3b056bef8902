from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from plans.admin_scoping import MunicipalityScopedAdmin

from . import services
from .forms import validate_template_body
from .models import Announcement, AnnouncementTemplate, ChannelAccount, Delivery, Subscription


class AnnouncementTemplateForm(forms.ModelForm):
    class Meta:
        model = AnnouncementTemplate
        fields = ["municipality", "event", "enabled", "reminder_days", "body"]

    def clean_body(self):
        body = self.cleaned_data["body"]
        validate_template_body(body)
        return body


@admin.register(AnnouncementTemplate)
class AnnouncementTemplateAdmin(MunicipalityScopedAdmin):
    form = AnnouncementTemplateForm
    list_display = ["municipality", "event", "enabled", "reminder_days"]
    list_filter = ["municipality", "event"]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        event = initial.get("event")
        if event in services.DEFAULT_TEMPLATES:
            initial.setdefault("body", services.DEFAULT_TEMPLATES[event])
        return initial


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ["channel", "status", "attempts", "next_attempt_at", "last_error", "remote_url", "sent_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Announcement)
class AnnouncementAdmin(MunicipalityScopedAdmin):
    list_display = ["title", "municipality", "event", "status", "published_at"]
    list_filter = ["municipality", "event", "status"]
    search_fields = ["title", "body"]
    readonly_fields = ["status", "published_at", "approved_by", "approved_at", "link"]
    raw_id_fields = ["plan", "consultation"]
    inlines = [DeliveryInline]
    actions = ["approve"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Announcement.Status.DRAFT:
            # Approved or discarded announcements are history: change them only through the services.
            return [f.name for f in Announcement._meta.fields]
        return super().get_readonly_fields(request, obj)

    @admin.action(description=_("Ausgewählte Entwürfe freigeben"))
    def approve(self, request, queryset):
        for announcement in queryset.filter(status=Announcement.Status.DRAFT):
            if not self.has_change_permission(request, announcement):
                continue
            try:
                services.announcement_approve(announcement=announcement, by=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)


class ChannelAccountAdminForm(forms.ModelForm):
    class Meta:
        model = ChannelAccount
        fields = ["municipality", "kind", "enabled", "api_base_url", "handle"]


@admin.register(ChannelAccount)
class ChannelAccountAdmin(MunicipalityScopedAdmin):
    """Credentials are entered on the staff page (write-only fields); the admin never shows them."""

    form = ChannelAccountAdminForm
    list_display = ["municipality", "kind", "enabled", "handle", "last_check_ok", "last_checked_at"]
    readonly_fields = ["last_checked_at", "last_check_ok", "last_check_message"]
    actions = ["test_connection"]

    @admin.action(description=_("Verbindung testen"))
    def test_connection(self, request, queryset):
        for account in queryset:
            ok, message = services.channel_account_test(account=account, by=request.user)
            self.message_user(request, f"{account}: {message}", messages.SUCCESS if ok else messages.ERROR)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "municipality", "radius_m", "confirmed_at", "created_at"]
    readonly_fields = ["token"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    has_view_permission = has_change_permission = has_delete_permission = lambda self, request, obj=None: (
        request.user.is_superuser
    )
