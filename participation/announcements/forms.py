from typing import Any

from django import forms
from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy as _

from .drafting import compile_template
from .models import Announcement, ChannelAccount, ChannelKind


class AnnouncementForm(forms.ModelForm):
    scheduled_for = forms.DateTimeField(
        label=_("Geplant für"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leer lassen, um sofort nach der Freigabe zu senden."),
    )

    class Meta:
        model = Announcement
        fields = ["title", "body", "scheduled_for"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}


class ChannelAccountForm(forms.ModelForm):
    """Credentials are write-only: stored values are never sent back to the browser."""

    SECRET_FIELDS: dict[str, list[str]] = {
        ChannelKind.X: ["consumer_key", "consumer_secret", "access_token", "access_token_secret"],
        ChannelKind.MASTODON: ["access_token"],
        ChannelKind.BLUESKY: ["app_password"],
    }
    LABELS = {
        "consumer_key": _("API Key"),
        "consumer_secret": _("API Key Secret"),
        "access_token": _("Zugangsschlüssel (Access Token)"),
        "access_token_secret": _("Access Token Secret"),
        "app_password": _("App-Passwort"),
    }

    HANDLE_HELP: dict[str, Any] = {
        ChannelKind.X: _("Benutzername bei X, z. B. @stadt_usingen"),
        ChannelKind.MASTODON: _("Vollständige Mastodon-Adresse, z. B. @stadt@mastodon.example"),
        ChannelKind.BLUESKY: _("Bluesky-Handle, z. B. usingen.bsky.social"),
    }
    SERVER_HELP: dict[str, Any] = {
        ChannelKind.MASTODON: _("Adresse der Mastodon-Instanz, z. B. https://mastodon.example"),
        ChannelKind.BLUESKY: _("Bluesky-Server (PDS); leer lassen für https://bsky.social"),
    }

    class Meta:
        model = ChannelAccount
        fields = ["enabled", "api_base_url", "handle"]

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        stored = self.instance.secrets if self.instance.pk else {}
        for name in self.SECRET_FIELDS[kind]:
            self.fields[name] = forms.CharField(
                label=self.LABELS[name],
                required=False,
                widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                help_text=_("Gespeichert – leer lassen, um den Wert zu behalten.") if stored.get(name) else "",
            )
        self.fields["handle"].help_text = self.HANDLE_HELP[kind]
        if kind == ChannelKind.X:
            self.fields["api_base_url"].widget = forms.HiddenInput()
        else:
            self.fields["api_base_url"].help_text = self.SERVER_HELP[kind]

    def secrets(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in self.SECRET_FIELDS[self.kind]}


class SubscriptionForm(forms.Form):
    KIND_CHOICES = [
        ("municipality", _("Alle neuen Pläne der Kommune")),
        ("area", _("Nur neue Pläne in der Nähe eines Ortes")),
    ]
    email = forms.EmailField(label=_("E-Mail-Adresse"))
    kind = forms.ChoiceField(
        label=_("Worüber möchten Sie informiert werden?"),
        choices=KIND_CHOICES,
        widget=forms.RadioSelect,
        initial="municipality",
    )
    latitude = forms.FloatField(
        label=_("Breitengrad"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=_("z. B. 50.3350 – auf der Karte oder in einer Karten-App ablesbar"),
    )
    longitude = forms.FloatField(
        label=_("Längengrad"), required=False, min_value=-180, max_value=180, help_text=_("z. B. 8.5370")
    )
    radius_m = forms.TypedChoiceField(
        label=_("Umkreis"),
        coerce=int,
        required=False,
        choices=[(500, "500 m"), (1000, "1 km"), (2000, "2 km"), (5000, "5 km")],
        initial=1000,
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == "area":
            if data.get("latitude") is None or data.get("longitude") is None:
                raise forms.ValidationError(_("Bitte geben Sie Breiten- und Längengrad des Ortes an."))
            if not data.get("radius_m"):
                raise forms.ValidationError(_("Bitte wählen Sie einen Umkreis."))
            data["point"] = Point(data["longitude"], data["latitude"], srid=4326)
        return data


def validate_template_body(body: str) -> None:
    compile_template(body)
