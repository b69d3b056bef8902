"""Upload forms of the geodata staff pages (layer import, XPlanGML import, Geltungsbereich from a file)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from plans.models import Municipality, Plan

from .models import Layer

ACCEPTED = ".zip,.gpkg,.geojson,.json,.kml,.kmz,.dxf,.fgb,.gml,.xml"
AREA_ACCEPTED = ".zip,.gpkg,.geojson,.json,.kml,.kmz,.gml,.xml"


def check_upload_size(upload):
    """Refuse uploads above settings.MAX_UPLOAD_SIZE_MB before they are staged."""
    limit = settings.MAX_UPLOAD_SIZE_MB
    if upload.size > limit * 1024 * 1024:
        raise forms.ValidationError(
            _("Die Datei ist zu groß (%(size).1f MB). Erlaubt sind höchstens %(limit)d MB."),
            code="file_too_large",
            params={"size": upload.size / 1024 / 1024, "limit": limit},
        )
    return upload


class GeoFileForm(forms.Form):
    """An uploaded GIS file within the size limit, with a coordinate system for files that name none."""

    crs = forms.CharField(
        label=_("Koordinatensystem"),
        max_length=20,
        required=False,
        help_text=_("Nur für Dateien ohne Koordinatensystem, z. B. EPSG:25832."),
    )

    def clean_file(self):
        return check_upload_size(self.cleaned_data["file"])


class LayerUploadForm(GeoFileForm):
    field_order = ["file", "name", "kind", "key_attribute", "layer_name", "crs"]

    file = forms.FileField(
        label=_("Geodatei"),
        help_text=_("Shapefile (als ZIP), GeoPackage, GeoJSON, KML/KMZ, DXF oder FlatGeobuf; höchstens %(mb)d MB.")
        % {"mb": settings.MAX_UPLOAD_SIZE_MB},
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED}),
    )
    name = forms.CharField(
        label=_("Name der Ebene"),
        max_length=200,
        required=False,
        help_text=_("Leer lassen, um den Dateinamen zu verwenden."),
    )
    kind = forms.ChoiceField(label=_("Art der Ebene"), choices=Layer.Kind.choices, initial=Layer.Kind.OTHER)
    layer_name = forms.CharField(
        label=_("Ebene in der Datei"),
        max_length=200,
        required=False,
        help_text=_("Nur nötig, wenn ein GeoPackage mehrere Ebenen enthält."),
    )
    key_attribute = forms.CharField(
        label=_("Schlüsselattribut"),
        max_length=100,
        required=False,
        help_text=_(
            "Attribut, das ein Objekt über Fassungen hinweg kennzeichnet (z. B. „objektid“). Leer lassen, um "
            "eine übliche ID-Spalte (id, gml_id, fid, objectid) zu verwenden."
        ),
    )


class XPlanUploadForm(forms.Form):
    file = forms.FileField(
        label=_("XPlanGML-Datei"),
        help_text=_("XPlanGML 5.x oder 6.x als .gml oder als ZIP-Archiv; höchstens %(mb)d MB.")
        % {"mb": settings.MAX_UPLOAD_SIZE_MB},
        widget=forms.ClearableFileInput(attrs={"accept": ".gml,.xml,.zip"}),
    )
    municipality: "forms.ModelChoiceField[Municipality]" = forms.ModelChoiceField(
        label=_("Kommune"), queryset=None, empty_label=None
    )
    plan: "forms.ModelChoiceField[Plan]" = forms.ModelChoiceField(
        label=_("Plan"),
        queryset=None,
        required=False,
        empty_label=_("Automatisch zuordnen"),
        help_text=_(
            "Automatisch: ein Plan derselben Kommune mit derselben Planart (Bebauungsplan oder "
            "Flächennutzungsplan), Nummer und demselben Namen wird aktualisiert, sonst wird ein neuer Plan "
            "angelegt. Wählen Sie einen Plan, um genau diesen zu aktualisieren."
        ),
    )

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        self.fields["plan"].queryset = (
            Plan.objects.filter(municipality__in=municipalities).select_related("municipality").order_by("title")
        )

    def clean_file(self):
        return check_upload_size(self.cleaned_data["file"])

    def clean(self):
        cleaned = super().clean()
        plan, municipality = cleaned.get("plan"), cleaned.get("municipality")
        if plan is not None and municipality is not None and plan.municipality_id != municipality.pk:
            self.add_error("plan", _("Der gewählte Plan gehört nicht zur gewählten Kommune."))
        return cleaned


class PlanAreaUploadForm(GeoFileForm):
    field_order = ["file", "layer_name", "crs"]

    file = forms.FileField(
        label=_("Datei mit dem Geltungsbereich"),
        help_text=_(
            "Shapefile (als ZIP), GeoPackage, GeoJSON, KML/KMZ oder XPlanGML; höchstens %(mb)d MB. Alle Flächen "
            "der Datei werden zu einem Geltungsbereich vereinigt; bei XPlanGML gilt der räumliche "
            "Geltungsbereich des Plans."
        )
        % {"mb": settings.MAX_UPLOAD_SIZE_MB},
        widget=forms.ClearableFileInput(attrs={"accept": AREA_ACCEPTED}),
    )
    layer_name = forms.CharField(
        label=_("Ebene in der Datei"),
        max_length=200,
        required=False,
        help_text=_("Nur nötig, wenn ein GeoPackage oder ZIP-Archiv mehrere Ebenen enthält."),
    )


class ValidationOverrideForm(forms.Form):
    """The reason for publishing a plan version despite errors in its Prüfbericht."""

    reason = forms.CharField(
        label=_("Begründung für die Veröffentlichung trotz Fehlern"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,  # the service refuses an empty reason with its own message
        help_text=_("Die Begründung wird mit Ihrem Namen und dem Zeitpunkt gespeichert."),
    )
