"""Consultation periods (BauGB § 3, § 4, § 4a) and everything citizens submit to them.

One aggregate (consultation → its log, statements → moderation log and citizens' requests) bound by foreign
keys; their queries are in querysets.py. Attachments (attachment_models.py) and change-mail opt-outs
(change_mail_models.py) have modules of their own, re-exported here. The behaviour lives elsewhere:
services/, periods.py, attachments.py, inserts.py.
"""

import datetime as dt

from django.conf import settings
from django.contrib.gis.db import models
from django.db import router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_comments_xtd.models import XtdComment

from plans.models import Plan

from .inserts import insert_new_thread
from .periods import end_of_day, local_date, start_of_day
from .querysets import ConsultationQuerySet, StatementManager, StatementQuerySet  # noqa: F401


class ActionLog(models.Model):
    """Abstract log row: who did something, when and why."""

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("durch"), null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)
    reason = models.TextField(_("Begründung"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.at:%d.%m.%Y %H:%M})"


class Consultation(models.Model):  # type: ignore[django-manager-missing]  # Statement's base (xtd) is untyped
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

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("geplant")
        OPEN = "open", _("läuft")
        CLOSED = "closed", _("beendet")

    class Medium(models.TextChoices):
        GAZETTE = "gazette", _("Amtsblatt")
        NEWSPAPER = "newspaper", _("Zeitung")
        NOTICE_BOARD = "notice_board", _("Aushang (Bekanntmachungstafel)")
        WEBSITE = "website", _("Internetseite der Gemeinde")

    # Kinds whose period may open only after the ortsübliche Bekanntmachung (§ 3 Abs. 2 Satz 4,
    # § 4a Abs. 3 BauGB). § 3 Abs. 1 has no formal Bekanntmachung duty; § 4 is not public.
    NEEDS_BEKANNTMACHUNG = frozenset({Kind.PUBLICATION, Kind.REPUBLICATION})

    plan = models.ForeignKey(Plan, verbose_name=_("Plan"), on_delete=models.CASCADE, related_name="consultations")
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, default=Kind.PUBLICATION)
    round = models.PositiveSmallIntegerField(_("Runde"), default=1)
    title = models.CharField(_("Titel"), max_length=250, blank=True)
    start_date = models.DateField(_("Beginn"))
    end_date = models.DateField(_("Ende (einschließlich, bis 24:00 Uhr)"))
    closed_at = models.DateTimeField(_("Vorzeitig beendet am"), null=True, blank=True)
    short_period_reason = models.TextField(_("Begründung für eine kürzere Frist"), blank=True)
    bekanntmachung_date = models.DateField(_("Datum der ortsüblichen Bekanntmachung"), null=True, blank=True)
    bekanntmachung_media = models.JSONField(_("Bekanntgemacht in"), default=list, blank=True)
    bekanntmachung_text = models.TextField(_("Text der Bekanntmachung"), blank=True)
    access_routes = models.TextField(
        _("Weitere Zugangswege"),
        blank=True,
        help_text=_("z. B. Auslegung im Rathaus, Zimmer 12, Mo–Fr 8–12 Uhr"),
    )
    contact = models.TextField(_("Ansprechperson"), blank=True)
    moderation = models.CharField(_("Moderation"), max_length=10, choices=Moderation.choices, default=Moderation.PRE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert"), auto_now=True)

    objects = ConsultationQuerySet.as_manager()

    class AuthorityStage(models.TextChoices):
        EARLY = "early", _("Frühzeitige Beteiligung (§ 4 Abs. 1 BauGB)")
        FORMAL = "formal", _("Beteiligung zum Entwurf (§ 4 Abs. 2 BauGB)")
        CHANGES = "changes", _("Erneute Beteiligung nach Änderungen (§ 4a Abs. 3 BauGB)")

    # Only for kind AUTHORITIES: which § 4 round this is (the period rule of § 4 Abs. 2 applies to FORMAL).
    authority_stage = models.CharField(
        _("Beteiligungsschritt (§ 4)"), max_length=10, choices=AuthorityStage.choices, default=AuthorityStage.FORMAL
    )
    # A round after the draft changed (§ 4a Abs. 3 BauGB): the changes it is about, and whether statements
    # are limited to them (then only locations and elements within the changed parts are accepted).
    comparison = models.ForeignKey(
        "geodata.VersionComparison",
        verbose_name=_("Änderungen gegenüber der früheren Fassung"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultations",
    )
    limited_to_changes = models.BooleanField(
        _("Stellungnahmen nur zu den geänderten Teilen"),
        default=False,
        help_text=_("§ 4a Abs. 3 Satz 2 BauGB: nur zu den Änderungen dürfen Stellungnahmen abgegeben werden"),
    )

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

    @property
    def publishes_statements(self) -> bool:
        return self.moderation != self.Moderation.NONE

    @property
    def needs_bekanntmachung(self) -> bool:
        return self.kind in self.NEEDS_BEKANNTMACHUNG

    @property
    def is_announced(self) -> bool:
        """Return whether the period may open: Bekanntmachung on or before the start, or none needed."""
        if not self.needs_bekanntmachung:
            return True
        return self.bekanntmachung_date is not None and self.bekanntmachung_date <= self.start_date

    def get_bekanntmachung_media_display(self) -> list[str]:
        labels = dict(self.Medium.choices)
        return [str(labels.get(medium, medium)) for medium in self.bekanntmachung_media or []]

    def is_open_at(self, when: dt.datetime | None = None) -> bool:
        """Return whether the public may comment at `when`."""
        return self.is_public and self.state_at(when) == self.State.OPEN

    def state_at(self, when: dt.datetime | None = None) -> "Consultation.State":
        """Return the state at `when`; a period without its required Bekanntmachung never opens."""
        when = when or timezone.now()
        if when >= self.ends_at:
            return self.State.CLOSED
        if when < self.starts_at or not self.is_announced:
            return self.State.SCHEDULED
        return self.State.OPEN


class ConsultationAction(ActionLog):
    """One logged change to a consultation's period: who did what, when and why."""

    class Kind(models.TextChoices):
        SCHEDULE = "schedule", _("Zeitraum festgelegt")
        UPDATE = "update", _("Angaben geändert")
        BEKANNTMACHUNG = "bekanntmachung", _("Bekanntmachung erfasst")
        OPEN = "open", _("Geöffnet")
        EXTEND = "extend", _("Verlängert")
        CLOSE = "close", _("Vorzeitig beendet")
        REOPEN = "reopen", _("Wieder geöffnet")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("Aktion"), max_length=20, choices=Kind.choices)
    start_date = models.DateField(_("Beginn danach"), null=True, blank=True)
    end_date = models.DateField(_("Ende danach"), null=True, blank=True)
    closed_at = models.DateTimeField(_("Beendet am"), null=True, blank=True)
    details = models.JSONField(_("Einzelheiten"), default=dict, blank=True)

    class Meta(ActionLog.Meta):
        verbose_name = _("Verlaufseintrag")
        verbose_name_plural = _("Verlauf")


class Statement(XtdComment):
    """A statement (Stellungnahme) on a consultation: django-comments-xtd comment with place and topic.

    The xtd fields carry text (`comment`), author (`user`, `user_name`, `user_email`), the
    server time of submission (`submit_date`), visibility (`is_public`, `is_removed`) and
    threading (`thread_id`, `parent_id`, `level`). The content object is the Consultation.
    """

    class Topic(models.TextChoices):
        TRAFFIC = "traffic", _("Verkehr")
        ENVIRONMENT = "environment", _("Umwelt und Natur")
        NOISE = "noise", _("Lärm")
        BUILDINGS = "buildings", _("Bebauung")
        GREEN = "green", _("Grün- und Freiflächen")
        SOCIAL = "social", _("Soziale Infrastruktur")
        OTHER = "other", _("Sonstiges")

    class Channel(models.TextChoices):
        # Context: Django's German catalogue maps the bare msgid "Post" to "Abschicken".
        ONLINE = "online", pgettext_lazy("Eingangsweg", "Online")
        POST = "post", pgettext_lazy("Eingangsweg", "Post")
        EMAIL = "email", pgettext_lazy("Eingangsweg", "E-Mail")
        IN_PERSON = "in_person", pgettext_lazy("Eingangsweg", "Persönlich / zur Niederschrift")
        AUTHORITY = "authority", pgettext_lazy("Eingangsweg", "Behörde/TöB")

    consultation = models.ForeignKey(
        Consultation, verbose_name=_("Beteiligung"), on_delete=models.PROTECT, related_name="statements"
    )
    topic = models.CharField(_("Thema"), max_length=20, choices=Topic.choices, default=Topic.OTHER)
    location = models.PointField(_("Ort"), srid=4326, null=True, blank=True)
    drawn_area = models.PolygonField(_("Gezeichnete Fläche"), srid=4326, null=True, blank=True)
    drawn_line = models.LineStringField(_("Gezeichnete Linie"), srid=4326, null=True, blank=True)
    feature = models.ForeignKey(
        "geodata.Feature",
        verbose_name=_("Bezug auf Planinhalt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="statements",
    )
    channel = models.CharField(_("Eingangsweg"), max_length=20, choices=Channel.choices, default=Channel.ONLINE)
    received_on = models.DateField(_("Eingangsdatum"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("Bestätigt am"), null=True, blank=True, db_index=True)
    # Art. 6 Abs. 1 lit. e DSGVO (public task): the citizen acknowledges the notice, no consent is asked.
    privacy_consent = models.BooleanField(_("Datenschutzhinweise zur Kenntnis genommen"), default=False)
    # Publication is not required by the BauGB: only with this separate opt-in, and only with the pseudonym.
    public_opt_in = models.BooleanField(_("Öffentliche Anzeige mit Kürzel erlaubt"), default=False)
    is_official = models.BooleanField(_("Antwort der Verwaltung"), default=False)
    postal_address = models.TextField(_("Anschrift"), blank=True)
    # BundID (accounts.bundid): the submitter was identified by the state's service account; name and address
    # come from its assertion, no confirmation mail. The subject is a keyed hash, never the BundID's own id.
    identified_with = models.CharField(
        _("Identifiziert mit"), max_length=20, choices=[("bundid", "BundID")], blank=True, default=""
    )
    identity_subject = models.CharField(_("Pseudonyme Kennung"), max_length=64, blank=True, db_index=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Erfasst von"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entered_statements",
    )
    form_token = models.UUIDField(_("Formular-Kennung"), null=True, blank=True, unique=True, editable=False)
    flag_count = models.PositiveIntegerField(_("Meldungen"), default=0)
    # § 4 BauGB: statements of authorities and other Träger öffentlicher Belange (channel AUTHORITY).
    organisation = models.CharField(_("Behörde / Träger öffentlicher Belange"), max_length=250, blank=True)
    file_reference = models.CharField(_("Aktenzeichen"), max_length=100, blank=True)
    no_objections = models.BooleanField(_("Keine Anregungen oder Bedenken"), default=False)
    invitation = models.ForeignKey(
        "authorities.Invitation",
        verbose_name=_("Einladung (§ 4 BauGB)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="statements",
    )
    # The numbered section of a plan text (Begründung, textliche Festsetzungen) the statement is about.
    section = models.ForeignKey(
        "plans.DocumentSection",
        verbose_name=_("Abschnitt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="statements",
    )
    personal_data_purged_at = models.DateTimeField(_("Personendaten gelöscht am"), null=True, blank=True)
    # Set by the submitter on the "Meine Stellungnahme" page (participation.services.citizen).
    withdrawn_at = models.DateTimeField(_("Zurückgezogen am"), null=True, blank=True)
    erasure_requested_at = models.DateTimeField(_("Löschung beantragt am (Art. 17 DSGVO)"), null=True, blank=True)

    objects = StatementManager()

    class Meta:
        verbose_name = _("Stellungnahme")
        verbose_name_plural = _("Stellungnahmen")
        ordering = ["submit_date", "id"]

    def __str__(self):
        return f"{self.pseudonym}, {self.submit_date:%d.%m.%Y}: {self.comment[:40]}"

    def save(self, *args, **kwargs):
        """Insert a new top-level statement with its thread ids set in the insert (xtd saves twice).

        On PostgreSQL the three tables are written in one INSERT (participation.inserts).
        """
        if self.pk is not None or self.parent_id:
            return super().save(*args, **kwargs)
        plain = not args and not kwargs.keys() - {"using", "force_insert"}
        if plain and kwargs.get("force_insert") in (None, False, True):  # not a tuple of parents to force
            using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
            if insert_new_thread(self, using=using, id_fields=("thread_id", "parent_id")):
                return None
        self._new_thread = True
        try:
            models.Model.save(self, *args, **kwargs)
        finally:
            self._new_thread = False

    def _save_table(self, raw=False, cls=None, *args, **kwargs):
        """Set thread_id = parent_id = id of a new top-level statement once the comment row has its id."""
        if getattr(self, "_new_thread", False) and cls is XtdComment and self.comment_ptr_id is not None:
            self.parent_id = self.thread_id = self.comment_ptr_id
        return super()._save_table(raw, cls, *args, **kwargs)

    @property
    def pseudonym(self) -> str:
        """Return the public name: 'Erika M.' from 'Erika Mustermann', else 'Bürger/in'."""
        if self.is_official:
            return str(_("Verwaltung"))
        parts = (self.user_name or "").split()
        if not parts:
            return str(_("Bürger/in"))
        if len(parts) == 1:
            return parts[0][:30]
        return f"{parts[0][:30]} {parts[-1][0]}."

    @property
    def is_late(self) -> bool:
        """Return whether the statement arrived after the end: an invited authority's deadline, else the period's."""
        if self.invitation_id is not None and self.invitation is not None:  # § 4 BauGB: a deadline per authority
            deadline = self.invitation.deadline
            if self.received_on is not None:
                return self.received_on > deadline
            return self.submit_date >= end_of_day(deadline)
        if self.received_on is not None:
            return self.received_on > local_date(self.consultation.ends_at - dt.timedelta(microseconds=1))
        return self.submit_date >= self.consultation.ends_at


class CitizenRequest(ActionLog):
    """A request the submitter made on the "Meine Stellungnahme" page, logged for staff."""

    class Kind(models.TextChoices):
        WITHDRAW = "withdraw", _("Stellungnahme zurückgezogen")
        ERASURE = "erasure", _("Löschung der Personendaten beantragt (Art. 17 DSGVO)")

    class Outcome(models.TextChoices):
        DONE = "done", _("Erledigt")
        DEFERRED = "deferred", _("Vorgemerkt: Löschung nach Ablauf der Aufbewahrungsfrist")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="citizen_requests")
    kind = models.CharField(_("Anliegen"), max_length=20, choices=Kind.choices)
    outcome = models.CharField(_("Ergebnis"), max_length=20, choices=Outcome.choices, default=Outcome.DONE)

    class Meta(ActionLog.Meta):
        verbose_name = _("Anliegen von Einsendenden")
        verbose_name_plural = _("Anliegen von Einsendenden")


class ModerationAction(ActionLog):
    """One logged moderation step on a statement (approve, hide, unhide, flag)."""

    class Kind(models.TextChoices):
        APPROVE = "approve", _("Freigegeben")
        HIDE = "hide", _("Ausgeblendet")
        UNHIDE = "unhide", _("Wieder eingeblendet")
        FLAG = "flag", _("Gemeldet")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="moderation_actions")
    kind = models.CharField(_("Aktion"), max_length=20, choices=Kind.choices)

    class Meta(ActionLog.Meta):
        verbose_name = _("Moderationsschritt")
        verbose_name_plural = _("Moderationsschritte")


# Attachments and change-mail opt-outs live in their own modules (same app); re-exported for imports and migrations.
from .attachment_models import Attachment, _attachment_storage, attachment_upload_to  # noqa: E402, F401
from .change_mail_models import ChangeMailOptOut  # noqa: E402, F401
