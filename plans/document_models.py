"""Published documents of a plan (PDF versions with their online period) and their sections.

Split from plans/models.py by job: the documents and what statements can refer to in them. `plans.models`
re-exports everything here, so imports and migrations (`plans.models.document_upload_to`) keep working.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.core.validators import FileExtensionValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .validators import validate_pdf


def document_upload_to(instance, filename):
    return f"documents/{instance.plan.municipality.slug}/{instance.plan.slug}/{filename}"


class DocumentQuerySet(models.QuerySet):
    def current(self):
        """Return the documents online now: neither replaced by a newer version nor withdrawn."""
        return self.filter(online_until__isnull=True, withdrawn_at__isnull=True)

    def history(self):
        """Return earlier versions and withdrawn documents, newest first (frühere Fassungen)."""
        return self.exclude(online_until__isnull=True, withdrawn_at__isnull=True).order_by("-online_since", "-id")


class Document(models.Model):
    """A PDF belonging to a plan (drawing, justification, reports, announcement), one row per version."""

    class Kind(models.TextChoices):
        DRAWING = "drawing", _("Planzeichnung")
        JUSTIFICATION = "justification", _("Begründung")
        TEXT_PROVISIONS = "provisions", _("Textliche Festsetzungen")
        ENVIRONMENTAL_REPORT = "environmental", _("Umweltbericht")
        EXPERT_REPORT = "expert", _("Gutachten")
        ANNOUNCEMENT = "announcement", _("Bekanntmachung")
        SUMMARY = "summary", _("Zusammenfassende Erklärung (§ 10a BauGB)")
        OTHER = "other", _("Sonstiges")

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("Titel"), max_length=250)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(
        _("PDF-Datei"),
        upload_to=document_upload_to,
        max_length=300,
        validators=[FileExtensionValidator(["pdf"]), validate_pdf],
    )
    size = models.PositiveBigIntegerField(_("Größe in Bytes"), default=0, editable=False)
    order = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    online_since = models.DateTimeField(_("Online seit"), default=timezone.now)
    online_until = models.DateTimeField(
        _("Online bis"), null=True, blank=True, help_text=_("Leer, solange diese Fassung aktuell ist.")
    )
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("Ersetzt Fassung"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    withdrawn_at = models.DateTimeField(_("Zurückgezogen am"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("Grund für das Zurückziehen"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Hochgeladen von"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("Dokument")
        verbose_name_plural = _("Dokumente")
        ordering = ["order", "id"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.file:
            self.size = self.file.size
        super().save(*args, **kwargs)

    @property
    def is_current(self):
        return self.online_until is None and self.withdrawn_at is None

    @property
    def is_withdrawn(self):
        return self.withdrawn_at is not None


class DocumentSection(models.Model):  # type: ignore[django-manager-missing]  # Statement's base (xtd) is untyped
    """A numbered section of a plan text (Begründung, textliche Festsetzungen, Umweltbericht).

    Read from the PDF's outline or headings and editable by staff; statements may refer to one.
    """

    class Source(models.TextChoices):
        OUTLINE = "outline", _("Lesezeichen der PDF")
        HEADINGS = "headings", _("Überschriften im Text")
        STAFF = "staff", _("von der Verwaltung erfasst")
        XPLAN = "xplan", _("aus XPlanGML (Textabschnitt)")

    document = models.ForeignKey(
        Document, verbose_name=_("Dokument"), on_delete=models.CASCADE, related_name="sections"
    )
    number = models.CharField(_("Nummer"), max_length=30, blank=True, help_text=_("z. B. 3.2"))
    title = models.CharField(_("Überschrift"), max_length=300)
    level = models.PositiveSmallIntegerField(_("Ebene"), default=1)
    page = models.PositiveIntegerField(_("Seite"), null=True, blank=True)
    order = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    text = models.TextField(_("Text"), blank=True)
    source = models.CharField(_("Herkunft"), max_length=10, choices=Source.choices, default=Source.STAFF)
    # For sections read from XPlanGML: the text section's gml:id (features refer to it by refTextInhalt)
    # and its gesetzlicheGrundlage.
    key = models.CharField(_("Schlüssel in der Quelldatei"), max_length=200, blank=True)
    legal_basis = models.CharField(_("Rechtsgrundlage"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Abschnitt")
        verbose_name_plural = _("Abschnitte")
        ordering = ["document", "order", "id"]

    def __str__(self):
        return f"{self.number} {self.title}".strip()
