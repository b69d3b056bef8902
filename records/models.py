"""The publication record: a hash-chained log of what was published when, per plan, and availability checks."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.models import Document, Plan


class Entry(models.Model):
    """One publication event of a plan, chained to the plan's previous entry by SHA-256.

    `entry_hash` is the SHA-256 of the entry's canonical form (records.chain.canonical), which holds
    `prev_hash`: changing, removing or reordering any entry breaks every later link, and
    `verify_publication_record` finds it. The chain is keyed by `chain` (the plan's id), so it stays
    verifiable even if the plan row goes.
    """

    class Kind(models.TextChoices):
        PLAN_PUBLISHED = "plan_published", _("Plan veröffentlicht")
        PLAN_UNPUBLISHED = "plan_unpublished", _("Plan offline genommen")
        DOCUMENT_ONLINE = "document_online", _("Dokument online")
        DOCUMENT_OFFLINE = "document_offline", _("Dokument offline")
        STAGE = "stage", _("Verfahrensschritt eingetragen")
        PERIOD = "period", _("Beteiligungszeitraum geändert")
        BEKANNTMACHUNG = "bekanntmachung", _("Bekanntmachung erfasst")
        CHECK_OUTAGE = "outage", _("Nicht erreichbar (Prüfung)")
        CHECK_RESTORED = "restored", _("Wieder erreichbar (Prüfung)")

    chain = models.PositiveIntegerField(_("Plan-Nr. der Kette"), db_index=True)
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="record_entries")
    seq = models.PositiveIntegerField(_("Lfd. Nr."))
    at = models.DateTimeField(_("Zeitpunkt"))
    recorded_at = models.DateTimeField(_("Eingetragen am"))
    kind = models.CharField(_("Ereignis"), max_length=20, choices=Kind.choices)
    summary = models.CharField(_("Beschreibung"), max_length=500)
    details = models.JSONField(_("Einzelheiten"), default=dict, blank=True)
    document_sha256 = models.CharField(_("SHA-256 des Dokuments"), max_length=64, blank=True)
    prev_hash = models.CharField(_("SHA-256 des vorigen Eintrags"), max_length=64)
    entry_hash = models.CharField(_("SHA-256 dieses Eintrags"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("Eintrag im Veröffentlichungsnachweis")
        verbose_name_plural = _("Einträge im Veröffentlichungsnachweis")
        ordering = ["chain", "seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="records_entry_unique_seq")]

    def __str__(self):
        return f"{self.chain}/{self.seq} {self.get_kind_display()}"


class Check(models.Model):
    """One fetch of a public address of a plan (its page or a document) by the availability check."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="availability_checks")
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    url = models.CharField(_("Adresse"), max_length=500)
    at = models.DateTimeField(_("Zeitpunkt"), db_index=True)
    ok = models.BooleanField(_("Erreichbar"))
    status_code = models.PositiveIntegerField(_("HTTP-Status"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256 des Inhalts"), max_length=64, blank=True)
    # For documents: whether the bytes served were the bytes stored (what was published).
    content_matches = models.BooleanField(_("Inhalt wie veröffentlicht"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("Dauer (ms)"), default=0)
    error = models.CharField(_("Fehler"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("Erreichbarkeitsprüfung")
        verbose_name_plural = _("Erreichbarkeitsprüfungen")
        ordering = ["plan", "url", "at"]
        indexes = [models.Index(fields=["plan", "url", "at"], name="records_check_plan_url_at")]

    def __str__(self):
        return f"{self.url} {self.at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'FEHLER'}"
