"""Public views: submit, confirm and report statements. Thin wrappers around services."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.bundid import citizen_identity
from plans.client import client_address
from plans.models import Plan
from plans.page_cache import page_cache_enabled, plan_page_version, plan_page_version_key

from . import services
from .feedback import confirmed_message, render_invalid_form, submitted_message
from .forms import StatementForm
from .models import Consultation, Statement

# The columns accepting a statement reads (period, moderation, plan visibility and version, CRS);
# everything else (geometries, long texts) loads lazily, e.g. the plan area only when the
# per-process prepared area is missing or stale (services._plan_area_in_crs).
SUBMIT_FIELDS = (
    "id",
    "plan_id",
    "kind",
    "round",
    "start_date",
    "end_date",
    "closed_at",
    "bekanntmachung_date",  # is_open_at: a period that needs a Bekanntmachung opens only after it
    "moderation",
    "limited_to_changes",  # a round limited to the changes (§ 4a Abs. 3) checks places against its comparison
    "comparison_id",
    "plan__id",
    "plan__municipality_id",
    "plan__slug",
    "plan__status",
    "plan__published_at",
    "plan__updated_at",
    "plan__municipality__id",
    "plan__municipality__slug",
    "plan__municipality__crs_epsg",
)


# Per process: the plan of each consultation seen, so that its cached copy and the plan's page version are
# read together (a stale entry only costs the second read below).
_plan_of_consultation: dict[int, int] = {}


def submit_consultation(pk: int) -> Consultation:
    """Return public consultation `pk` with the SUBMIT_FIELDS, from the cache while its plan's page version holds.

    Every change to a consultation, its plan or municipality bumps that version (portal.page_invalidation),
    so a cached copy is never older than the rows; the period itself is evaluated per request from its dates.
    Only with a cache that all processes share (plans.page_cache.page_cache_enabled).
    """
    if not page_cache_enabled():
        return _load_submit_consultation(pk)
    key = f"pb:submit:consultation:{pk}"
    plan_id = _plan_of_consultation.get(pk)
    if plan_id is None:
        entry = cache.get(key)
    else:  # one round trip for the copy and its plan's current version
        version_key = plan_page_version_key(plan_id)
        found = cache.get_many([key, version_key])
        entry = found.get(key)
        if entry is not None and entry[0] == plan_id and entry[1] is not None and entry[1] == found.get(version_key):
            return entry[2]
    if entry is None:  # plan unknown: remember it, cache from the next request on (version read before the rows)
        consultation = _load_submit_consultation(pk)
        cache.set(key, (consultation.plan_id, None, None), settings.PLAN_PAGE_CACHE_SECONDS)
        return consultation
    plan_id, version, cached = entry
    _plan_of_consultation[pk] = plan_id
    current = plan_page_version(plan_id)
    if cached is not None and version == current:
        return cached
    consultation = _load_submit_consultation(pk)
    if consultation.plan_id == plan_id:
        cache.set(key, (plan_id, current, consultation), settings.PLAN_PAGE_CACHE_SECONDS)
    return consultation


def _load_submit_consultation(pk: int) -> Consultation:
    return get_object_or_404(
        Consultation.objects.public().select_related("plan__municipality").only(*SUBMIT_FIELDS), pk=pk
    )


def public_consultations():
    return Consultation.objects.public().filter(plan__in=Plan.objects.published()).select_related("plan__municipality")


class StatementCreateView(View):
    """Accept a statement POSTed from the plan page; the server decides whether the period is open."""

    def post(self, request, pk):
        consultation = submit_consultation(pk)
        plan = consultation.plan
        if not plan.is_public:
            raise Http404
        if not consultation.is_open_at():
            return self._refuse(
                request,
                consultation,
                _("Die Beteiligung ist nicht geöffnet. Stellungnahmen können derzeit nicht online abgegeben werden."),
                403,
            )
        # Only a submitted feature needs the plan's feature list (saves a query on most posts).
        feature_choices = None if request.POST.get("feature") else []
        citizen = None if request.user.is_authenticated else citizen_identity(request)
        form = StatementForm(
            consultation,
            data=request.POST,
            files=request.FILES,
            user=request.user,
            citizen=citizen,
            feature_choices=feature_choices,
        )
        if not form.is_valid():
            if feature_choices == []:  # show the complete form (with the feature list) again
                form = StatementForm(
                    consultation, data=request.POST, files=request.FILES, user=request.user, citizen=citizen
                )
                form.is_valid()
            return render_invalid_form(request, consultation, form)
        data = form.cleaned_data
        try:
            result = services.statement_submit(
                consultation=consultation,
                text=data["comment"],
                topic=data["topic"],
                user=request.user,
                citizen=citizen,
                name=data.get("name", ""),
                email=data.get("email", ""),
                location=data.get("location"),
                drawn_area=data.get("drawn_area"),
                drawn_line=data.get("drawn_line"),
                feature=data.get("feature"),
                section=data.get("section"),
                parent=data.get("reply_to"),
                privacy_consent=data["privacy_consent"],
                public_opt_in=data.get("public_opt_in", False),
                official=data.get("official", False),
                ip_address=client_address(request),
                form_token=data["form_token"],
                attachments=data.get("attachments"),
            )
        except services.RateLimited:
            return self._refuse(
                request,
                consultation,
                _("Zu viele Stellungnahmen in kurzer Zeit. Bitte versuchen Sie es in einigen Minuten erneut."),
                429,
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "form_token_used":  # field-dict errors have no code
                form = self._form_with_fresh_token(request, consultation, citizen)
            form.add_error(None, error.messages)
            return render_invalid_form(request, consultation, form)
        submitted_message(request, result.statement, needs_confirmation=result.needs_confirmation)
        # No fragment: the focused success message sits at the top of the plan page.
        return HttpResponseRedirect(plan.get_absolute_url())

    def _form_with_fresh_token(self, request, consultation, citizen):
        """Return the citizen's form again with a new form token (and timestamp) so that sending it once more works."""
        data = request.POST.copy()
        form = StatementForm(consultation, data=data, user=request.user, citizen=citizen)
        for name, value in {**form.generate_security_data(), "form_token": str(uuid.uuid4())}.items():
            data[name] = value
        form.is_valid()
        return form

    def _refuse(self, request, consultation, message, status):
        return render(
            request,
            "participation/refused.html",
            {"message": message, "plan": consultation.plan, "municipality": consultation.plan.municipality},
            status=status,
        )


class StatementConfirmView(View):
    """Show the confirmation button for an e-mailed link (GET) and confirm on POST (mail scanners only GET)."""

    template_name = "participation/confirm.html"

    def get(self, request, token):
        return render(request, self.template_name, {"token": token})

    def post(self, request, token):
        try:
            statement = services.statement_confirm(token=token)
        except ValidationError as error:
            return render(request, self.template_name, {"token": token, "error": " ".join(error.messages)}, status=400)
        confirmed_message(request, statement)
        return HttpResponseRedirect(statement.consultation.plan.get_absolute_url())


class StatementFlagView(View):
    """Let a visitor report a published statement to the moderators."""

    def post(self, request, pk):
        statement = get_object_or_404(
            Statement.objects.published().filter(consultation__in=public_consultations()), pk=pk
        )
        services.statement_flag(
            statement=statement,
            by=request.user,
            reason=request.POST.get("reason", ""),
            ip_address=client_address(request),
        )
        messages.success(request, _("Danke für Ihren Hinweis. Die Moderation prüft den Beitrag."))
        return HttpResponseRedirect(statement.consultation.plan.get_absolute_url() + "#beteiligung")


class ChangeMailOptOutView(View):
    """GET shows, POST records the end of change mails about a plan for the address in the signed link."""

    template_name = "participation/change_mail_opt_out.html"

    def _read(self, token):
        found = services.read_opt_out_token(token)
        if found is None:
            raise Http404
        plan = get_object_or_404(Plan.objects.select_related("municipality"), pk=found[0])
        return plan, found[1]

    def get(self, request, token):
        plan, email = self._read(token)
        return render(request, self.template_name, {"plan": plan, "email": email, "done": False})

    def post(self, request, token):
        plan, email = self._read(token)
        services.change_mail_opt_out(plan=plan, email=email)
        return render(request, self.template_name, {"plan": plan, "email": email, "done": True})
