"""Result notices besides e-mail: postal letters (print job) and the inspection notice of a large group."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from .. import inspection, letters
from ..models import StatementGroup
from .base import ConsultationStaffMixin, error_messages
from .exports import job_url


class InspectionNoticeForm(forms.Form):
    place = forms.CharField(
        label=gettext_lazy("Ort der Einsichtnahme"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("z. B. Rathaus Usingen, Bauamt, Zimmer 12, Wilhelmjstraße 1"),
    )
    times = forms.CharField(
        label=gettext_lazy("Zeitraum und Zeiten"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("z. B. 2. bis 30. Juni 2026, Mo–Fr 8–12 Uhr, Do auch 14–18 Uhr"),
    )


class ResultLettersView(ConsultationStaffMixin, View):
    """POST: record postal notices and start the print job of the result letters; then its progress page."""

    def post(self, request, *args, **kwargs):
        try:
            job = letters.result_letters_start(consultation=self.consultation, by=request.user)
        except ValidationError as error:
            error_messages(request, error)
            return redirect(reverse("workbench:publish", args=[self.consultation.pk]))
        return redirect(job_url(job))


class GroupInspectionView(ConsultationStaffMixin, View):
    """POST: record (or with `withdraw`, withdraw) the inspection notice of a group; back to the group page."""

    def post(self, request, *args, **kwargs):
        group = get_object_or_404(StatementGroup, pk=self.kwargs["group_id"], consultation=self.consultation)
        group.consultation = self.consultation
        back = redirect(reverse("workbench:group", args=[self.consultation.pk, group.pk]))
        if "withdraw" in request.POST:
            inspection.group_inspection_notice_withdraw(group=group, by=request.user)
            messages.success(request, _("Bekanntgabe durch Einsichtnahme zurückgenommen."))
            return back
        form = InspectionNoticeForm(request.POST)
        form.is_valid()
        try:
            inspection.group_inspection_notice_record(
                group=group,
                by=request.user,
                place=form.cleaned_data.get("place", ""),
                times=form.cleaned_data.get("times", ""),
            )
        except ValidationError as error:
            error_messages(request, error)
            return back
        messages.success(
            request,
            _("Bekanntgabe durch Einsichtnahme festgelegt: diese Einreichenden erhalten keine Einzelmitteilung."),
        )
        return back
