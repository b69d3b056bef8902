"""Forms of assignments: assign (person, part, due date, note), send back, the assignee's answer, a new reviewer."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .labels import person_label
from .models import Decision, ExternalReviewer

NOT_DECIDED = [("", _("– noch nicht entschieden –"))]


def assignable_people(municipality) -> list[tuple[int, str]]:
    """Return (user id, label) of the municipality's staff and its active external reviewers."""
    User = get_user_model()
    staff = User.objects.filter(memberships__municipality=municipality, is_active=True).distinct()
    reviewers = ExternalReviewer.objects.filter(municipality=municipality, active=True, user__is_active=True)
    people = [(u.pk, str(_("%(name)s (Verwaltung)") % {"name": person_label(u)})) for u in staff]
    people += [
        (
            r.user_id,
            str(
                _("%(name)s – %(organisation)s (extern)")
                % {"name": person_label(r.user), "organisation": r.organisation}
            )
            if r.organisation
            else str(_("%(name)s (extern)") % {"name": person_label(r.user)}),
        )
        for r in reviewers.select_related("user")
    ]
    return sorted(people, key=lambda item: item[1].lower())


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(label=_("Zuweisen an"), coerce=int)
    segment = forms.TypedChoiceField(label=_("Was"), coerce=int, required=False, empty_value=None)
    due_date = forms.DateField(label=_("Erledigen bis"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("Hinweis"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, municipality, weighing, segments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("– Person wählen –"))] + assignable_people(municipality)
        self.fields["segment"].choices = [("", _("die ganze Stellungnahme"))] + [
            (s.number, _("Teil %(number)s") % {"number": f"{weighing.number}.{s.number}"}) for s in segments
        ]


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("Was ist noch zu ändern?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnswerForm(forms.Form):
    """The assignee's decision and response (text blocks insertable)."""

    decision = forms.ChoiceField(label=_("Entscheidung"), required=False, choices=NOT_DECIDED + Decision.choices)
    response = forms.CharField(label=_("Abwägungsvorschlag"), required=False, widget=forms.Textarea(attrs={"rows": 8}))
    inserted_blocks = forms.CharField(required=False, widget=forms.HiddenInput)


class ReviewerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("E-Mail-Adresse"))
    organisation = forms.CharField(label=_("Büro / Stelle"), max_length=200, required=False)
