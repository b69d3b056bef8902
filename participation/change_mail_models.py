"""Who wants no more e-mails about a plan's changes (rounds after § 4a Abs. 3 BauGB).

Split from participation/models.py by job; re-exported there. The mails are sent by services/change_rounds.py.
"""

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from plans.models import Plan


class ChangeMailOptOut(models.Model):
    """An address that wants no more e-mails about changes to a plan (rounds after § 4a Abs. 3 BauGB)."""

    plan = models.ForeignKey(Plan, verbose_name=_("Plan"), on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(_("E-Mail-Adresse"))
    created_at = models.DateTimeField(_("Abgemeldet am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Abmeldung von Änderungs-Mails")
        verbose_name_plural = _("Abmeldungen von Änderungs-Mails")
        constraints = [models.UniqueConstraint(fields=["plan", "email"], name="participation_change_optout_unique")]

    def __str__(self):
        return f"{self.plan}: {self.email}"
