from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Layer

ACCEPTED = ".zip,.gpkg,.geojson,.json,.kml,.kmz,.dxf,.fgb,.gml,.xml"


class LayerUploadForm(forms.Form):
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
    crs = forms.CharField(
        label=_("Koordinatensystem"),
        max_length=20,
        required=False,
        help_text=_("Nur für Dateien ohne Koordinatensystem, z. B. EPSG:25832."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.MAX_UPLOAD_SIZE_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                _("Die Datei ist zu groß (%(size).1f MB). Erlaubt sind höchstens %(limit)d MB."),
                params={"size": upload.size / 1024 / 1024, "limit": limit},
            )
        return upload


class XPlanUploadForm(forms.Form):
    file = forms.FileField(
        label=_("XPlanGML-Datei"),
        help_text=_("XPlanGML 5.x oder 6.x als .gml oder als ZIP-Archiv; höchstens %(mb)d MB.")
        % {"mb": settings.MAX_UPLOAD_SIZE_MB},
        widget=forms.ClearableFileInput(attrs={"accept": ".gml,.xml,.zip"}),
    )
    municipality = forms.ModelChoiceField(label=_("Kommune"), queryset=None, empty_label=None)

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities

    clean_file = LayerUploadForm.clean_file
