"""Consultation periods (BauGB § 3, § 4, § 4a) and everything citizens submit to them."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import Plan

from .periods import end_of_day, local_date, start_of_day


class ConsultationQuerySet(models.QuerySet):
    def public(self):
        """Return consultations that the public takes part in (not the § 4 authorities' round)."""
        return self.exclude(kind=Consultation.Kind.AUTHORITIES)

    def open_at(self, when: dt.datetime | None = None):
        """Return the public consultations open at `when` (default: now)."""
        when = when or timezone.now()
        day = local_date(when)
        return (
            self.public()
            .filter(start_date__lte=day, end_date__gte=day)
            .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=when))
        )

    def upcoming_at(self, when: dt.datetime | None = None):
        """Return the public consultations that start after `when`."""
        when = when or timezone.now()
        return self.public().filter(start_date__gt=local_date(when))


class Consultation(models.Model):
    """A participation period for a plan; open/closed is derived from its dates."""

    class Kind(models.TextChoices):
        EARLY = "early", _("Frühzeitige Öffentlichkeitsbeteiligung (§ 3 Abs. 1 BauGB)")
        PUBLICATION = "publication", _("Veröffentlichung im Internet (§ 3 Abs. 2 BauGB)")
        REPUBLICATION = "republication", _("Erneute Veröffentlichung (§ 4a Abs. 3 BauGB)")
        AUTHORITIES = "authorities", _("Beteiligung der Behörden und TöB (§ 4 BauGB)")

    class Moderation(models.TextChoices):
        PRE = "pre", _("Vorab-Moderation: Beiträge erscheinen nach Freigabe")
        POST = "post", _("Nachträgliche Moderation: Beiträge erscheinen sofort")
        NONE = "none", _("Beiträge werden nicht veröffentlicht")

    plan = models.ForeignKey(Plan, verbose_name=_("Plan"), on_delete=models.CASCADE, related_name="consultations")
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, default=Kind.PUBLICATION)
    round = models.PositiveSmallIntegerField(_("Runde"), default=1)
    title = models.CharField(_("Titel"), max_length=250, blank=True)
    start_date = models.DateField(_("Beginn"))
    end_date = models.DateField(_("Ende (einschließlich, bis 24:00 Uhr)"))
    closed_at = models.DateTimeField(_("Vorzeitig beendet am"), null=True, blank=True)
    short_period_reason = models.TextField(_("Begründung für eine kürzere Frist"), blank=True)
    announcement = models.TextField(_("Bekanntmachung"), blank=True)
    access_routes = models.TextField(
        _("Weitere Zugangswege"),
        blank=True,
        help_text=_("z. B. Auslegung im Rathaus, Zimmer 12, Mo–Fr 8–12 Uhr"),
    )
    contact = models.TextField(_("Ansprechperson"), blank=True)
    moderation = models.CharField(_("Moderation"), max_length=10, choices=Moderation.choices, default=Moderation.PRE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Beteiligung")
        verbose_name_plural = _("Beteiligungen")
        ordering = ["plan", "start_date", "round"]

    def __str__(self):
        return f"{self.plan}: {self.get_kind_display()}" + (f" ({self.round}. Runde)" if self.round > 1 else "")

    def get_absolute_url(self):
        return self.plan.get_absolute_url() + "#beteiligung"

    @property
    def starts_at(self) -> dt.datetime:
        return start_of_day(self.start_date)

    @property
    def ends_at(self) -> dt.datetime:
        """Return the effective end: 24:00 Berlin on the end date, or an earlier explicit close."""
        end = end_of_day(self.end_date)
        if self.closed_at and self.closed_at < end:
            return self.closed_at
        return end

    @property
    def is_public(self) -> bool:
        return self.kind != self.Kind.AUTHORITIES

    def is_open_at(self, when: dt.datetime | None = None) -> bool:
        """Return whether the public may comment at `when`."""
        when = when or timezone.now()
        return self.is_public and self.starts_at <= when < self.ends_at

    def state_at(self, when: dt.datetime | None = None) -> str:
        """Return 'scheduled', 'open' or 'closed' at `when`."""
        when = when or timezone.now()
        if when < self.starts_at:
            return "scheduled"
        if when < self.ends_at:
            return "open"
        return "closed"
