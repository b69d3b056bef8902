"""Abwägung (weighing) of statements, groups of near-identical statements, result notices, export jobs and log."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from participation.models import Consultation, Statement


class Decision(models.TextChoices):
    CONSIDERED = "considered", _("berücksichtigt")
    PARTLY = "partly", _("teilweise berücksichtigt")
    NOT_CONSIDERED = "not_considered", _("nicht berücksichtigt")
    NOTED = "noted", _("zur Kenntnis genommen")


class WeighingState(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    PROPOSED = "proposed", _("Abwägungsvorschlag")
    DECIDED = "decided", _("vom Rat beschlossen")


class StatementGroup(models.Model):
    """Essentially identical statements of one consultation, answered with one response."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="statement_groups")
    label = models.CharField(_("Bezeichnung"), max_length=200)
    response = models.TextField(_("Gemeinsame Abwägung"), blank=True)
    decision = models.CharField(_("Entscheidung"), max_length=20, choices=Decision.choices, blank=True)
    automatic = models.BooleanField(_("Automatisch gebildet"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Bekanntgabe durch Einsichtnahme: with more than 50 essentially identical statements the result may be made
    # available for inspection instead of telling each submitter (then no individual notice goes out).
    inspection_place = models.TextField(_("Ort der Einsichtnahme"), blank=True)
    inspection_times = models.TextField(_("Zeitraum und Zeiten der Einsichtnahme"), blank=True)
    inspection_recorded_at = models.DateTimeField(_("Einsichtnahme festgelegt am"), null=True, blank=True)
    inspection_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("Gruppe gleichartiger Stellungnahmen")
        verbose_name_plural = _("Gruppen gleichartiger Stellungnahmen")
        ordering = ["consultation", "id"]

    def __str__(self):
        return self.label

    @property
    def has_inspection_notice(self) -> bool:
        return self.inspection_recorded_at is not None


class WeighingQuerySet(models.QuerySet):
    def for_consultation(self, consultation):
        """Return the weighings of `consultation`'s statements."""
        return self.filter(statement__consultation=consultation)

    def decided(self):
        """Return weighings with a decision."""
        return self.exclude(decision="")


class Weighing(models.Model):
    """The administration's Abwägung of one statement: decision, response, internal note."""

    statement = models.OneToOneField(Statement, on_delete=models.CASCADE, related_name="weighing")
    number = models.PositiveIntegerField(_("Nr."))
    decision = models.CharField(_("Entscheidung"), max_length=20, choices=Decision.choices, blank=True, db_index=True)
    response = models.TextField(_("Abwägungsvorschlag der Verwaltung"), blank=True)
    internal_note = models.TextField(_("Interne Notiz"), blank=True)
    organisation = models.CharField(
        _("Organisation / Behörde"),
        max_length=200,
        blank=True,
        help_text=_("Für Träger öffentlicher Belange und Verbände: erscheint statt „Bürger/in Nr.“."),
    )
    group = models.ForeignKey(
        StatementGroup,
        verbose_name=_("Gruppe"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="weighings",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Bearbeitet von"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("Bearbeitet am"), null=True, blank=True)
    # draft → proposed (Abwägungsvorschlag) → decided by the council (frozen: services refuse changes).
    state = models.CharField(
        _("Stand"), max_length=10, choices=WeighingState.choices, default=WeighingState.DRAFT, db_index=True
    )
    decided_on = models.DateField(_("Ratsbeschluss vom"), null=True, blank=True)

    objects = WeighingQuerySet.as_manager()
    # Every saved change of decision, response and state, with who and when (services set _history_user).
    history = HistoricalRecords(excluded_fields=["internal_note"], related_name="+")

    class Meta:
        verbose_name = _("Abwägung")
        verbose_name_plural = _("Abwägungen")
        ordering = ["number"]

    def __str__(self):
        return f"Nr. {self.number}"

    @property
    def pseudonym(self) -> str:
        """Return the public name: the authority or organisation, else 'Bürger/in <number>'."""
        # An authority (§ 4 BauGB) is a public body and named as it signed, unless staff named it here.
        organisation = self.organisation or self.statement.organisation
        return organisation or str(_("Bürger/in %(number)s") % {"number": self.number})


class Segment(models.Model):
    """One concern (Belang) of a statement, split off by staff, weighed on its own.

    The statement's text stays intact; a segment records its span (character offsets into the text) and a copy of
    the excerpt, its own topic, plan section or element, decision and response. A statement with segments is
    weighed through them: exports and the public result list the segments under their statement.
    """

    weighing = models.ForeignKey(Weighing, on_delete=models.CASCADE, related_name="segments")
    number = models.PositiveIntegerField(_("Teil"))  # shown as "<statement number>.<number>"
    start = models.PositiveIntegerField(_("Beginn im Text"), default=0)
    end = models.PositiveIntegerField(_("Ende im Text"), default=0)
    excerpt = models.TextField(_("Textauszug"))
    topic = models.CharField(_("Thema"), max_length=20, choices=Statement.Topic.choices, blank=True)
    section = models.ForeignKey(
        "plans.DocumentSection",
        verbose_name=_("Abschnitt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    feature = models.ForeignKey(
        "geodata.Feature",
        verbose_name=_("Planelement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision = models.CharField(_("Entscheidung"), max_length=20, choices=Decision.choices, blank=True, db_index=True)
    response = models.TextField(_("Abwägungsvorschlag der Verwaltung"), blank=True)
    state = models.CharField(
        _("Stand"), max_length=10, choices=WeighingState.choices, default=WeighingState.DRAFT, db_index=True
    )
    decided_on = models.DateField(_("Ratsbeschluss vom"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Bearbeitet von"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("Bearbeitet am"), null=True, blank=True)

    history = HistoricalRecords(related_name="+")

    class Meta:
        verbose_name = _("Teil einer Stellungnahme")
        verbose_name_plural = _("Teile von Stellungnahmen")
        ordering = ["weighing", "number"]
        constraints = [models.UniqueConstraint(fields=["weighing", "number"], name="workbench_segment_unique_number")]

    def __str__(self):
        return f"Nr. {self.weighing.number}.{self.number}"


class ExternalReviewer(models.Model):
    """A person outside the administration (planning consultant, Fachamt of another body) who weighs assigned items.

    Logs in with a scoped account (`user`, without a Membership) and sees only what is assigned to them.
    """

    municipality = models.ForeignKey(
        "plans.Municipality", on_delete=models.CASCADE, related_name="external_reviewers", verbose_name=_("Kommune")
    )
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_reviewer")
    organisation = models.CharField(_("Büro / Stelle"), max_length=200, blank=True)
    active = models.BooleanField(_("Aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Externe Bearbeitung")
        verbose_name_plural = _("Externe Bearbeitungen")

    def __str__(self):
        return self.organisation or self.user.get_username()


class Assignment(models.Model):
    """A statement (its weighing) or one segment assigned to a staff member or external reviewer, with a due date."""

    weighing = models.ForeignKey(Weighing, on_delete=models.CASCADE, related_name="assignments")
    segment = models.ForeignKey(Segment, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Zugewiesen an"), on_delete=models.CASCADE, related_name="assignments"
    )
    due_date = models.DateField(_("Erledigen bis"), null=True, blank=True)
    note = models.TextField(_("Hinweis"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(_("Erledigt am"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Zuweisung")
        verbose_name_plural = _("Zuweisungen")
        ordering = ["due_date", "id"]

    def __str__(self):
        return f"{self.weighing} → {self.assignee}"


class ConsultationResult(models.Model):
    """Publication state of a consultation's Abwägung result."""

    consultation = models.OneToOneField(Consultation, on_delete=models.CASCADE, related_name="result")
    published_at = models.DateTimeField(_("Ergebnis veröffentlicht am"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    introduction = models.TextField(_("Einleitung zur Ergebnisseite"), blank=True)
    council_body = models.CharField(
        _("Beschlussgremium"),
        max_length=100,
        blank=True,
        help_text=_("Das Gremium, das über die Abwägung beschlossen hat, z. B. Gemeindevertretung."),
    )
    decided_on = models.DateField(_("Beschlossen am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Abwägungsergebnis")
        verbose_name_plural = _("Abwägungsergebnisse")

    def __str__(self):
        return str(self.consultation)


class ResultNotification(models.Model):
    """One result notice to a submitter: which statement, by e-mail (address hashed) or letter, when, how it went."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Eingeplant")
        SENT = "sent", _("Versendet")
        FAILED = "failed", _("Fehlgeschlagen")
        PRINTED = "printed", _("Brief erstellt")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-Mail")
        POST = "post", _("Brief")

    statement = models.OneToOneField(Statement, on_delete=models.CASCADE, related_name="result_notification")
    channel = models.CharField(_("Weg"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    email_sha256 = models.CharField(_("E-Mail (SHA-256)"), max_length=64, blank=True)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    queued_at = models.DateTimeField(_("Eingeplant am"), auto_now_add=True)
    sent_at = models.DateTimeField(_("Versendet am"), null=True, blank=True)
    error = models.TextField(_("Fehler"), blank=True)
    decision = models.CharField(_("Mitgeteilte Entscheidung"), max_length=20, choices=Decision.choices, blank=True)

    class Meta:
        verbose_name = _("Ergebnismitteilung")
        verbose_name_plural = _("Ergebnismitteilungen")
        ordering = ["queued_at", "id"]

    def __str__(self):
        return f"{self.statement_id}: {self.get_status_display()}"


class PersonalDataExportLog(models.Model):
    """A record that someone exported statements with names and addresses."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="personal_data_exports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(_("Weg"), max_length=10, default="web")
    format = models.CharField(_("Format"), max_length=10)
    rows = models.PositiveIntegerField(_("Zeilen"), default=0)
    at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True)

    class Meta:
        verbose_name = _("Export mit Personendaten")
        verbose_name_plural = _("Exporte mit Personendaten")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.format} {self.at:%d.%m.%Y %H:%M}"


class ExportJobQuerySet(models.QuerySet):
    def expired(self, at):
        """Return the jobs whose file is no longer kept at `at`."""
        return self.filter(expires_at__lte=at)


class ExportJob(models.Model):
    """One export of the Abwägungstabelle, produced in the background into the default storage."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Wartet")
        RUNNING = "running", _("Läuft")
        SUCCEEDED = "succeeded", _("Fertig")
        FAILED = "failed", _("Fehlgeschlagen")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="export_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    format = models.CharField(_("Format"), max_length=10)
    personal = models.BooleanField(_("Mit Personendaten"), default=False)
    filters = models.CharField(_("Filter"), max_length=1000, blank=True)  # the table's query string
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(_("Zeilen"), null=True, blank=True)
    file_name = models.CharField(_("Dateiname"), max_length=200, blank=True)
    storage_name = models.CharField(max_length=300, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("Größe"), null=True, blank=True)
    error = models.TextField(_("Fehler"), blank=True)
    created_at = models.DateTimeField(_("Angefordert am"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("Fertig am"), null=True, blank=True)
    expires_at = models.DateTimeField(_("Verfügbar bis"), db_index=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("Export")
        verbose_name_plural = _("Exporte")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.format} {self.created_at:%d.%m.%Y %H:%M}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def percent(self) -> int:
        """Return the progress in percent (rows rendered of all rows)."""
        if self.status == self.Status.SUCCEEDED:
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0


class TextBlock(models.Model):
    """A reusable answer (Textbaustein) of one municipality, optionally for one topic, with placeholders."""

    municipality = models.ForeignKey(
        "plans.Municipality", on_delete=models.CASCADE, related_name="text_blocks", verbose_name=_("Kommune")
    )
    topic = models.CharField(_("Thema"), max_length=20, choices=Statement.Topic.choices, blank=True)
    title = models.CharField(_("Titel"), max_length=200)
    text = models.TextField(_("Text"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Textbaustein")
        verbose_name_plural = _("Textbausteine")
        ordering = ["municipality", "topic", "title", "id"]

    def __str__(self):
        return self.title


class TextBlockUse(models.Model):
    """A text block that went into a saved response (recorded when the response is saved containing it)."""

    block = models.ForeignKey(TextBlock, on_delete=models.CASCADE, related_name="uses")
    weighing = models.ForeignKey(Weighing, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(StatementGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Verwendung eines Textbausteins")
        verbose_name_plural = _("Verwendungen von Textbausteinen")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.block} ({self.at:%d.%m.%Y})"


class CouncilTemplate(models.Model):
    """A municipality's own Word template (DOCX with placeholders) for a council document; replaces the default."""

    class Kind(models.TextChoices):
        TABLE = "abwaegungstabelle", _("Abwägungstabelle")
        PAPER = "beschlussvorlage", _("Beschlussvorlage")

    municipality = models.ForeignKey(
        "plans.Municipality", on_delete=models.CASCADE, related_name="council_templates", verbose_name=_("Kommune")
    )
    kind = models.CharField(_("Dokument"), max_length=20, choices=Kind.choices)
    # Kept in the database (a few hundred KB): replaced or refused in one transaction, never a stray file.
    content = models.BinaryField(_("Inhalt"))
    original_name = models.CharField(_("Dateiname"), max_length=255)
    size = models.PositiveIntegerField(_("Größe"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("Hochgeladen am"))

    class Meta:
        verbose_name = _("Vorlage für Ratsdokumente")
        verbose_name_plural = _("Vorlagen für Ratsdokumente")
        ordering = ["municipality", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "kind"], name="workbench_council_template_unique_kind")
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_name}"
