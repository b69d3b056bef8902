from django import forms
from django.utils.translation import gettext_lazy as _

from plans.models import Plan


class SourceForm(forms.Form):
    """The municipality's OParl endpoint."""

    system_url = forms.URLField(
        label=_("OParl-Adresse (System)"),
        max_length=500,
        required=False,
        help_text=_("z. B. https://ris.example.de/oparl/v1/system; leer: keine Anbindung."),
    )
    body_url = forms.URLField(
        label=_("Körperschaft (optional)"),
        max_length=500,
        required=False,
        help_text=_("OParl-ID der Körperschaft, wenn das System mehrere führt; leer: die erste."),
    )


class LinkForm(forms.Form):
    """Link a paper (and one of its agenda items) to a stage."""

    paper = forms.IntegerField(widget=forms.HiddenInput)
    agenda_item = forms.IntegerField(label=_("Tagesordnungspunkt"), required=False)
    stage = forms.ChoiceField(label=_("Verfahrensschritt"), choices=Plan.Stage.choices)


class ConfirmLinkForm(forms.Form):
    """Confirm a suggestion, optionally with another stage."""

    stage = forms.ChoiceField(label=_("Verfahrensschritt"), choices=Plan.Stage.choices, required=False)
