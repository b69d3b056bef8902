"""Staff pages for announcements and channels; public subscription pages and the plan preview image."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, ListView, TemplateView, UpdateView

from plans import rules
from plans.models import Municipality, Plan
from plans.staff import MunicipalityPermissionMixin

from . import services
from .forms import AnnouncementForm, ChannelAccountForm, SubscriptionForm
from .models import Announcement, ChannelAccount, ChannelKind, Delivery, Subscription
from .preview import render_plan_preview
from .text import fit

# --- Staff ----------------------------------------------------------------------------------


class AnnouncementListView(LoginRequiredMixin, ListView):
    """All announcements of the municipalities the user plans for."""

    template_name = "announcements/staff/list.html"
    context_object_name = "announcements"
    paginate_by = 50

    def get_queryset(self):
        managed = [
            m for m in Municipality.objects.for_user(self.request.user) if rules.can_manage(self.request.user, m)
        ]
        self.managed = managed
        queryset = Announcement.objects.filter(municipality__in=managed).select_related("plan", "municipality")
        status = self.request.GET.get("status")
        if status in Announcement.Status.values:
            queryset = queryset.filter(status=status)
        return queryset.prefetch_related("deliveries")

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if not self.managed:
            raise Http404
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            managed=self.managed,
            statuses=Announcement.Status.choices,
            selected_status=self.request.GET.get("status", ""),
        )
        return context


class AnnouncementObjectMixin(MunicipalityPermissionMixin):
    def get_object(self, queryset=None):
        return self.announcement

    def get_municipality(self):
        self.announcement = get_object_or_404(
            Announcement.objects.select_related("plan", "municipality", "consultation"), pk=self.kwargs["pk"]
        )
        return self.announcement.municipality


class AnnouncementDetailView(AnnouncementObjectMixin, UpdateView):
    """Edit a draft, see the text per channel with its count, approve, schedule or discard; see deliveries."""

    template_name = "announcements/staff/detail.html"
    form_class = AnnouncementForm
    context_object_name = "announcement"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        announcement = self.announcement
        context["previews"] = [
            {"kind": kind, "label": label, "fitted": fit(announcement.body, announcement.link, kind)}
            for kind, label in ChannelKind.choices
        ]
        context["deliveries"] = announcement.deliveries.all()
        context["is_draft"] = announcement.status == Announcement.Status.DRAFT
        return context

    def form_valid(self, form):
        try:
            services.announcement_update(
                announcement=self.announcement,
                by=self.request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                scheduled_for=form.cleaned_data["scheduled_for"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Entwurf gespeichert."))
        return HttpResponseRedirect(self.request.path)


class AnnouncementActionView(AnnouncementObjectMixin, View):
    action = ""

    def post(self, request, *args, **kwargs):
        try:
            if self.action == "approve":
                services.announcement_approve(announcement=self.announcement, by=request.user)
                messages.success(request, _("Freigegeben. Die Beiträge werden über die Warteschlange gesendet."))
            elif self.action == "discard":
                services.announcement_discard(announcement=self.announcement, by=request.user)
                messages.success(request, _("Ankündigung verworfen."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(reverse("announcements:staff_detail", args=[self.announcement.pk]))


class DeliveryRetryView(MunicipalityPermissionMixin, View):
    def get_municipality(self):
        self.delivery = get_object_or_404(
            Delivery.objects.select_related("announcement__municipality"), pk=self.kwargs["pk"]
        )
        return self.delivery.announcement.municipality

    def post(self, request, *args, **kwargs):
        try:
            services.delivery_retry(delivery=self.delivery, by=request.user)
            messages.success(request, _("Zustellung wird erneut versucht."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(reverse("announcements:staff_detail", args=[self.delivery.announcement_id]))


class DeliveryCheckView(DeliveryRetryView):
    """Ask the network whether a failed delivery's post exists after all; mark it sent if so."""

    def post(self, request, *args, **kwargs):
        try:
            services.delivery_check(delivery=self.delivery, by=request.user)
            messages.success(request, _("Beitrag gefunden: Zustellung als gesendet markiert."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(reverse("announcements:staff_detail", args=[self.delivery.announcement_id]))


class ChannelListView(MunicipalityPermissionMixin, TemplateView):
    """The three channels of a municipality with write-only credential forms."""

    template_name = "announcements/staff/channels.html"

    def get_municipality(self):
        return get_object_or_404(Municipality, slug=self.kwargs["municipality"])

    def forms(self, data=None, only=None):
        accounts = {a.kind: a for a in ChannelAccount.objects.filter(municipality=self.municipality)}
        result = []
        for kind, label in ChannelKind.choices:
            instance = accounts.get(kind) or ChannelAccount(municipality=self.municipality, kind=kind)
            bound = data if only == kind else None
            result.append(
                {
                    "kind": kind,
                    "label": label,
                    "account": accounts.get(kind),
                    "form": ChannelAccountForm(bound, instance=instance, kind=kind, prefix=kind),
                }
            )
        return result

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("channels", self.forms())
        return context

    def post(self, request, *args, **kwargs):
        kind = request.POST.get("kind")
        if kind not in ChannelKind.values:
            raise Http404
        channels = self.forms(request.POST, only=kind)
        entry = next(c for c in channels if c["kind"] == kind)
        form = entry["form"]
        if form.is_valid():
            try:
                services.channel_account_save(account=form.instance, by=request.user, secrets=form.secrets())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Kanal %(label)s gespeichert.") % {"label": entry["label"]})
                return HttpResponseRedirect(request.path)
        return self.render_to_response(self.get_context_data(channels=channels))


class ChannelTestView(MunicipalityPermissionMixin, View):
    def get_municipality(self):
        self.account = get_object_or_404(ChannelAccount.objects.select_related("municipality"), pk=self.kwargs["pk"])
        return self.account.municipality

    def post(self, request, *args, **kwargs):
        ok, message = services.channel_account_test(account=self.account, by=request.user)
        (messages.success if ok else messages.error)(request, message)
        return HttpResponseRedirect(reverse("announcements:staff_channels", args=[self.account.municipality.slug]))


# --- Public: subscriptions ----------------------------------------------------------------------


class SubscribeView(FormView):
    template_name = "announcements/subscribe.html"
    form_class = SubscriptionForm

    def dispatch(self, request, *args, **kwargs):
        self.municipality = get_object_or_404(Municipality, slug=kwargs["municipality"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        boundary = self.municipality.boundary
        extent = list(boundary.extent) if boundary else [8.4, 50.2, 8.7, 50.4]
        return super().get_context_data(municipality=self.municipality, map_config={"extent": extent}, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        area = data["kind"] == "area"
        try:
            services.subscription_create(
                email=data["email"],
                municipality=None if area else self.municipality,
                point=data.get("point") if area else None,
                radius_m=data.get("radius_m") if area else None,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        return self.render_to_response(self.get_context_data(form=form, submitted=True))


class SubscriptionTokenMixin:
    def get_subscription(self):
        return get_object_or_404(Subscription.objects.select_related("municipality"), token=self.kwargs["token"])


class ConfirmView(SubscriptionTokenMixin, TemplateView):
    """GET shows a button (mail scanners must not confirm); POST confirms."""

    template_name = "announcements/confirm.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(subscription=self.get_subscription(), **kwargs)

    def post(self, request, *args, **kwargs):
        services.subscription_confirm(subscription=self.get_subscription())
        return self.render_to_response(self.get_context_data(confirmed=True))


@method_decorator(csrf_exempt, name="dispatch")  # RFC 8058 one-click: mail clients POST without a CSRF token
class UnsubscribeView(TemplateView):
    template_name = "announcements/unsubscribe.html"

    def post(self, request, *args, **kwargs):
        subscription = Subscription.objects.filter(token=self.kwargs["token"]).first()
        if subscription is not None:
            services.subscription_delete(subscription=subscription)
        return self.render_to_response(self.get_context_data(done=True))


# --- Public: plan preview image -----------------------------------------------------------------


def plan_preview_png(request, municipality, plan):
    """Return the Open Graph preview image of a published plan's Geltungsbereich."""
    plan = get_object_or_404(
        Plan.objects.published().select_related("municipality"), municipality__slug=municipality, slug=plan
    )
    etag = f'"{plan.pk}-{int(plan.updated_at.timestamp())}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(render_plan_preview(plan), content_type="image/png")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=3600"
    return response
