"""Forms behind an authority's access link: a statement, or the one-click "keine Anregungen oder Bedenken"."""

import uuid

from django import forms
from django.conf import settings
from django.contrib.gis.geos import LineString, Polygon
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from geodata.models import Feature
from participation.attachments import AttachmentsField, form_text
from participation.forms import SectionChoiceField, parse_drawn_geometry, plan_feature_choices
from participation.models import Statement
from participation.services import parse_location
from plans.section_services import plan_section, plan_section_choices


class _AnswerForm(forms.Form):
    """Who answers for the authority: clerk, file reference, the address for the receipt; the double-submit token."""

    clerk_name = forms.CharField(
        label=_("Sachbearbeitung (Name)"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Bitte geben Sie den Namen der Sachbearbeitung an.")},
    )
    file_reference = forms.CharField(label=_("Aktenzeichen"), max_length=100, required=False)
    email = forms.EmailField(
        label=_("E-Mail-Adresse für die Eingangsbestätigung"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Bitte geben Sie eine E-Mail-Adresse für die Eingangsbestätigung an."),
            "invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse für die Eingangsbestätigung an."),
        },
    )
    form_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, invitation, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("form_token", uuid.uuid4())
        if invitation.emails:
            initial.setdefault("email", invitation.emails[0])
        super().__init__(*args, **kwargs)
        self.invitation = invitation


class AuthorityStatementForm(_AnswerForm):
    """A statement of the authority: topic, text, optional place (map click) or plan feature, attachments."""

    field_order = ["clerk_name", "file_reference", "email", "topic", "feature", "section", "comment"]

    topic = forms.ChoiceField(label=_("Thema"), choices=Statement.Topic.choices, initial=Statement.Topic.OTHER)
    feature = forms.ChoiceField(label=_("Bezug auf einen Planinhalt (optional)"), required=False)
    section = SectionChoiceField(label=_("Abschnitt (optional)"), required=False)
    comment = forms.CharField(
        label=_("Stellungnahme"),
        required=False,  # clean() requires text, or a filled-in PDF form among the attachments
        widget=forms.Textarea(attrs={"rows": 10, "maxlength": settings.PARTICIPATION_MAX_TEXT_LENGTH}),
        max_length=settings.PARTICIPATION_MAX_TEXT_LENGTH,
        help_text=_("Höchstens %(limit)s Zeichen. Längere Ausführungen können Sie als Anhang beifügen.")
        % {"limit": settings.PARTICIPATION_MAX_TEXT_LENGTH},
        error_messages={
            "required": _("Bitte geben Sie Ihre Stellungnahme ein."),
            "max_length": _(
                "Die Stellungnahme ist zu lang: höchstens %(limit_value)d Zeichen, eingegeben %(show_value)d."
            ),
        },
    )
    attachments = AttachmentsField()
    lat = forms.CharField(required=False, widget=forms.HiddenInput)
    lon = forms.CharField(required=False, widget=forms.HiddenInput)
    drawn_area = forms.CharField(required=False, widget=forms.HiddenInput)
    drawn_line = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, invitation=invitation, **kwargs)
        self.plan = invitation.consultation.plan
        choices = plan_feature_choices(self.plan)
        if choices:
            self.fields["feature"].choices = [("", _("– kein bestimmter Planinhalt –")), *choices]
        else:
            del self.fields["feature"]
        sections = plan_section_choices(self.plan)
        if sections:
            self.fields["section"].choices = [("", _("– kein bestimmter Abschnitt –")), *sections]
        else:
            del self.fields["section"]

    def clean_drawn_area(self):
        return parse_drawn_geometry(
            self.cleaned_data.get("drawn_area"), Polygon, _("Die gezeichnete Fläche ist ungültig.")
        )

    def clean_drawn_line(self):
        return parse_drawn_geometry(
            self.cleaned_data.get("drawn_line"), LineString, _("Die gezeichnete Linie ist ungültig.")
        )

    def clean_section(self):
        value = self.cleaned_data.get("section")
        if not value:
            return None
        section = plan_section(self.plan.pk, value)
        if section is None:
            raise ValidationError(
                _("Bitte wählen Sie einen Abschnitt aus den aktuellen Dokumenten dieses Plans."), code="foreign_section"
            )
        return section

    def clean_feature(self):
        value = self.cleaned_data.get("feature")
        if not value:
            return None
        feature = Feature.objects.select_related("layer").filter(pk=value, layer__plan=self.plan).first()
        if feature is None:
            raise ValidationError(_("Der gewählte Planinhalt gehört nicht zu diesem Plan."), code="foreign_feature")
        return feature

    def clean(self):
        cleaned = super().clean()
        if "comment" in cleaned and not cleaned["comment"].strip() and not form_text(cleaned.get("attachments") or []):
            self.add_error("comment", ValidationError(self.fields["comment"].error_messages["required"], "required"))
        try:
            cleaned["location"] = parse_location(cleaned.get("lat"), cleaned.get("lon"))
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


class NoObjectionsForm(_AnswerForm):
    """The one-click answer "keine Anregungen oder Bedenken" (the clerk's name is optional here)."""

    prefix = "keine"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clerk_name"].required = False
