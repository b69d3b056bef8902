"""Staff forms for plans, stages and documents; they only collect input, the services validate and write."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Document, Municipality, Plan

AREA_HELP = _(
    "Zeichnen Sie den Geltungsbereich in der Karte oder geben Sie ihn hier als GeoJSON oder WKT ein "
    "(Koordinaten in WGS 84, Länge vor Breite, z. B. POLYGON((8.52 50.34, 8.53 50.34, 8.53 50.35, 8.52 50.34))). "
    "Andere Koordinatensysteme als EWKT, z. B. SRID=25832;POLYGON(…)."
)


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Attach a service's ValidationError to `form`, keys the form lacks as non-field errors."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class PlanForm(forms.Form):
    """Plan data with the Geltungsbereich as text (GeoJSON/WKT) and a hidden field the map fills."""

    kind = forms.ChoiceField(label=_("Art"), choices=Plan.Kind.choices)
    number = forms.CharField(
        label=_("Nummer"),
        max_length=50,
        required=False,
        help_text=_("z. B. „Nr. 64“; bei Satzungen und öffentlichen Bauvorhaben optional."),
    )
    title = forms.CharField(label=_("Titel"), max_length=250)
    summary = forms.CharField(
        label=_("Kurzbeschreibung"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ein bis zwei Sätze für Listen, Karte und Ankündigungen."),
    )
    description = forms.CharField(label=_("Beschreibung"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    area = forms.CharField(
        label=_("Geltungsbereich als Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "area-text", "spellcheck": "false"}),
        help_text=AREA_HELP,
    )
    area_drawn = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"class": "area-drawn"}))

    def clean(self):
        cleaned = super().clean()
        # The text field wins: the map script mirrors a drawing into it, and keyboard users type there.
        cleaned["area"] = (cleaned.get("area") or "").strip() or (cleaned.get("area_drawn") or "").strip()
        return cleaned

    def service_fields(self) -> dict:
        """Return the cleaned data as keyword arguments for plan_create/plan_update."""
        data = self.cleaned_data
        return {name: data[name] for name in ("kind", "number", "title", "summary", "description", "area")}


class PlanCreateForm(PlanForm):
    """A new plan: additionally the municipality, limited to those where the user is planner."""

    municipality = forms.ModelChoiceField(label=_("Kommune"), queryset=Municipality.objects.none())
    field_order = ["municipality", "kind", "number", "title", "summary", "description", "area"]

    def __init__(self, *args, municipalities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        if len(municipalities) == 1:
            self.fields["municipality"].initial = municipalities[0].pk


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Verfahrensschritt"), choices=Plan.Stage.choices)
    date = forms.DateField(
        label=_("Datum"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Der Tag, an dem der Schritt stattgefunden hat (z. B. der Beschluss); nicht in der Zukunft."),
    )
    note = forms.CharField(label=_("Hinweis"), max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)


class DocumentUploadForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=250)
    kind = forms.ChoiceField(label=_("Art"), choices=Document.Kind.choices)
    file = forms.FileField(
        label=_("PDF-Datei"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text=_("Nur PDF."),
    )


class DocumentReplaceForm(forms.Form):
    file = forms.FileField(
        label=_("Neue Fassung (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text=_("Die bisherige Fassung bleibt mit ihren Online-Daten in den früheren Fassungen abrufbar."),
    )
    title = forms.CharField(
        label=_("Neuer Titel"), max_length=250, required=False, help_text=_("Leer lassen, um den Titel zu behalten.")
    )


class DocumentWithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Grund"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Wird auf der Plan-Seite bei den früheren Fassungen angezeigt."),
    )
    confirm = forms.BooleanField(
        label=_("Ich bestätige: Das Dokument wird öffentlich nicht mehr abrufbar sein."), required=True
    )


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("Ich bestätige diese Aktion."), required=True)


class SectionRowForm(forms.Form):
    """One row of a document's sections page: a section's number, title, level and page (id empty: a new one)."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    number = forms.CharField(label=_("Nummer"), max_length=30, required=False)
    title = forms.CharField(label=_("Überschrift"), max_length=300, required=False)
    level = forms.IntegerField(label=_("Ebene"), min_value=1, max_value=6, initial=1)
    page = forms.IntegerField(label=_("Seite"), min_value=1, required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("DELETE") and not (cleaned.get("title") or "").strip():
            self.add_error("title", ValidationError(_("Bitte geben Sie die Überschrift an."), code="required"))
        return cleaned


SectionFormSet = forms.formset_factory(SectionRowForm, extra=1, can_delete=True, can_order=True, max_num=300)
