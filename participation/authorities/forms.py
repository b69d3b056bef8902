"""Staff forms of the address book and the § 4 rounds."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .csv_io import split_emails
from .models import Authority, SubjectArea

MAX_CSV_BYTES = 2 * 1024 * 1024


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ServiceErrorsMixin:
    """Attach a service's ValidationError to the matching fields (others to the form)."""

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)  # type: ignore[attr-defined]
        else:
            self.add_error(None, error)  # type: ignore[attr-defined]


class AuthorityForm(ServiceErrorsMixin, forms.Form):
    """One address book entry."""

    organisation = forms.CharField(label=_("Behörde / Organisation"), max_length=250)
    department = forms.CharField(label=_("Abteilung / Dezernat"), max_length=250, required=False)
    emails = forms.CharField(
        label=_("E-Mail-Adressen"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Eine oder mehrere Adressen, getrennt durch Zeilenumbruch, Leerzeichen oder Komma."),
    )
    subject_areas = forms.MultipleChoiceField(
        label=_("Fachbereiche"), choices=SubjectArea.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    active = forms.BooleanField(label=_("aktiv (kann eingeladen werden)"), required=False, initial=True)
    notes = forms.CharField(label=_("Notizen"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean_emails(self):
        return split_emails(self.cleaned_data["emails"])


class AddressBookImportForm(ServiceErrorsMixin, forms.Form):
    """Upload of an address book CSV."""

    file = forms.FileField(
        label=_("CSV-Datei"),
        help_text=_(
            "UTF-8, Trennzeichen Semikolon oder Komma; Spalten: "
            "organisation;department;emails;subject_areas;active;notes"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise ValidationError(_("Die Datei ist größer als 2 MB."), code="file_too_large")
        return upload


class AreaFilterForm(forms.Form):
    """Filter of the address book by subject area."""

    area = forms.ChoiceField(
        label=_("Fachbereich"), choices=[("", _("alle"))] + list(SubjectArea.choices), required=False
    )


class InviteForm(ServiceErrorsMixin, forms.Form):
    """Choose authorities (individually or by subject area) and their deadline."""

    subject_areas = forms.MultipleChoiceField(
        label=_("Alle aktiven Behörden dieser Fachbereiche"),
        choices=SubjectArea.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    authorities: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Einzelne Behörden"),
        queryset=Authority.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    deadline = forms.DateField(
        label=_("Frist (einschließlich)"),
        widget=_date_input(),
        help_text=_("§ 4 Abs. 2 BauGB: einen Monat, mindestens 30 Tage ab der Einladung."),
    )
    reason = forms.CharField(
        label=_("Begründung für eine kürzere Frist (nur § 4a Abs. 3 BauGB)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args, authorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authorities"].queryset = authorities


class ExtendForm(ServiceErrorsMixin, forms.Form):
    """A later deadline for one authority, with its reason."""

    deadline = forms.DateField(label=_("Neue Frist (einschließlich)"), widget=_date_input())
    reason = forms.CharField(label=_("Begründung"), widget=forms.Textarea(attrs={"rows": 2}))
