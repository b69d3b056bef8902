"""Records of the task queue: which e-mails went out (so a re-run sends nothing twice)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SentMail(models.Model):
    """One e-mail the SMTP server accepted, under the sending task's idempotency key."""

    key = models.CharField(_("Schlüssel"), max_length=200, unique=True)
    sent_at = models.DateTimeField(_("gesendet am"), auto_now_add=True)

    class Meta:
        verbose_name = _("gesendete E-Mail")
        verbose_name_plural = _("gesendete E-Mails")

    def __str__(self) -> str:
        return self.key
