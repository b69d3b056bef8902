"""Staff pages for plans: the dashboard, creating and editing a plan, the plan cockpit, publishing, stages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from . import rules, services
from .forms import (
    ConfirmForm,
    DocumentUploadForm,
    PlanCreateForm,
    PlanForm,
    StageForm,
    apply_service_errors,
)
from .geometry import to_metric
from .models import Membership, Municipality, Plan
from .staff import MunicipalityPermissionMixin


def planner_municipalities(user):
    """Return the municipalities in which `user` may manage plans."""
    if user.is_superuser:
        return Municipality.objects.all()
    return Municipality.objects.filter(memberships__user=user, memberships__role=Membership.Role.PLANNER)


def optional_url(name: str, fallback: str, **kwargs) -> str:
    """Return the URL `name` or the literal `fallback` path while the other app does not provide it yet."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return fallback


class StaffDashboardView(LoginRequiredMixin, TemplateView):
    """/verwaltung/: plans per municipality with links to the cockpit, consultations and the workbench."""

    template_name = "plans/staff/dashboard.html"

    def get(self, request, *args, **kwargs):
        # An external reviewer of the Abwägung has no role anywhere: their start page is "Meine Aufgaben".
        if not rules.is_staff_anywhere(request.user) and hasattr(request.user, "external_reviewer"):
            return redirect("workbench:my_tasks")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        municipalities = Municipality.objects.for_user(user).prefetch_related(
            Prefetch("plans", queryset=Plan.objects.order_by("title").prefetch_related("consultations"))
        )
        context["entries"] = [
            {"municipality": m, "role": rules.role_in(user, m), "can_manage": rules.can_manage(user, m)}
            for m in municipalities
        ]
        context["can_create"] = any(entry["can_manage"] for entry in context["entries"])
        return context


class PlanStaffMixin(MunicipalityPermissionMixin):
    """A staff page about one plan (URL kwarg `pk`); planners of its municipality only."""

    permission = "manage"

    def get_plan(self):
        if not hasattr(self, "plan"):
            self.plan = get_object_or_404(Plan.objects.select_related("municipality"), pk=self.kwargs["pk"])
        return self.plan

    def get_municipality(self):
        return self.get_plan().municipality

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["plan"] = self.plan
        return context

    def cockpit(self):
        return redirect("plans:staff_plan", pk=self.plan.pk)


def area_map_config(municipalities, plan=None) -> dict:
    """Return the data the area drawing map needs: the current area and the municipalities' boundaries."""
    area = None
    if plan is not None:
        area = (
            Plan.objects.filter(pk=plan.pk)
            .annotate(geojson=AsGeoJSON("area", precision=7))
            .values_list("geojson", flat=True)[0]
        )
    boundaries = dict(
        Municipality.objects.filter(pk__in=[m.pk for m in municipalities], boundary__isnull=False)
        .annotate(geojson=AsGeoJSON("boundary", precision=6))
        .values_list("pk", "geojson")
    )
    return {
        "area": area,
        "boundaries": {str(pk): geojson for pk, geojson in boundaries.items()},
        "center": list(settings.LEAFLET_CONFIG["DEFAULT_CENTER"]),
        "zoom": settings.LEAFLET_CONFIG["DEFAULT_ZOOM"],
        "labels": {
            "polygon": _("Fläche zeichnen"),
            "rectangle": _("Rechteck zeichnen"),
            "start": _("Klicken Sie, um den ersten Punkt zu setzen."),
            "cont": _("Klicken Sie, um weitere Punkte zu setzen."),
            "end": _("Klicken Sie auf den ersten Punkt, um die Fläche zu schließen."),
            "rectangleStart": _("Klicken und ziehen Sie, um ein Rechteck zu zeichnen."),
            "finish": _("Fertig"),
            "undo": _("Letzten Punkt löschen"),
            "cancel": _("Abbrechen"),
            "edit": _("Flächen bearbeiten"),
            "remove": _("Flächen löschen"),
            "save": _("Übernehmen"),
            "drawn": _("Geltungsbereich gezeichnet: %s Teilfläche(n). Die Koordinaten stehen im Textfeld."),
            "empty": _("Kein Geltungsbereich gezeichnet."),
        },
    }


class PlanCreateView(LoginRequiredMixin, FormView):
    """/verwaltung/plaene/neu/: a new draft plan in one of the user's municipalities."""

    template_name = "plans/staff/plan_form.html"
    form_class = PlanCreateForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.municipalities = planner_municipalities(request.user)
        if not self.municipalities.exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "municipalities": self.municipalities}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(area_map=area_map_config(self.municipalities), creating=True)
        return context

    def form_valid(self, form):
        try:
            plan = services.plan_create(
                municipality=form.cleaned_data["municipality"], by=self.request.user, **form.service_fields()
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Der Plan wurde als Entwurf angelegt."))
        return redirect("plans:staff_plan", pk=plan.pk)


class PlanEditView(PlanStaffMixin, FormView):
    """/verwaltung/plaene/<pk>/bearbeiten/: change the plan's data and area."""

    template_name = "plans/staff/plan_form.html"
    form_class = PlanForm

    def get_initial(self):
        plan = self.plan
        return {
            "kind": plan.kind,
            "number": plan.number,
            "title": plan.title,
            "summary": plan.summary,
            "description": plan.description,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(area_map=area_map_config([self.municipality], self.plan), creating=False)
        return context

    def form_valid(self, form):
        fields = form.service_fields()
        if not fields["area"]:
            del fields["area"]  # an empty area field keeps the stored Geltungsbereich
        try:
            services.plan_update(plan=self.plan, by=self.request.user, **fields)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Die Angaben zum Plan wurden gespeichert."))
        return self.cockpit()


class PlanCockpitView(PlanStaffMixin, TemplateView):
    """/verwaltung/plaene/<pk>/: everything about one plan and the actions on it."""

    template_name = "plans/staff/plan_cockpit.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.plan
        documents = plan.documents.select_related("uploaded_by")
        current = list(documents.current())
        context.update(
            area_ha=to_metric(plan.area, self.municipality.crs_epsg).area / 10_000,
            map_config={"area": plan.area.geojson, "plan_id": plan.pk},
            stage_changes=plan.stage_changes.select_related("created_by"),
            consultations=plan.consultations.order_by("start_date", "round"),
            documents=current,
            document_history=documents.history(),
            stage_form=kwargs.get("stage_form") or StageForm(),
            upload_form=kwargs.get("upload_form") or DocumentUploadForm(),
            max_document_mb=settings.MAX_DOCUMENT_SIZE_MB,
            consultation_create_url=optional_url(
                "participation:staff_create", f"/verwaltung/plaene/{plan.pk}/beteiligungen/neu/", plan_pk=plan.pk
            ),
            area_upload_url=optional_url(
                "geodata:plan_area_upload", f"/verwaltung/plaene/{plan.pk}/geltungsbereich/datei/", pk=plan.pk
            ),
            evidence_url=optional_url("records:evidence", f"/verwaltung/plaene/{plan.pk}/nachweis/", pk=plan.pk),
            council_url=optional_url("council:plan", f"/verwaltung/plaene/{plan.pk}/gremien/", pk=plan.pk),
        )
        return context


class StageRecordView(PlanCockpitView):
    """POST /verwaltung/plaene/<pk>/verfahrensschritte/: record a procedure step."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = StageForm(request.POST)
        if form.is_valid():
            try:
                services.plan_stage_record(plan=self.plan, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Der Verfahrensschritt wurde eingetragen."))
                return self.cockpit()
        return self.render_to_response(self.get_context_data(stage_form=form))


class PlanPublishView(PlanStaffMixin, FormView):
    """/verwaltung/plaene/<pk>/veroeffentlichen/ and …/offline/: publish or unpublish after confirmation."""

    template_name = "plans/staff/confirm.html"
    form_class = ConfirmForm
    publish = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.publish:
            context.update(
                heading=_("Plan veröffentlichen"),
                explanation=_(
                    "Der Plan wird mit Karte, Beschreibung und aktuellen Dokumenten öffentlich sichtbar. "
                    "Abonnentinnen und Abonnenten werden benachrichtigt; eine Ankündigung wird vorbereitet."
                ),
                button=_("Jetzt veröffentlichen"),
            )
        else:
            context.update(
                heading=_("Plan offline nehmen"),
                explanation=_(
                    "Die Plan-Seite und die Dokumente sind danach öffentlich nicht mehr erreichbar. "
                    "Während einer laufenden Beteiligung widerspricht das der Veröffentlichungspflicht."
                ),
                button=_("Jetzt offline nehmen"),
            )
        return context

    def form_valid(self, form):
        action = services.plan_publish if self.publish else services.plan_unpublish
        try:
            action(plan=self.plan, by=self.request.user)
        except ValidationError as exc:
            messages.error(self.request, " ".join(exc.messages))
            return self.cockpit()
        messages.success(
            self.request,
            _("Der Plan ist veröffentlicht.") if self.publish else _("Der Plan ist nicht mehr öffentlich."),
        )
        return self.cockpit()
