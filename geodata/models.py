"""Geometry layers of a plan and their features."""

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from plans.models import Plan


def default_style():
    return {"color": "#1f5fa8", "fillColor": "#1f5fa8", "fillOpacity": 0.25, "weight": 2}


class LayerQuerySet(models.QuerySet):
    def public(self):
        """Return the layers of published plans."""
        return self.filter(plan__in=Plan.objects.published())


class Layer(models.Model):
    """An ordered, styled set of features shown on a plan's map."""

    class Kind(models.TextChoices):
        SCOPE = "scope", _("Geltungsbereich")
        BUILDING_AREAS = "building_areas", _("Baugebiete")
        GREEN_SPACES = "green_spaces", _("Grünflächen")
        TRAFFIC_AREAS = "traffic_areas", _("Verkehrsflächen")
        EXISTING = "existing", _("Bestand")
        OTHER = "other", _("Sonstiges")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="layers")
    name = models.CharField(_("Name"), max_length=200)
    kind = models.CharField(_("Art"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    order = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    style = models.JSONField(_("Darstellung"), default=default_style, blank=True)
    visible_by_default = models.BooleanField(_("Standardmäßig sichtbar"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    feature_count = models.PositiveIntegerField(default=0, editable=False)
    source_name = models.CharField(_("Quelldatei"), max_length=300, blank=True)
    source_crs = models.CharField(_("Quell-Koordinatensystem"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LayerQuerySet.as_manager()

    class Meta:
        verbose_name = _("Ebene")
        verbose_name_plural = _("Ebenen")
        ordering = ["plan", "order", "id"]

    def __str__(self):
        return self.name


class Feature(models.Model):
    """One geometry with its attributes."""

    layer = models.ForeignKey(Layer, on_delete=models.CASCADE, related_name="features")
    geometry = models.GeometryField(_("Geometrie"), srid=4326)
    properties = models.JSONField(_("Attribute"), default=dict, blank=True)
    source_id = models.CharField(_("Quell-ID"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Objekt")
        verbose_name_plural = _("Objekte")

    def __str__(self):
        return self.source_id or f"#{self.pk}"
