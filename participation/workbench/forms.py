"""Workbench forms: table filters, bulk actions, a statement's weighing, group answers, grouping threshold."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from geodata.models import Feature
from participation.models import Statement
from plans.models import DocumentSection

from .labels import CHANNEL_CHOICES, person_label
from .models import Assignment, CouncilTemplate, Decision, Segment, StatementGroup, TextBlock, Weighing
from .selectors import late_q

OPEN = "open"
AUTHORITIES, PUBLIC = "authorities", "public"
BY_SECTION = "section"
ASSIGNED, OVERDUE = "open", "overdue"


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Suche im Text"), required=False, max_length=200)
    topic = forms.ChoiceField(label=_("Thema"), required=False, choices=[("", _("alle"))] + Statement.Topic.choices)
    decision = forms.ChoiceField(
        label=_("Entscheidung"), required=False, choices=[("", _("alle")), (OPEN, _("noch offen"))] + Decision.choices
    )
    sender = forms.ChoiceField(
        label=_("Absender"),
        required=False,
        choices=[("", _("alle")), (AUTHORITIES, _("nur Behörden/TöB")), (PUBLIC, _("nur Öffentlichkeit"))],
    )
    channel = forms.ChoiceField(label=_("Eingangsweg"), required=False, choices=[("", _("alle"))] + CHANNEL_CHOICES)
    timing = forms.ChoiceField(
        label=_("Frist"),
        required=False,
        choices=[("", _("alle")), ("in_time", _("fristgerecht")), ("late", _("verspätet"))],
    )
    located = forms.ChoiceField(
        label=_("Ortsangabe"), required=False, choices=[("", _("alle")), ("yes", _("mit Ort")), ("no", _("ohne Ort"))]
    )
    feature = forms.TypedChoiceField(label=_("Planinhalt"), required=False, coerce=int, empty_value=None)
    section = forms.TypedChoiceField(label=_("Abschnitt"), required=False, coerce=int, empty_value=None)
    group = forms.TypedChoiceField(label=_("Gruppe"), required=False, coerce=int, empty_value=None)
    assignee = forms.TypedChoiceField(label=_("Zugewiesen an"), required=False, coerce=int, empty_value=None)
    assignment = forms.ChoiceField(
        label=_("Zuweisung"),
        required=False,
        choices=[("", _("alle")), (ASSIGNED, _("offen zugewiesen")), (OVERDUE, _("überfällig"))],
    )
    order = forms.ChoiceField(
        label=_("Sortierung"),
        required=False,
        choices=[("", _("nach Nummer")), (BY_SECTION, _("nach Abschnitt gruppiert"))],
    )

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.consultation = consultation
        features = (
            Feature.objects.filter(statements__consultation=consultation)
            .select_related("layer")
            .distinct()
            .order_by("layer__name", "id")
        )
        self.fields["feature"].choices = [("", _("alle"))] + [(f.pk, f"{f.layer.name}: {f}") for f in features]
        sections = (
            DocumentSection.objects.filter(statements__consultation=consultation)
            .select_related("document")
            .distinct()
            .order_by("document__order", "document_id", "order", "id")
        )
        self.fields["section"].choices = [("", _("alle"))] + [(s.pk, f"{s.document.title}: {s}") for s in sections]
        groups = StatementGroup.objects.filter(consultation=consultation).order_by("id")
        self.fields["group"].choices = [("", _("alle"))] + [(g.pk, g.label) for g in groups]
        assignees = (
            get_user_model()
            .objects.filter(
                assignments__weighing__statement__consultation=consultation, assignments__done_at__isnull=True
            )
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
        self.fields["assignee"].choices = [("", _("alle"))] + [(u.pk, person_label(u)) for u in assignees]

    @classmethod
    def describe(cls, consultation, query: str) -> list[tuple[str, str]]:
        """Return (label, shown value) of each filter set in the query string `query`."""
        form = cls(QueryDict(query), consultation=consultation)
        form.is_valid()
        described = []
        for name, value in form.cleaned_data.items():
            if value in (None, ""):
                continue
            field = form.fields[name]
            choices = dict((str(k), v) for k, v in getattr(field, "choices", []))
            described.append((str(field.label), str(choices.get(str(value), value))))
        return described

    def apply(self, queryset):
        """Return `queryset` narrowed by the valid filters (invalid ones are ignored and shown as errors)."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("q"):
            queryset = queryset.filter(comment__icontains=data["q"])
        if data.get("topic"):
            queryset = queryset.filter(topic=data["topic"])
        if data.get("decision") == OPEN:
            queryset = queryset.filter(Q(weighing__decision="") | Q(weighing__isnull=True))
        elif data.get("decision"):
            queryset = queryset.filter(weighing__decision=data["decision"])
        if data.get("sender") == AUTHORITIES:
            queryset = queryset.filter(channel=Statement.Channel.AUTHORITY)
        elif data.get("sender") == PUBLIC:
            queryset = queryset.exclude(channel=Statement.Channel.AUTHORITY)
        if data.get("channel"):
            queryset = queryset.filter(channel=data["channel"])
        if data.get("timing") == "late":
            queryset = queryset.filter(late_q(self.consultation))
        elif data.get("timing") == "in_time":
            queryset = queryset.exclude(late_q(self.consultation))
        if data.get("located") == "yes":
            queryset = queryset.filter(
                Q(location__isnull=False) | Q(drawn_area__isnull=False) | Q(drawn_line__isnull=False)
            )
        elif data.get("located") == "no":
            queryset = queryset.filter(location__isnull=True, drawn_area__isnull=True, drawn_line__isnull=True)
        if data.get("feature"):
            queryset = queryset.filter(feature_id=data["feature"])
        if data.get("section"):
            queryset = queryset.filter(section_id=data["section"])
        if data.get("group"):
            queryset = queryset.filter(weighing__group_id=data["group"])
        open_assignments = Assignment.objects.filter(weighing__statement=OuterRef("pk"), done_at__isnull=True)
        if data.get("assignee"):
            queryset = queryset.filter(Exists(open_assignments.filter(assignee_id=data["assignee"])))
        if data.get("assignment") == ASSIGNED:
            queryset = queryset.filter(Exists(open_assignments))
        elif data.get("assignment") == OVERDUE:
            queryset = queryset.filter(Exists(open_assignments.filter(due_date__lt=timezone.localdate())))
        return queryset

    @property
    def by_section(self) -> bool:
        """Return whether the statements are to be grouped (ordered) by plan text section."""
        return self.is_valid() and self.cleaned_data.get("order") == BY_SECTION


class BulkActionForm(forms.Form):
    ACTIONS = [
        ("decide", _("Entscheidung und Abwägung setzen")),
        ("group", _("Zu einer Gruppe zusammenfassen")),
        ("ungroup", _("Aus Gruppen lösen")),
    ]
    SCOPES = [("selected", _("ausgewählte Stellungnahmen")), ("filtered", _("alle gefilterten Stellungnahmen"))]

    action = forms.ChoiceField(label=_("Aktion"), choices=ACTIONS)
    scope = forms.ChoiceField(label=_("Anwenden auf"), choices=SCOPES, initial="selected")
    statements = forms.TypedMultipleChoiceField(label=_("Auswahl"), required=False, coerce=int)
    decision = forms.ChoiceField(
        label=_("Entscheidung"), required=False, choices=[("", _("unverändert"))] + Decision.choices
    )
    response = forms.CharField(
        label=_("Abwägungsvorschlag"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leer lassen, um vorhandene Texte nicht zu ändern."),
    )
    label = forms.CharField(label=_("Name der Gruppe"), required=False, max_length=200)
    filters = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, statement_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["statements"].choices = [(i, i) for i in statement_ids]

    def clean(self):
        data = super().clean()
        if data.get("scope") == "selected" and not data.get("statements"):
            raise forms.ValidationError(_("Bitte wählen Sie mindestens eine Stellungnahme aus."))
        if data.get("action") == "decide" and not data.get("decision") and not data.get("response"):
            raise forms.ValidationError(_("Bitte geben Sie eine Entscheidung oder einen Abwägungstext an."))
        return data


NOT_DECIDED = [("", _("– noch nicht entschieden –"))]


class WeighingForm(forms.ModelForm):
    # Ids of text blocks inserted into the response (by the picker), recorded as used when saved.
    inserted_blocks = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = NOT_DECIDED + Decision.choices

    class Meta:
        model = Weighing
        fields = ["decision", "response", "internal_note", "organisation"]
        widgets = {
            "response": forms.Textarea(attrs={"rows": 8}),
            "internal_note": forms.Textarea(attrs={"rows": 3}),
        }


class GroupAnswerForm(forms.Form):
    decision = forms.ChoiceField(label=_("Entscheidung"), choices=Decision.choices)
    response = forms.CharField(label=_("Gemeinsame Abwägung"), widget=forms.Textarea(attrs={"rows": 8}))
    inserted_blocks = forms.CharField(required=False, widget=forms.HiddenInput)


class TextBlockForm(forms.ModelForm):
    """A text block's title, topic and text; the service checks the placeholders."""

    class Meta:
        model = TextBlock
        fields = ["title", "topic", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "text": _(
                "Platzhalter: {plan} Titel des Plans, {plan_nummer} Nummer des Plans, {kommune} Name der Kommune, "
                "{gremium} Beschlussgremium, {datum} heutiges Datum, {frist_ende} letzter Tag der Beteiligung."
            ),
            "topic": _("Leer lassen für Bausteine zu allen Themen."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", _("alle Themen"))] + Statement.Topic.choices


class TextBlockPickForm(forms.Form):
    """The picker in the weighing and group views: which block to insert."""

    text_block = forms.TypedChoiceField(label=_("Textbaustein"), coerce=int, required=False)

    def __init__(self, *args, blocks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text_block"].choices = [("", _("– Textbaustein wählen –"))] + [
            (b.pk, f"{b.title} ({b.get_topic_display()})" if b.topic else b.title) for b in blocks
        ]


class GroupSimilarForm(forms.Form):
    threshold = forms.FloatField(
        label=_("Mindest-Übereinstimmung ähnlicher Stellungnahmen (0,5–1,0)"),
        help_text=_(
            "Ähnliche Stellungnahmen werden gruppiert, wenn ihre Wortfolgen mindestens so weit übereinstimmen: "
            "0,85 bedeutet Übereinstimmung 85 %, 1,0 nur wortgleiche Texte."
        ),
        min_value=0.5,
        max_value=1.0,
        initial=0.8,
        localize=True,
    )


class ResultPublishForm(forms.Form):
    """The council's decision the result rests on; the service checks it (codes reach the fields)."""

    council_body = forms.CharField(
        label=_("Beschlussgremium"),
        max_length=100,
        required=False,
        help_text=_("Das Gremium, das über die Abwägung beschlossen hat, z. B. Gemeindevertretung."),
    )
    decided_on = forms.DateField(
        label=_("Datum des Beschlusses"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    notify = forms.BooleanField(label=_("Einreichende per E-Mail benachrichtigen"), required=False, initial=True)


class SegmentCreateForm(forms.Form):
    """A text span of the statement (character offsets), set by selecting text or typed in without JavaScript."""

    start = forms.IntegerField(label=_("Beginn (Zeichen)"), min_value=0)
    end = forms.IntegerField(label=_("Ende (Zeichen)"), min_value=0)


class SegmentForm(forms.ModelForm):
    """A segment's topic, plan section and element, decision and response."""

    inserted_blocks = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Segment
        fields = ["topic", "section", "feature", "decision", "response"]
        widgets = {"response": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = NOT_DECIDED + Decision.choices
        self.fields["topic"].choices = [("", _("wie die Stellungnahme"))] + Statement.Topic.choices
        self.fields["section"].queryset = (
            DocumentSection.objects.filter(document__plan=consultation.plan)
            .select_related("document")
            .order_by("document__order", "document_id", "order", "id")
        )
        self.fields["section"].label_from_instance = lambda s: f"{s.document.title}: {s}"
        # The plan's elements that statements of this round refer to (a plan may have thousands of elements).
        current = self.instance.feature_id if self.instance else None
        self.fields["feature"].queryset = (
            Feature.objects.filter(layer__plan=consultation.plan)
            .filter(Q(statements__consultation=consultation) | Q(pk=current))
            .select_related("layer")
            .distinct()
            .order_by("layer__name", "id")
        )
        self.fields["feature"].label_from_instance = lambda f: f"{f.layer.name}: {f}"
        self.fields["section"].empty_label = self.fields["feature"].empty_label = _("– keine Angabe –")


class CouncilDecisionForm(forms.Form):
    """The council's decision on the Abwägungsvorschläge (body and date); the service checks them."""

    council_body = forms.CharField(label=_("Beschlussgremium"), max_length=100, required=False)
    decided_on = forms.DateField(
        label=_("Datum des Beschlusses"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class CouncilTemplateForm(forms.Form):
    """Which council document a municipality's Word template is for, and the file; the service checks the file."""

    kind = forms.ChoiceField(label=_("Dokument"), choices=CouncilTemplate.Kind.choices)
    file = forms.FileField(
        label=_("Word-Vorlage (DOCX)"),
        help_text=_("Eine DOCX-Datei ohne Makros mit den Platzhaltern aus der Anleitung."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
        ),
    )
