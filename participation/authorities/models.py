"""The § 4 BauGB rounds: a municipality's address book of authorities and their invitations."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participation.models import ActionLog, Consultation
from plans.models import Municipality


class SubjectArea(models.TextChoices):
    """Subject areas (Fachbereiche) by which staff select whom to invite."""

    REGIONAL_PLANNING = "regional_planning", _("Raumordnung und Landesplanung")
    WATER = "water", _("Wasser und Boden")
    NATURE = "nature", _("Natur- und Umweltschutz")
    TRAFFIC = "traffic", _("Verkehr")
    UTILITIES = "utilities", _("Ver- und Entsorgung")
    AGRICULTURE = "agriculture", _("Land- und Forstwirtschaft")
    MONUMENTS = "monuments", _("Denkmalschutz")
    SAFETY = "safety", _("Brand- und Katastrophenschutz")
    NEIGHBOURS = "neighbours", _("Nachbargemeinden")
    ECONOMY = "economy", _("Wirtschaft und Handel")
    OTHER = "other", _("Sonstiges")


class Authority(models.Model):
    """An authority or other Träger öffentlicher Belange in one municipality's address book."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("Kommune"), on_delete=models.CASCADE, related_name="authorities"
    )
    organisation = models.CharField(_("Behörde / Organisation"), max_length=250)
    department = models.CharField(_("Abteilung / Dezernat"), max_length=250, blank=True)
    emails = models.JSONField(_("E-Mail-Adressen"), default=list)
    subject_areas = models.JSONField(_("Fachbereiche"), default=list, blank=True)
    active = models.BooleanField(_("aktiv"), default=True)
    notes = models.TextField(_("Notizen"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert"), auto_now=True)

    class Meta:
        verbose_name = _("Behörde / TöB")
        verbose_name_plural = _("Behörden / TöB")
        ordering = ["municipality", "organisation", "department"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "organisation", "department"],
                name="unique_authority_per_municipality",
                violation_error_message=_("Diese Behörde mit dieser Abteilung steht schon im Adressbuch."),
            )
        ]

    def __str__(self):
        return f"{self.organisation} – {self.department}" if self.department else self.organisation


class Invitation(models.Model):  # type: ignore[django-manager-missing]  # Statement's base (xtd) is untyped
    """One authority invited to one § 4 round, with its own deadline and personal access link.

    The access link carries a signed token of (pk, key); revoking or re-sending replaces
    `key`, so every earlier link stops working.
    """

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("Beteiligung"), on_delete=models.CASCADE, related_name="invitations"
    )
    authority = models.ForeignKey(
        Authority, verbose_name=_("Behörde / TöB"), on_delete=models.PROTECT, related_name="invitations"
    )
    emails = models.JSONField(_("Eingeladen an"), default=list)
    deadline = models.DateField(_("Frist (einschließlich)"))
    key = models.CharField(_("Zugangsschlüssel"), max_length=64, editable=False)
    invited_at = models.DateTimeField(_("Eingeladen am"), default=timezone.now)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Eingeladen von"), null=True, blank=True, on_delete=models.SET_NULL
    )
    last_sent_at = models.DateTimeField(_("Zuletzt gesendet"), null=True, blank=True)
    opened_at = models.DateTimeField(_("Link zuerst geöffnet"), null=True, blank=True)
    answered_at = models.DateTimeField(_("Geantwortet am"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("Erinnert am"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("Link widerrufen am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Einladung")
        verbose_name_plural = _("Einladungen")
        ordering = ["consultation", "authority__organisation", "id"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "authority"], name="unique_invitation_per_round")
        ]

    def __str__(self):
        return f"{self.authority} ({self.consultation})"


class InvitationAction(ActionLog):
    """One logged step of an invitation: sent, opened, extended, reminded, revoked, answered."""

    class Kind(models.TextChoices):
        INVITE = "invite", _("Eingeladen")
        RESEND = "resend", _("Link neu gesendet")
        REVOKE = "revoke", _("Link widerrufen")
        OPEN = "open", _("Link geöffnet")
        EXTEND = "extend", _("Frist verlängert")
        REMIND = "remind", _("Erinnert")
        ANSWER = "answer", _("Stellungnahme abgegeben")
        NO_OBJECTIONS = "no_objections", _("Keine Bedenken erklärt")

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("Aktion"), max_length=20, choices=Kind.choices)
    deadline_before = models.DateField(_("Frist vorher"), null=True, blank=True)
    deadline_after = models.DateField(_("Frist danach"), null=True, blank=True)
    details = models.JSONField(_("Einzelheiten"), default=dict, blank=True)

    class Meta(ActionLog.Meta):
        verbose_name = _("Verlaufseintrag")
        verbose_name_plural = _("Verlauf")
