"""Staff pages: import layers and XPlanGML plans, follow import runs, take a Geltungsbereich from a file."""

import json

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView

from plans.forms import apply_service_errors
from plans.models import Plan
from plans.staff import MunicipalityPermissionMixin

from . import services
from .errors import ImportRejected
from .forms import LayerUploadForm, PlanAreaUploadForm, ValidationOverrideForm, XPlanUploadForm
from .models import ImportRun, Layer
from .selectors import import_run_progress, layers_with_serving, plan_area_m2, planner_municipalities
from .services.validation import current_version
from .services.versions import plan_versions

AREA_TOKEN_SALT = "geodata.plan-area"
TOKEN_MAX_AGE = 3600


class PlanStaffMixin(MunicipalityPermissionMixin):
    permission = "manage"
    plan_kwarg = "plan_id"

    def get_municipality(self):
        self.plan = get_object_or_404(Plan.objects.select_related("municipality"), pk=self.kwargs[self.plan_kwarg])
        return self.plan.municipality

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["plan"] = self.plan
        context["layers"] = layers_with_serving(self.plan)
        context["versions"] = plan_versions(self.plan)
        return context

    def read_token(self, salt: str) -> dict | None:
        """Return the signed data of a preview this user made for this plan, if it is intact and its file exists."""
        try:
            data = signing.loads(self.request.POST.get("token", ""), salt=salt, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature:
            return None
        if data["u"] != self.request.user.pk or data["p"] != self.plan.pk or not services.staged_exists(data["name"]):
            return None
        return data

    def token_expired(self, back_url: str = ""):
        context = {"plan": self.plan, "back_url": back_url}
        return render(self.request, "geodata/staff/token_expired.html", context, status=400)


class LayerImportView(PlanStaffMixin, FormView):
    """Step 1: upload; the file is staged and its preview computed in the background (step 2: the run page)."""

    form_class = LayerUploadForm
    template_name = "geodata/staff/layer_import.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(version=current_version(self.plan), **kwargs)

    def form_valid(self, form):
        options = {k: form.cleaned_data[k] for k in ("layer_name", "crs", "name", "kind", "key_attribute")}
        run = services.import_preview_start(
            plan=self.plan, upload=form.cleaned_data["file"], options=options, by=self.request.user
        )
        return redirect("geodata:import_run", run_id=run.pk)


class LayerRemoveView(PlanStaffMixin, View):
    """Take a layer out of the plan's current version (a new version without it); its rows stay."""

    def post(self, request, *args, **kwargs):
        layer = get_object_or_404(Layer, pk=self.kwargs["layer_id"], plan=self.plan)
        try:
            version = services.layer_remove(layer=layer, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Die Ebene „%(name)s“ ist nicht mehr Teil der aktuellen Fassung (jetzt Fassung %(number)d).")
                % {"name": layer.name, "number": version.number},
            )
        return redirect("geodata:layer_import", plan_id=self.plan.pk)


class ImportRunMixin(MunicipalityPermissionMixin):
    permission = "manage"

    def get_municipality(self):
        self.run = get_object_or_404(ImportRun.objects.select_related("plan", "municipality"), pk=self.kwargs["run_id"])
        return self.run.municipality


class ImportRunView(ImportRunMixin, DetailView):
    """The preview (with the confirm button), the progress and, when done, the report of one import."""

    template_name = "geodata/staff/import_run.html"
    context_object_name = "run"

    def get_object(self, queryset=None):
        return self.run

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["map_data"] = {"bounds": (self.run.preview or {}).get("bounds_4326")}
        return context


class PlanValidationView(PlanStaffMixin, FormView):
    """The Prüfbericht of the plan's current version, with the form to publish despite its errors."""

    form_class = ValidationOverrideForm
    template_name = "geodata/staff/validation.html"
    plan_kwarg = "pk"

    def get_context_data(self, **kwargs):
        version = current_version(self.plan)
        area = self.plan.area.extent if self.plan.area else None
        return super().get_context_data(
            version=version,
            validation=(version.validation if version is not None else {}) or {},
            map_data={"bounds": list(area) if area else None},
            **kwargs,
        )

    def form_valid(self, form):
        version = current_version(self.plan)
        if version is None:
            form.add_error(None, _("Der Plan hat noch keine Fassung mit Prüfbericht."))
            return self.form_invalid(form)
        try:
            services.plan_version_validation_override(
                version=version, by=self.request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Die Begründung wurde gespeichert; der Plan kann veröffentlicht werden."))
        return redirect("geodata:plan_validation", pk=self.plan.pk)


class ImportRunConfirmView(ImportRunMixin, View):
    """Step 3: start the import of a previewed upload."""

    def post(self, request, *args, **kwargs):
        try:
            services.import_run_confirm(run=self.run, by=request.user)
        except ImportRejected as exc:
            messages.error(request, str(exc))
        return redirect("geodata:import_run", run_id=self.run.pk)


class ImportRunStatusView(ImportRunMixin, View):
    """Status of one import as JSON, polled by the progress page."""

    def get(self, request, *args, **kwargs):
        run = self.run
        done, total = import_run_progress(run)
        return JsonResponse(
            {
                "status": run.status,
                "status_label": run.get_status_display(),
                "finished": run.finished,
                "done": done,
                "total": total,
                "error": run.error,
                "report": run.report,
            }
        )


class XPlanImportView(LoginRequiredMixin, FormView):
    """Upload an XPlanGML file; its preview (plan, version n → n+1, changes, Prüfbericht) runs in the background."""

    form_class = XPlanUploadForm
    template_name = "geodata/staff/xplan_import.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.municipalities = planner_municipalities(request.user)
        if not self.municipalities.exists():
            raise PermissionDenied(_("Nur das Planungsamt darf XPlanGML-Dateien importieren."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "municipalities": self.municipalities}

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        municipality = form.cleaned_data["municipality"]
        run = services.xplan_preview_start(
            municipality=municipality, upload=upload, plan=form.cleaned_data.get("plan"), by=self.request.user
        )
        return redirect("geodata:import_run", run_id=run.pk)


class PlanAreaUploadView(PlanStaffMixin, FormView):
    """Upload a GIS or XPlanGML file; on success show the Geltungsbereich it gives, with a confirm button."""

    form_class = PlanAreaUploadForm
    template_name = "geodata/staff/plan_area_upload.html"
    plan_kwarg = "pk"

    def get_context_data(self, **kwargs):
        return super().get_context_data(current_m2=plan_area_m2(self.plan), **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        options = {k: form.cleaned_data[k] or None for k in ("layer_name", "crs")}
        try:
            with services.upload_copy(upload) as path:
                candidate = services.plan_area_preview(
                    plan=self.plan, by=self.request.user, path=path, original_name=upload.name, **options
                )
        except ImportRejected as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        name = services.stage_upload(upload=upload, by=self.request.user, municipality=self.plan.municipality)
        token = signing.dumps(
            {"u": self.request.user.pk, "p": self.plan.pk, "name": name, "file": upload.name, "o": options},
            salt=AREA_TOKEN_SALT,
        )
        map_data = {
            "new": json.loads(candidate.area.geojson),
            "current": json.loads(self.plan.area.geojson) if self.plan.area else None,
        }
        return render(
            self.request,
            "geodata/staff/plan_area_preview.html",
            self.get_context_data(candidate=candidate, token=token, file_name=upload.name, map_data=map_data),
        )


class PlanAreaConfirmView(PlanStaffMixin, View):
    """Save the previewed Geltungsbereich; a file that no longer passes is shown with its error."""

    plan_kwarg = "pk"

    def post(self, request, *args, **kwargs):
        data = self.read_token(AREA_TOKEN_SALT)
        if data is None:
            return self.token_expired(reverse("geodata:plan_area_upload", args=[self.plan.pk]))
        try:
            with services.staged_copy(data["name"]) as path:
                candidate = services.plan_area_from_file(
                    plan=self.plan, by=request.user, path=path, original_name=data["file"], **data["o"]
                )
        except ImportRejected as exc:
            context = {"form": PlanAreaUploadForm(), "plan": self.plan, "municipality": self.municipality}
            context.update(current_m2=plan_area_m2(self.plan), confirm_error=str(exc))
            return render(request, "geodata/staff/plan_area_upload.html", context, status=400)
        finally:
            services.discard_staged(data["name"])
        messages.success(
            request,
            _("Der Geltungsbereich wurde aus „%(file)s“ übernommen (%(area)s m²).")
            % {"file": data["file"], "area": number_format(round(candidate.area_m2), force_grouping=True)},
        )
        return redirect("geodata:plan_area_upload", pk=self.plan.pk)
