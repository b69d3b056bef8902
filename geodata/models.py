"""Geometry layers of a plan and their features."""

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from plans.models import Municipality, Plan


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
        LABELS = "labels", _("Beschriftungen")
        RASTER = "raster", _("Planzeichnung (Rasterbild)")
        CHANGES = "changes", _("Änderungen")
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
    xplan_class = models.CharField(
        _("XPlanung-Klasse"), max_length=100, blank=True, help_text=_("z. B. BP_BaugebietsTeilFlaeche")
    )
    xplan_version = models.CharField(
        _("XPlanung-Version"), max_length=10, blank=True, help_text=_("z. B. 6.0; wählt die Codelisten der Attribute")
    )
    # False once a newer version of the plan no longer holds this layer (PlanVersion): only current
    # layers are shown on the plan page; earlier versions stay readable under their version.
    current = models.BooleanField(_("In der aktuellen Fassung"), default=True, db_index=True)
    bereich = models.CharField(
        _("Bereich"),
        max_length=200,
        blank=True,
        help_text=_("XPlanung-Bereich (XP_Bereich), wenn der Plan mehrere hat"),
    )
    # A georeferenced image (kind RASTER): the image warped to EPSG:3857 and its bounds in EPSG:4326.
    raster_file = models.FileField(_("Rasterbild"), upload_to="layers/raster/", blank=True)
    raster_bounds = models.PolygonField(_("Ausdehnung des Rasterbilds"), srid=4326, null=True, blank=True)
    attribute_labels = models.JSONField(
        _("Beschriftung der Attribute"),
        default=dict,
        blank=True,
        help_text=_("Attributname → angezeigte Bezeichnung, beim Import aus der XPlanung-Tabelle gesetzt"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LayerQuerySet.as_manager()

    class Meta:
        verbose_name = _("Ebene")
        verbose_name_plural = _("Ebenen")
        ordering = ["plan", "order", "id"]

    def __str__(self):
        return self.name


class Feature(models.Model):  # type: ignore[django-manager-missing]  # Statement's base (xtd) is untyped
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


class PlanVersion(models.Model):
    """One state (Fassung) of a plan's layers: every import of a plan creates one.

    Earlier versions stay readable (map, downloads); statements keep pointing at the feature of
    the version they were made on. Features carry a stable key (`Feature.source_id`: the gml:id,
    or a configured attribute of a GIS file) that recognises the same element across versions.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("Fassung"))
    layers = models.ManyToManyField(Layer, related_name="plan_versions", blank=True)
    import_run = models.ForeignKey(
        "ImportRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="plan_versions"
    )
    source_name = models.CharField(_("Quelldatei"), max_length=300, blank=True)
    note = models.CharField(_("Bemerkung"), max_length=300, blank=True)
    # The validation report of the import that made this version (geodata.validation): {"errors": [...],
    # "warnings": [...], ...}. Errors block publication unless staff override them with a reason.
    validation = models.JSONField(_("Prüfbericht"), default=dict, blank=True)
    validation_override_reason = models.TextField(_("Begründung für die Veröffentlichung trotz Fehlern"), blank=True)
    validation_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    validation_override_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Fassung")
        verbose_name_plural = _("Fassungen")
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="geodata_planversion_unique_number")]

    def __str__(self):
        return f"{self.plan} – {self.number}. Fassung"


class VersionComparison(models.Model):
    """The changes between two versions of a plan, per element (for a § 4a Abs. 3 round)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="version_comparisons")
    old_version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="+")
    new_version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="+")
    # Counts per change kind and the text-section changes: {"added": 2, "removed": 1, ...}.
    summary = models.JSONField(default=dict, blank=True)
    # The union of the changed parts (the changed geometry, buffered): what a round limited to the changes accepts.
    changed_area = models.MultiPolygonField(srid=4326, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Änderungsvergleich")
        verbose_name_plural = _("Änderungsvergleiche")
        constraints = [
            models.UniqueConstraint(fields=["old_version", "new_version"], name="geodata_comparison_unique_pair")
        ]

    def __str__(self):
        return f"{self.plan}: {self.old_version.number} → {self.new_version.number}"


class ElementChange(models.Model):
    """One changed element between two versions: added, removed, geometry or attributes changed."""

    class Kind(models.TextChoices):
        ADDED = "added", _("hinzugefügt")
        REMOVED = "removed", _("entfallen")
        GEOMETRY = "geometry", _("Geometrie geändert")
        ATTRIBUTES = "attributes", _("Attribute geändert")
        TEXT = "text", _("Text geändert")

    comparison = models.ForeignKey(VersionComparison, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("Änderung"), max_length=12, choices=Kind.choices)
    key = models.CharField(_("Objekt-Schlüssel"), max_length=200, blank=True)
    layer_name = models.CharField(_("Ebene"), max_length=200, blank=True)
    old_feature = models.ForeignKey(Feature, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    new_feature = models.ForeignKey(Feature, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The changed part in EPSG:4326: the element (added/removed/attributes) or the symmetric difference (geometry).
    geometry = models.GeometryField(srid=4326, null=True, blank=True)
    area_gained_m2 = models.FloatField(null=True, blank=True)
    area_lost_m2 = models.FloatField(null=True, blank=True)
    # {"attribute": [old, new], ...} for attribute changes; [{"op": "equal|insert|delete", "text": ...}] for text.
    details = models.JSONField(default=dict, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("Änderung")
        verbose_name_plural = _("Änderungen")
        ordering = ["comparison", "order", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.key or self.layer_name}"


class ImportRun(models.Model):
    """One import started in the staff UI: its file, progress and report."""

    class Source(models.TextChoices):
        LAYER = "layer", _("GIS-Datei")
        XPLAN = "xplan", _("XPlanGML")

    class Status(models.TextChoices):
        PREVIEWING = "previewing", _("Datei wird geprüft")
        READY = "ready", _("Bereit zum Import")
        PENDING = "pending", _("Wartet")
        RUNNING = "running", _("Läuft")
        SUCCEEDED = "succeeded", _("Abgeschlossen")
        FAILED = "failed", _("Fehlgeschlagen")

    source = models.CharField(max_length=10, choices=Source.choices, default=Source.LAYER)
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="import_runs")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.CASCADE, related_name="import_runs")
    file_path = models.CharField(max_length=500, editable=False)
    file_name = models.CharField(_("Datei"), max_length=300)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    preview = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Import")
        verbose_name_plural = _("Importe")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_source_display()}: {self.file_name}"

    @property
    def finished(self):
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class AddressQuerySet(models.QuerySet):
    def in_municipality(self, municipality):
        """Return the addresses of `municipality`, or all addresses when it is None."""
        return self if municipality is None else self.filter(municipality=municipality)


class Address(models.Model):
    """One address of a municipality's local gazetteer (imported with `import_addresses`)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="addresses")
    street = models.CharField(_("Straße"), max_length=200)
    housenumber = models.CharField(_("Hausnummer"), max_length=20, blank=True)
    postcode = models.CharField(_("Postleitzahl"), max_length=10, blank=True)
    place = models.CharField(_("Ort"), max_length=200, blank=True)
    point = models.PointField(_("Lage"), srid=4326)
    # Normalised (lower case, ß→ss, ä→ae, "str." → "strasse") "street number postcode place"; the search
    # matches the streets (AddressStreet) by their part of it, then orders a street's addresses by number.
    search_text = models.CharField(max_length=500, editable=False)
    street_key = models.CharField(max_length=200, editable=False)
    number_key = models.CharField(max_length=20, editable=False, blank=True)
    number_sort = models.PositiveIntegerField(default=0, editable=False)

    objects = AddressQuerySet.as_manager()

    class Meta:
        verbose_name = _("Adresse")
        verbose_name_plural = _("Adressen")
        indexes = [
            models.Index(fields=["municipality", "street_key", "number_sort"], name="geodata_address_street"),
            models.Index(fields=["street_key", "number_sort"], name="geodata_address_street_all"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """Return 'Hauptstraße 5a, 61250 Usingen'."""
        line = f"{self.street} {self.housenumber}".strip()
        town = f"{self.postcode} {self.place}".strip()
        return f"{line}, {town}" if town else line


class AddressStreet(models.Model):
    """One street (with postcode and place) of a municipality's gazetteer: what a search matches first.

    A town of 100,000 addresses has a few thousand of these; matching them by trigrams and then reading
    the chosen streets' addresses by index is what keeps the search fast (geodata.address_search).
    """

    # No B-tree index here (the import writes each street once): the planner would take one over the GIN
    # trigram index on search_text (migration 0004) and compute the similarity of every street.
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="address_streets", db_index=False
    )
    street_key = models.CharField(max_length=200)
    postcode = models.CharField(max_length=10, blank=True)
    # Normalised "street postcode place", as in Address.search_text without the house number.
    search_text = models.CharField(max_length=500)

    class Meta:
        verbose_name = _("Straße")
        verbose_name_plural = _("Straßen")

    def __str__(self):
        return self.search_text
