"""Operators' admin: message templates and channel settings are configuration; announcements change via services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from plans.admin_scoping import OperatorAdmin, OperatorInline

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
class AnnouncementTemplateAdmin(OperatorAdmin):
    editable = True
    form = AnnouncementTemplateForm
    list_display = ["municipality", "event", "enabled", "reminder_days"]
    list_filter = ["municipality", "event"]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        event = initial.get("event")
        if event in services.DEFAULT_TEMPLATES:
            initial.setdefault("body", services.DEFAULT_TEMPLATES[event])
        return initial


class DeliveryInline(OperatorInline):
    model = Delivery
    fields = ["channel", "status", "attempts", "next_attempt_at", "last_error", "remote_url", "sent_at"]
    readonly_fields = fields  # type: ignore[assignment]  # django-stubs: list[_FieldGroup] vs list[str]


@admin.register(Announcement)
class AnnouncementAdmin(OperatorAdmin):
    """Read-only; drafts are edited on the staff pages. The approve action calls the service."""

    list_display = ["title", "municipality", "event", "status", "published_at"]
    list_filter = ["municipality", "event", "status"]
    list_select_related = ["municipality"]
    search_fields = ["title", "body"]
    inlines = [DeliveryInline]
    actions = ["approve"]

    @admin.action(description=_("Ausgewählte Entwürfe freigeben"))
    def approve(self, request, queryset):
        for announcement in queryset.filter(status=Announcement.Status.DRAFT):
            try:
                services.announcement_approve(announcement=announcement, by=request.user)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)


class ChannelAccountAdminForm(forms.ModelForm):
    class Meta:
        model = ChannelAccount
        fields = ["municipality", "kind", "enabled", "api_base_url", "handle"]
        help_texts = {
            "handle": _("X: @stadt_usingen · Mastodon: @stadt@mastodon.example · Bluesky: usingen.bsky.social"),
            "api_base_url": _("Nur für Mastodon (Instanz) und Bluesky (PDS; leer für https://bsky.social)."),
        }


@admin.register(ChannelAccount)
class ChannelAccountAdmin(OperatorAdmin):
    """Credentials are entered on the staff page (write-only fields); the admin never shows them."""

    editable = True
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
class SubscriptionAdmin(OperatorAdmin):
    """Read-only; operators may delete a subscription (through the service) on request of its owner."""

    list_display = ["email", "municipality", "radius_m", "confirmed_at", "created_at"]
    exclude = ["token"]

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def delete_model(self, request, obj):
        services.subscription_delete(subscription=obj)

    def delete_queryset(self, request, queryset):
        for subscription in queryset:
            services.subscription_delete(subscription=subscription)
