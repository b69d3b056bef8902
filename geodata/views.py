"""Staff pages for importing layers and XPlanGML plans."""

from pathlib import Path

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView

from plans.models import Membership, Municipality, Plan
from plans.staff import MunicipalityPermissionMixin

from . import services
from .forms import LayerUploadForm, XPlanUploadForm
from .importers import ImportRejected
from .models import ImportRun

TOKEN_SALT = "geodata.layer-import"
TOKEN_MAX_AGE = 3600


class PlanStaffMixin(MunicipalityPermissionMixin):
    permission = "manage"

    def get_municipality(self):
        self.plan = get_object_or_404(Plan.objects.select_related("municipality"), pk=self.kwargs["plan_id"])
        return self.plan.municipality

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["plan"] = self.plan
        context["layers"] = self.plan.layers.all()
        return context


class LayerImportView(PlanStaffMixin, FormView):
    """Step 1: upload; on success step 2: the preview with a confirm button."""

    form_class = LayerUploadForm
    template_name = "geodata/staff/layer_import.html"

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        path = services.stage_upload(upload=upload, user=self.request.user)
        options = {k: form.cleaned_data[k] for k in ("layer_name", "crs", "name", "kind")}
        try:
            preview = services.import_preview(
                path=path,
                original_name=upload.name,
                layer_name=options["layer_name"] or None,
                crs=options["crs"] or None,
            )
        except ImportRejected as exc:
            services.discard_staged(path)
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        token = signing.dumps(
            {"u": self.request.user.pk, "p": self.plan.pk, "path": str(path), "file": upload.name, "o": options},
            salt=TOKEN_SALT,
        )
        map_data = {"bounds": preview.bounds_4326}
        return render(
            self.request,
            "geodata/staff/layer_import_preview.html",
            self.get_context_data(
                preview=preview, token=token, file_name=upload.name, options=options, map_data=map_data
            ),
        )


class LayerImportConfirmView(PlanStaffMixin, View):
    """Step 3: start the import of a previewed upload."""

    def post(self, request, *args, **kwargs):
        try:
            data = signing.loads(request.POST.get("token", ""), salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature:
            return render(request, "geodata/staff/token_expired.html", {"plan": self.plan}, status=400)
        path = Path(data["path"])
        if data["u"] != request.user.pk or data["p"] != self.plan.pk or not path.is_file():
            return render(request, "geodata/staff/token_expired.html", {"plan": self.plan}, status=400)
        run = services.import_run_start(
            source=ImportRun.Source.LAYER,
            municipality=self.plan.municipality,
            plan=self.plan,
            path=path,
            file_name=data["file"],
            options=data["o"],
            by=request.user,
        )
        return redirect("geodata:import_run", run_id=run.pk)


class ImportRunMixin(MunicipalityPermissionMixin):
    permission = "manage"

    def get_municipality(self):
        self.run = get_object_or_404(ImportRun.objects.select_related("plan", "municipality"), pk=self.kwargs["run_id"])
        return self.run.municipality


class ImportRunView(ImportRunMixin, DetailView):
    """Progress and, when done, the report of one import."""

    template_name = "geodata/staff/import_run.html"
    context_object_name = "run"

    def get_object(self, queryset=None):
        return self.run


class ImportRunStatusView(ImportRunMixin, View):
    """Status of one import as JSON, polled by the progress page."""

    def get(self, request, *args, **kwargs):
        run = self.run
        done, total = cache.get(services.progress_key(run.pk)) or (run.progress_done, run.progress_total)
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


def planner_municipalities(user):
    if user.is_superuser:
        return Municipality.objects.all()
    return Municipality.objects.filter(memberships__user=user, memberships__role=Membership.Role.PLANNER).distinct()


class XPlanImportView(LoginRequiredMixin, FormView):
    """Upload an XPlanGML file; the plan is created or updated in the background."""

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
        path = services.stage_upload(upload=upload, user=self.request.user)
        run = services.import_run_start(
            source=ImportRun.Source.XPLAN,
            municipality=form.cleaned_data["municipality"],
            path=path,
            file_name=upload.name,
            options={},
            by=self.request.user,
        )
        return redirect("geodata:import_run", run_id=run.pk)
