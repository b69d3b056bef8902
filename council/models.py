"""Council papers and meetings mirrored from a municipality's OParl endpoint, and their links to plan stages.

Every mirrored object is keyed by its OParl `id` (a URL) within its source; objects the server marks
`deleted` stay as rows with `deleted=True` so links to them keep their history (see docs/oparl.md).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.models import Municipality, Plan


class OParlSource(models.Model):
    """A municipality's council information system, reached through its OParl System URL."""

    municipality = models.OneToOneField(
        Municipality, verbose_name=_("Kommune"), on_delete=models.CASCADE, related_name="oparl_source"
    )
    system_url = models.URLField(_("OParl-Adresse (System)"), max_length=500)
    body_url = models.URLField(
        _("Körperschaft"),
        max_length=500,
        blank=True,
        help_text=_("OParl-ID der Körperschaft; leer: die erste Körperschaft des Systems."),
    )
    body_name = models.CharField(_("Name der Körperschaft"), max_length=300, blank=True)
    last_sync_at = models.DateTimeField(_("Letzter Abgleich"), null=True, blank=True)
    modified_since = models.DateTimeField(
        _("Geändert seit (nächster Abgleich)"), null=True, blank=True, help_text=_("leer: vollständiger Abgleich")
    )
    last_error = models.CharField(_("Letzter Fehler"), max_length=1000, blank=True)
    last_error_at = models.DateTimeField(_("Fehler am"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("OParl-Quelle")
        verbose_name_plural = _("OParl-Quellen")

    def __str__(self):
        return f"{self.municipality}: {self.system_url}"


class OParlObject(models.Model):
    """Fields every mirrored OParl object has."""

    source = models.ForeignKey(OParlSource, on_delete=models.CASCADE, related_name="+")
    oparl_id = models.URLField(_("OParl-ID"), max_length=500)
    modified = models.DateTimeField(_("Geändert (OParl)"), null=True, blank=True)
    deleted = models.BooleanField(_("Gelöscht"), default=False)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Organization(OParlObject):
    """A council body or committee (Gremium)."""

    name = models.CharField(_("Name"), max_length=300)
    short_name = models.CharField(_("Kurzname"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("Gremium")
        verbose_name_plural = _("Gremien")
        constraints = [models.UniqueConstraint(fields=["source", "oparl_id"], name="unique_council_organization")]

    def __str__(self):
        return self.name


class Meeting(OParlObject):
    """A council or committee meeting (Sitzung)."""

    name = models.CharField(_("Name"), max_length=300, blank=True)
    start = models.DateTimeField(_("Beginn"), null=True, blank=True)
    end = models.DateTimeField(_("Ende"), null=True, blank=True)
    cancelled = models.BooleanField(_("Abgesagt"), default=False)
    web_url = models.URLField(_("Web-Adresse"), max_length=500, blank=True)
    organizations = models.ManyToManyField(Organization, verbose_name=_("Gremien"), related_name="meetings", blank=True)
    organization_ids = models.JSONField(default=list, blank=True)  # OParl ids, also of not yet synced bodies

    class Meta:
        verbose_name = _("Sitzung")
        verbose_name_plural = _("Sitzungen")
        ordering = ["start"]
        constraints = [models.UniqueConstraint(fields=["source", "oparl_id"], name="unique_council_meeting")]

    def __str__(self):
        return self.name or self.oparl_id


class Paper(OParlObject):
    """A council paper (Vorlage, Drucksache) with its files."""

    name = models.CharField(_("Titel"), max_length=1000)
    reference = models.CharField(_("Drucksache"), max_length=100, blank=True)
    date = models.DateField(_("Datum"), null=True, blank=True)
    paper_type = models.CharField(_("Art"), max_length=200, blank=True)
    web_url = models.URLField(_("Web-Adresse"), max_length=500, blank=True)
    main_file = models.JSONField(_("Hauptdatei"), null=True, blank=True)  # {name, accessUrl, mimeType}
    auxiliary_files = models.JSONField(_("Anlagen"), default=list, blank=True)
    consultations = models.JSONField(default=list, blank=True)  # [{agendaItem, meeting, role, authoritative}]

    class Meta:
        verbose_name = _("Vorlage")
        verbose_name_plural = _("Vorlagen")
        ordering = ["-date", "reference"]
        constraints = [models.UniqueConstraint(fields=["source", "oparl_id"], name="unique_council_paper")]

    def __str__(self):
        return f"{self.reference} {self.name}".strip()

    @property
    def files(self) -> list[dict]:
        """Return the main file and the auxiliary files."""
        return [f for f in [self.main_file, *self.auxiliary_files] if f]


class AgendaItem(OParlObject):
    """An item on a meeting's agenda (Tagesordnungspunkt), with the decision taken on it."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("Sitzung"), on_delete=models.CASCADE, related_name="items")
    number = models.CharField(_("Nummer"), max_length=50, blank=True)
    name = models.CharField(_("Name"), max_length=1000, blank=True)
    public = models.BooleanField(_("Öffentlich"), default=True)
    result = models.CharField(_("Ergebnis"), max_length=300, blank=True)
    resolution_text = models.TextField(_("Beschlusstext"), blank=True)
    paper = models.ForeignKey(
        Paper, verbose_name=_("Vorlage"), null=True, blank=True, on_delete=models.SET_NULL, related_name="agenda_items"
    )

    class Meta:
        verbose_name = _("Tagesordnungspunkt")
        verbose_name_plural = _("Tagesordnungspunkte")
        constraints = [models.UniqueConstraint(fields=["source", "oparl_id"], name="unique_council_agenda_item")]

    def __str__(self):
        return f"{self.number} {self.name}".strip()


class StageLink(models.Model):
    """A plan's procedure step decided through a council paper (and agenda item), suggested or confirmed."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Vorgeschlagen")
        CONFIRMED = "confirmed", _("Bestätigt")
        REJECTED = "rejected", _("Abgelehnt")

    plan = models.ForeignKey(Plan, verbose_name=_("Plan"), on_delete=models.CASCADE, related_name="council_links")
    stage = models.CharField(_("Verfahrensschritt"), max_length=20, choices=Plan.Stage.choices)
    paper = models.ForeignKey(Paper, verbose_name=_("Vorlage"), on_delete=models.CASCADE, related_name="stage_links")
    agenda_item = models.ForeignKey(
        AgendaItem, verbose_name=_("Tagesordnungspunkt"), null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.SUGGESTED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("Bestätigt am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Beschluss zum Verfahrensschritt")
        verbose_name_plural = _("Beschlüsse zu Verfahrensschritten")
        constraints = [models.UniqueConstraint(fields=["plan", "paper"], name="unique_council_link_per_paper")]

    def __str__(self):
        return f"{self.plan} – {self.get_stage_display()}: {self.paper}"
