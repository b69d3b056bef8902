"""Forms: the public statement form (an xtd comment form) and the staff forms."""

import functools
import json
import uuid

from django import forms
from django.conf import settings
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, LineString, Polygon
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_comments_xtd.forms import XtdCommentForm

from geodata.changes.selectors import default_versions, plan_versions
from geodata.labels import feature_choice_labels
from geodata.models import Feature, Layer, PlanVersion
from plans import rules
from plans.section_services import plan_section, plan_section_choices

from .attachments import AttachmentsField, form_text
from .models import Consultation, Statement
from .services import check_reply_parent, check_statement_place, parse_location

MAX_FEATURE_CHOICES = 200


def _area_m2(geometry, srid: int) -> float | None:
    if geometry.dims < 2:
        return None
    try:
        return geometry.transform(srid, clone=True).area
    except (GEOSException, GDALException, ValueError):
        return None


def plan_feature_choices(plan) -> list[tuple[str, str]]:
    """Return (id, label) pairs for the features of the plan's current version a statement may refer to (small layers).

    Labels are human (geodata.labels): "Baugebiete: Allgemeines Wohngebiet (2 von 4, ca. 1.200 m²)".
    """
    features = list(
        Feature.objects.filter(layer__plan=plan, layer__current=True)
        .exclude(layer__kind__in=(Layer.Kind.SCOPE, Layer.Kind.LABELS))  # labels only repeat what they label
        .select_related("layer")
        .only("pk", "properties", "geometry", "layer__name")
        .order_by("layer__order", "layer_id", "pk")[: MAX_FEATURE_CHOICES + 1]
    )
    if len(features) > MAX_FEATURE_CHOICES:
        return []
    srid = plan.municipality.crs_epsg
    labels = feature_choice_labels([(f.layer.name, f.properties, _area_m2(f.geometry, srid)) for f in features])
    return [(str(f.pk), label) for f, label in zip(features, labels, strict=True)]


def parse_drawn_geometry(raw, kind, message):
    """Return the drawn GeoJSON geometry of type `kind` (at most 500 vertices, valid), None if empty; else refuse."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        geometry = GEOSGeometry(json.dumps(json.loads(raw)), srid=4326)
    except (ValueError, TypeError, GEOSException):
        raise ValidationError(message, code="invalid_geometry") from None
    if not isinstance(geometry, kind) or geometry.empty or not geometry.valid or geometry.num_coords > 500:
        raise ValidationError(message, code="invalid_geometry")
    return geometry


def set_text_limit(field: forms.CharField) -> None:
    """Give `field` the one text limit (settings.PARTICIPATION_MAX_TEXT_LENGTH) in validator, maxlength and help.

    xtd's form sets django_comments' COMMENT_MAX_LENGTH (3000) on the field; this replaces it everywhere.
    """
    limit = settings.PARTICIPATION_MAX_TEXT_LENGTH
    field.max_length = limit
    field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
    field.validators.append(MaxLengthValidator(limit))
    field.widget.attrs["maxlength"] = str(limit)
    field.help_text = _("Höchstens %(limit)s Zeichen.") % {"limit": number_format(limit, force_grouping=True)}


class SectionChoiceField(forms.ChoiceField):
    """A section of the plan's texts; `clean_section` checks it in the database, so choices are read only to render."""

    def validate(self, value):
        forms.Field.validate(self, value)


class StatementForm(XtdCommentForm):
    """The public statement form: text, topic, optional place or plan feature, name and e-mail for guests."""

    comment = forms.CharField(
        label=_("Ihre Stellungnahme"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Bitte geben Sie Ihre Stellungnahme ein."),
            "max_length": _(
                "Ihre Stellungnahme ist zu lang: höchstens %(limit_value)d Zeichen, eingegeben %(show_value)d. "
                "Längere Stellungnahmen können Sie gern per Post oder E-Mail einreichen."
            ),
        },
    )
    topic = forms.ChoiceField(label=_("Thema"), choices=Statement.Topic.choices, initial=Statement.Topic.OTHER)
    feature = forms.ChoiceField(label=_("Bezug auf einen Planinhalt (optional)"), required=False)
    section = SectionChoiceField(label=_("Abschnitt (optional)"), required=False)
    attachments = AttachmentsField()
    lat = forms.CharField(required=False, widget=forms.HiddenInput)
    lon = forms.CharField(required=False, widget=forms.HiddenInput)
    drawn_area = forms.CharField(required=False, widget=forms.HiddenInput)
    drawn_line = forms.CharField(required=False, widget=forms.HiddenInput)
    privacy_consent = forms.BooleanField(
        label=_("Ich habe die Datenschutzhinweise zur Kenntnis genommen."),
        error_messages={
            "required": _("Bitte bestätigen Sie, dass Sie die Datenschutzhinweise zur Kenntnis genommen haben.")
        },
    )
    public_opt_in = forms.BooleanField(
        label=_("Meine Stellungnahme darf mit meinem Kürzel (z. B. Erika M.) öffentlich angezeigt werden."),
        help_text=_("Freiwillig. Ohne dieses Häkchen sieht nur die Verwaltung Ihre Stellungnahme."),
        required=False,
    )
    official = forms.BooleanField(label=_("Als offizielle Antwort der Verwaltung kennzeichnen"), required=False)
    form_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, target_object, *args, user=None, citizen=None, feature_choices=None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("form_token", uuid.uuid4())
        super().__init__(target_object, *args, **kwargs)
        self.user = user
        self.citizen = citizen  # a BundID identity (accounts.bundid): name and address come from its assertion
        del self.fields["url"]
        del self.fields["followup"]
        self.fields["comment"].widget.attrs.pop("placeholder", None)  # xtd's English placeholder
        self.fields["comment"].widget.attrs.update({"rows": 8})
        set_text_limit(self.fields["comment"])
        # A filled-in PDF form may be the statement: clean() requires text or such a form.
        self.fields["comment"].required = False
        self.fields["name"].label = _("Name")
        self.fields["name"].widget = forms.TextInput(attrs={"autocomplete": "name"})
        self.fields["email"].label = _("E-Mail-Adresse")
        self.fields["email"].help_text = _(
            "Sie erhalten einen Link zur Bestätigung. Die Adresse wird nicht veröffentlicht."
        )
        self.fields["email"].widget = forms.EmailInput(attrs={"autocomplete": "email"})
        self.fields["honeypot"].label = _("Dieses Feld bitte leer lassen")
        self.fields["reply_to"].required = False
        if (user is not None and user.is_authenticated) or citizen is not None:
            del self.fields["name"]
            del self.fields["email"]
        if not self._is_staff(user):
            del self.fields["official"]
        self.feature_choices = (
            feature_choices if feature_choices is not None else plan_feature_choices(target_object.plan)
        )
        if self.feature_choices:
            self.fields["feature"].choices = [("", _("– kein bestimmter Planinhalt –"))] + self.feature_choices
        else:
            del self.fields["feature"]
        self.section_choices = functools.cache(lambda: plan_section_choices(target_object.plan))  # read on render
        self.fields["section"].choices = lambda: [("", _("– kein bestimmter Abschnitt –"))] + self.section_choices()

    def _is_staff(self, user):
        if user is None or not user.is_authenticated:
            return False
        return rules.can_moderate(user, self.target_object.plan.municipality)

    def clean_honeypot(self):
        if self.cleaned_data.get("honeypot"):
            raise ValidationError(_("Ihre Eingabe wurde als automatisiert erkannt und nicht gespeichert."))
        return ""

    def clean_timestamp(self):
        ts = self.cleaned_data["timestamp"]
        if timezone.now().timestamp() - ts > settings.COMMENTS_TIMEOUT:
            raise ValidationError(_("Das Formular ist abgelaufen. Bitte laden Sie die Seite neu."))
        return ts

    def clean_security_hash(self):
        try:
            return super().clean_security_hash()
        except ValidationError:
            raise ValidationError(_("Das Formular wurde verändert und kann nicht angenommen werden.")) from None

    def clean_reply_to(self):
        value = self.cleaned_data.get("reply_to") or 0
        if not value:
            return None
        parent = Statement.objects.filter(pk=value).first()
        if parent is None:
            raise ValidationError(_("Der Beitrag, auf den Sie antworten, existiert nicht."))
        check_reply_parent(self.target_object, parent)
        return parent

    def clean_feature(self):
        value = self.cleaned_data.get("feature")
        if not value:
            return None
        return Feature.objects.select_related("layer").get(pk=int(value))

    def clean_section(self):
        value = self.cleaned_data.get("section")
        if not value:
            return None
        section = plan_section(self.target_object.plan_id, value)
        if section is None:
            raise ValidationError(
                _("Bitte wählen Sie einen Abschnitt aus den aktuellen Dokumenten dieses Plans."), code="foreign_section"
            )
        return section

    def _drawn_geometry(self, name, kind, message):
        return parse_drawn_geometry(self.cleaned_data.get(name), kind, message)

    def clean_drawn_area(self):
        return self._drawn_geometry("drawn_area", Polygon, _("Die gezeichnete Fläche ist ungültig."))

    def clean_drawn_line(self):
        return self._drawn_geometry("drawn_line", LineString, _("Die gezeichnete Linie ist ungültig."))

    def clean(self):
        cleaned = super().clean()
        if "comment" in cleaned and not cleaned["comment"].strip() and not form_text(cleaned.get("attachments") or []):
            self.add_error("comment", ValidationError(self.fields["comment"].error_messages["required"], "required"))
        try:
            cleaned["location"] = parse_location(self.data.get("lat"), self.data.get("lon"))
        except ValidationError as error:
            self.add_error(None, error)
            return cleaned
        if str(self.data.get("object_pk", "")) != str(self.target_object.pk):
            raise ValidationError(_("Das Formular gehört zu einer anderen Beteiligung."))
        try:
            check_statement_place(
                self.target_object,
                location=cleaned.get("location"),
                drawn_area=cleaned.get("drawn_area"),
                drawn_line=cleaned.get("drawn_line"),
                feature=cleaned.get("feature"),
            )
        except ValidationError as error:
            for messages in error.message_dict.values():
                for message in messages:
                    self.add_error(None, message)
        return cleaned


class VersionChoiceField(forms.ModelChoiceField):
    """A plan version, labelled "2. Fassung vom 30.11.2026 (plan.gml)"."""

    def label_from_instance(self, obj):
        label = _("%(number)s. Fassung vom %(date)s") % {"number": obj.number, "date": f"{obj.created_at:%d.%m.%Y}"}
        return f"{label} ({obj.source_name})" if obj.source_name else label


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ConsultationForm(forms.Form):
    """Create (or, before the start, edit) a consultation: kind, round, period and how the public takes part."""

    kind = forms.ChoiceField(label=_("Art der Beteiligung"), choices=Consultation.Kind.choices)
    round = forms.IntegerField(label=_("Runde"), min_value=1, max_value=99, initial=1)
    title = forms.CharField(label=_("Titel (optional)"), required=False, max_length=250)
    start_date = forms.DateField(label=_("Beginn"), widget=_date_input())
    end_date = forms.DateField(
        label=_("Ende (einschließlich, bis 24:00 Uhr)"),
        widget=_date_input(),
        help_text=_(
            "§ 3 Abs. 2 und § 4 Abs. 2 BauGB: mindestens einen Monat, mindestens 30 Tage "
            "(Beginn 1. März: Ende frühestens 31. März). § 3 Abs. 1: keine feste Dauer."
        ),
    )
    reason = forms.CharField(
        label=_("Begründung für eine verkürzte Frist"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Nur bei einer erneuten Veröffentlichung (§ 4a Abs. 3 BauGB), die kürzer als einen Monat dauert."),
    )
    moderation = forms.ChoiceField(
        label=_("Moderation"), choices=Consultation.Moderation.choices, initial=Consultation.Moderation.PRE
    )
    access_routes = forms.CharField(
        label=_("Weitere Zugangswege"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("z. B. Auslegung im Rathaus, Zimmer 12, Mo–Fr 8–12 Uhr"),
    )
    contact = forms.CharField(label=_("Ansprechperson"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    authority_stage = forms.ChoiceField(
        label=_("Beteiligungsschritt (nur § 4 BauGB)"),
        choices=Consultation.AuthorityStage.choices,
        initial=Consultation.AuthorityStage.FORMAL,
        required=False,
    )
    old_version = VersionChoiceField(
        label=_("Frühere Fassung (nur bei erneuter Beteiligung nach § 4a Abs. 3 BauGB)"),
        queryset=PlanVersion.objects.none(),
        required=False,
        help_text=_("Die Änderungen gegenüber dieser Fassung werden berechnet und auf der Planseite gezeigt."),
    )
    new_version = VersionChoiceField(label=_("Geänderte Fassung"), queryset=PlanVersion.objects.none(), required=False)
    limited_to_changes = forms.BooleanField(
        label=_("Stellungnahmen nur zu den geänderten Teilen"),
        required=False,
        help_text=_(
            "§ 4a Abs. 3 Satz 2 BauGB: Dann nimmt das Formular nur Orte und Planinhalte in den geänderten Teilen an."
        ),
    )

    def __init__(self, *args, plan=None, consultation: Consultation | None = None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.consultation = consultation
        if editing:  # kind, round and § 4 step define the consultation; they are fixed once it exists
            del self.fields["kind"]
            del self.fields["round"]
            del self.fields["authority_stage"]
        versions = plan_versions(plan) if plan is not None else PlanVersion.objects.none()
        self.fields["old_version"].queryset = versions  # type: ignore[attr-defined]
        self.fields["new_version"].queryset = versions  # type: ignore[attr-defined]
        if not editing and plan is not None:
            previous, current = default_versions(plan)
            self.fields["old_version"].initial = previous
            self.fields["new_version"].initial = current
        if not versions:
            for name in ("old_version", "new_version", "limited_to_changes"):
                del self.fields[name]

    def clean(self):
        """Drop the compared versions for a consultation that is no round after changes (§ 4a Abs. 3)."""
        cleaned = super().clean()
        kind = cleaned.get("kind") or getattr(self.consultation, "kind", "")
        stage = cleaned.get("authority_stage") or getattr(self.consultation, "authority_stage", "")
        changes_round = kind == Consultation.Kind.REPUBLICATION or (
            kind == Consultation.Kind.AUTHORITIES and stage == Consultation.AuthorityStage.CHANGES
        )
        if "old_version" in self.fields and not changes_round:
            cleaned["old_version"] = cleaned["new_version"] = None
            if cleaned.get("limited_to_changes"):
                self.add_error(
                    "limited_to_changes",
                    ValidationError(
                        _(
                            "Nur eine erneute Beteiligung nach § 4a Abs. 3 BauGB kann auf die Änderungen "
                            "beschränkt werden."
                        ),
                        code="limited_wrong_kind",
                    ),
                )
        if "authority_stage" in self.fields and kind != Consultation.Kind.AUTHORITIES:
            cleaned["authority_stage"] = ""
        return cleaned

    def add_service_errors(self, error: ValidationError) -> None:
        """Attach a service's ValidationError to the matching fields (others to the form)."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)


class BekanntmachungForm(forms.Form):
    """Date, media and text of the ortsübliche Bekanntmachung."""

    date = forms.DateField(
        label=_("Datum der ortsüblichen Bekanntmachung"),
        widget=_date_input(),
        help_text=_(
            "Die Beteiligung öffnet frühestens an ihrem Beginn und nur, wenn die Bekanntmachung vorher erfolgt ist."
        ),
    )
    media = forms.MultipleChoiceField(  # type: ignore[assignment]  # the form metaclass removes fields from the class
        label=_("Bekanntgemacht in"), choices=Consultation.Medium.choices, widget=forms.CheckboxSelectMultiple
    )
    text = forms.CharField(
        label=_("Text der Bekanntmachung"),
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Entwurf aus den bekannten Angaben (§ 3 Abs. 2 Satz 4 BauGB): Internetadresse, Zeitraum, verfügbare "
            "Umweltinformationen, Abgabe von Stellungnahmen, Folgen verspäteter Stellungnahmen. Bitte prüfen."
        ),
    )

    add_service_errors = ConsultationForm.add_service_errors


class CloseForm(forms.Form):
    """Early close: reason and, for a statutory period, the confirmed legal risk."""

    reason = forms.CharField(label=_("Begründung"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    confirm_legal_risk = forms.BooleanField(
        label=_(
            "Mir ist bewusst, dass das vorzeitige Beenden die gesetzliche Frist verkürzt und der Plan dadurch "
            "fehlerhaft werden kann (§ 214 Abs. 1 Nr. 2 BauGB)."
        ),
        required=False,
    )

    add_service_errors = ConsultationForm.add_service_errors


class PeriodActionForm(forms.Form):
    """Dates and reason for one period action in the staff UI."""

    start_date = forms.DateField(label=_("Beginn"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        label=_("Ende (einschließlich)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Begründung"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, reason_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if reason_required:  # the service refuses an empty reason; say so in the label
            self.fields["reason"].label = format_lazy("{} ({})", self.fields["reason"].label, _("erforderlich"))


class ModerationForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("approve", _("Freigeben")), ("hide", _("Ausblenden")), ("unhide", _("Wieder einblenden"))]
    )
    reason = forms.CharField(label=_("Begründung"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PaperStatementForm(forms.Form):
    """A statement received by post, e-mail or in person, entered by staff."""

    received_on = forms.DateField(label=_("Eingangsdatum"), widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(
        label=_("Eingangsweg"), choices=[c for c in Statement.Channel.choices if c[0] != Statement.Channel.ONLINE]
    )
    topic = forms.ChoiceField(label=_("Thema"), choices=Statement.Topic.choices, initial=Statement.Topic.OTHER)
    text = forms.CharField(
        label=_("Text der Stellungnahme"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,  # the service requires text, or a filled-in PDF form among the attachments
        help_text=_("Leer lassen, wenn ein ausgefülltes PDF-Formular angehängt ist: dessen Felder werden übernommen."),
    )
    name = forms.CharField(label=_("Name"), required=False, max_length=50)
    email = forms.EmailField(label=_("E-Mail-Adresse"), required=False)
    postal_address = forms.CharField(label=_("Anschrift"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    attachments = AttachmentsField()
