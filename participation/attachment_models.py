"""Files sent with statements: the private storage, the stored name and the Attachment row.

Split from participation/models.py by job. `participation.models` re-exports everything here, so imports and
the migrations (`participation.models.attachment_upload_to`, `_attachment_storage`) keep working. The checks
and the upload path are in attachments.py.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _attachment_storage():
    """Return the private storage for statement attachments (STORAGES["attachments"])."""
    from django.core.files.storage import storages

    return storages["attachments"]


def attachment_upload_to(instance: "Attachment", filename: str) -> str:
    """Store attachments under an unguessable name; the original name is kept in the row."""
    import uuid

    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file sent with a statement (expert report, photo, signed letter, filled-in PDF form).

    Never public: only staff of the municipality see and download it. The stored file is the
    checked (and for images re-encoded, metadata-free) version; `content_type` is the type
    read from the content, not from the name.
    """

    statement = models.ForeignKey(
        "participation.Statement", verbose_name=_("Stellungnahme"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("Datei"), upload_to=attachment_upload_to, max_length=300, storage=_attachment_storage)
    original_name = models.CharField(_("Dateiname"), max_length=255)
    content_type = models.CharField(_("Dateityp"), max_length=100)
    size = models.PositiveBigIntegerField(_("Größe in Bytes"), default=0)
    sha256 = models.CharField(_("Prüfsumme (SHA-256)"), max_length=64)
    # A filled-in PDF form (AcroForm): its text fields as read, shown to staff beside the statement text.
    form_fields = models.JSONField(_("Formularfelder"), default=dict, blank=True)
    uploaded_at = models.DateTimeField(_("Hochgeladen am"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Hochgeladen von"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("Anhang")
        verbose_name_plural = _("Anhänge")
        ordering = ["statement", "id"]

    def __str__(self):
        return self.original_name
