"""Downloads of the Abwägungstabelle: start an export job, follow its progress, fetch the file."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from plans import rules

from .. import export_jobs
from ..forms import FilterForm
from ..models import ExportJob
from ..reports import FORMATS, is_personal
from .base import ConsultationStaffMixin, error_messages


def _check_personal(request, consultation, personal: bool) -> None:
    """Answer 403 (with the two-factor hint where it applies) unless the user may see names and addresses."""
    if personal and not rules.can_export_personal_data(request.user, consultation.plan.municipality):
        raise PermissionDenied


class ExportStartView(ConsultationStaffMixin, TemplateView):
    """GET: what will be exported and the user's recent exports; POST: start the export job.

    The 403 page explains two-factor setup where a municipality requires it for personal data.
    """

    template_name = "workbench/export_start.html"
    write_permission = "moderate"  # anonymised exports: whoever sees the workbench; the service checks the rest

    def dispatch(self, request, *args, **kwargs):
        if self.kwargs["format"] not in FORMATS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def personal(self) -> bool:
        asked = (self.request.POST if self.request.method == "POST" else self.request.GET).get("personal") == "1"
        return is_personal(self.kwargs["format"], asked)

    def filters(self) -> str:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        return export_jobs.clean_filters(self.consultation, source.get("filters", ""))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        _check_personal(self.request, self.consultation, self.personal())
        filters = self.filters()
        context.update(
            format=FORMATS[self.kwargs["format"]],
            personal=self.personal(),
            filters=filters,
            filter_summary=FilterForm.describe(self.consultation, filters),
            jobs=ExportJob.objects.filter(
                consultation=self.consultation,
                created_by=rules.user_or_none(self.request.user),
                expires_at__gt=timezone.now(),
            )[:10],
        )
        return context

    def post(self, request, *args, **kwargs):
        try:
            job = export_jobs.export_job_start(
                consultation=self.consultation,
                by=request.user,
                format=self.kwargs["format"],
                personal=self.personal(),
                filters=request.POST.get("filters", ""),
            )
        except ValidationError as error:
            error_messages(request, error)
            return redirect(self.table_url())
        return redirect(job_url(job))


def job_url(job: ExportJob) -> str:
    return reverse("workbench:export_job", args=[job.consultation_id, job.pk])


class ExportJobMixin(ConsultationStaffMixin):
    """Resolve the export job of the consultation in the URL; personal-data jobs need that permission."""

    def get_job(self) -> ExportJob:
        job = get_object_or_404(
            ExportJob.objects.select_related("created_by"), pk=self.kwargs["job_id"], consultation=self.consultation
        )
        job.consultation = self.consultation
        _check_personal(self.request, self.consultation, is_personal(job.format, job.personal))
        return job


class ExportJobView(ExportJobMixin, TemplateView):
    """Progress of one export (the page reloads itself while it runs), then its row count and download link."""

    template_name = "workbench/export_job.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.get_job()
        context.update(
            job=job,
            format=FORMATS.get(job.format) or {"label": _("Ergebnisbriefe (ZIP mit PDF)")},
            filter_summary=FilterForm.describe(self.consultation, job.filters),
            available=job.status == ExportJob.Status.SUCCEEDED and job.expires_at > timezone.now(),
        )
        return context


class ExportDownloadView(ExportJobMixin, View):
    """Send the job's file from the storage; before it is ready, back to the progress page."""

    def get(self, request, *args, **kwargs):
        job = self.get_job()
        try:
            handle = export_jobs.export_job_open(job=job, by=request.user)
        except ValidationError as error:
            error_messages(request, error)
            return redirect(job_url(job))
        kind = FORMATS.get(job.format)
        content_type = kind.content_type if kind else "application/zip"  # the result letters
        response = FileResponse(handle, as_attachment=True, filename=job.file_name, content_type=content_type)
        response["Cache-Control"] = "no-store"
        return response
