"""Municipalities (tenants), their staff, plans, procedure history and documents.

The tables every other app points at (Municipality, Membership, Plan, StageChange), each with its queryset;
documents and their sections are in document_models.py (re-exported here). The behaviour lives elsewhere:
services.py, section_services.py, rules.py, text_provisions.py.
"""

from typing import Any

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .validators import (
    ags_validator,
    validate_area_in_boundary,
    validate_email_sender,
    validate_geometry,
    validate_municipality_domain,
    validate_municipality_slug,
)

# Art. 77 DSGVO: the supervisory authority of Hessen (a municipality elsewhere enters its own).
HESSEN_DATA_PROTECTION_AUTHORITY = (
    "Der Hessische Beauftragte für Datenschutz und Informationsfreiheit\n"
    "Postfach 3163, 65021 Wiesbaden\n"
    "https://datenschutz.hessen.de"
)


class MunicipalityQuerySet(models.QuerySet):
    def for_user(self, user):
        """Return the municipalities `user` may manage (all for superusers)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(memberships__user=user).distinct()


class Municipality(models.Model):
    """A town or municipality using the platform (one tenant)."""

    name = models.CharField(_("Name"), max_length=200)
    slug = models.SlugField(_("Kurzname in Adressen"), unique=True, validators=[validate_municipality_slug])
    ags = models.CharField(
        _("Amtlicher Gemeindeschlüssel (AGS)"),
        max_length=8,
        unique=True,
        validators=[ags_validator],
        help_text=_("8 Ziffern, mit führender Null, z. B. 06434011."),
    )
    boundary = models.MultiPolygonField(_("Gemeindegrenze"), srid=4326, null=True, blank=True)
    crs_epsg = models.PositiveIntegerField(
        _("Arbeits-Koordinatensystem (EPSG)"),
        default=25832,
        help_text=_("Metrisches Koordinatensystem für Flächen, Abstände und Exporte, z. B. 25832."),
    )
    website = models.URLField(_("Webseite"), blank=True)
    contact = models.TextField(_("Kontakt Planungsamt"), blank=True)
    postal_address = models.TextField(
        _("Postanschrift der Verwaltung"),
        blank=True,
        help_text=_("Für Briefkopf und Rücksendeangabe der Ergebnisbriefe, z. B. Marktplatz 1, 61250 Usingen."),
    )
    imprint = models.TextField(_("Impressum"), blank=True)
    privacy = models.TextField(
        _("Datenschutzerklärung (weitere Angaben)"),
        blank=True,
        help_text=_("Ergänzt die Datenschutzhinweise nach Art. 13 DSGVO, die aus den folgenden Feldern entstehen."),
    )
    privacy_controller = models.TextField(
        _("Verantwortliche Stelle"),
        blank=True,
        help_text=_("Name und Anschrift, z. B. Magistrat der Stadt Musterstadt, Marktplatz 1, 12345 Musterstadt."),
    )
    privacy_officer = models.TextField(
        _("Datenschutzbeauftragte Person"), blank=True, help_text=_("Kontakt: Anschrift, E-Mail, Telefon.")
    )
    privacy_authority = models.TextField(
        _("Datenschutz-Aufsichtsbehörde"),
        default=HESSEN_DATA_PROTECTION_AUTHORITY,
        blank=True,
        help_text=_("Bei der sich Betroffene beschweren können (Art. 77 DSGVO). Leer: die hessische Behörde."),
    )
    privacy_recipients = models.TextField(
        _("Empfänger der Stellungnahmen"),
        blank=True,
        help_text=_("z. B. Gemeindevertretung und Ausschüsse, beauftragtes Planungsbüro, Genehmigungsbehörde."),
    )
    privacy_storage = models.TextField(
        _("Speicherdauer (ergänzend)"),
        blank=True,
        help_text=_("Ergänzt die Regel der Plattform, z. B. zur Aufbewahrung der Verfahrensakte im Archiv."),
    )
    accessibility = models.TextField(_("Erklärung zur Barrierefreiheit"), blank=True)
    accessibility_contact = models.TextField(
        _("Feedback-Kontakt Barrierefreiheit"),
        blank=True,
        help_text=_("Wohin Menschen Barrieren melden können (E-Mail, Telefon, Anschrift)."),
    )
    council_body = models.CharField(
        _("Beschlussgremium"),
        max_length=100,
        default="Gemeindevertretung",
        help_text=_("Das Gremium, das über Abwägung und Satzung beschließt, z. B. Stadtverordnetenversammlung."),
    )
    mfa_required = models.BooleanField(
        _("Zwei-Faktor-Anmeldung für Personendaten verlangen"),
        default=False,
        help_text=_("Wer Namen und Anschriften exportieren darf, muss sich mit einem zweiten Faktor anmelden."),
    )
    password_login = models.BooleanField(
        _("Anmeldung mit Passwort erlauben"),
        default=True,
        help_text=_(
            "Aus: Beschäftigte, die nur dieser Kommune (oder nur Kommunen ohne Passwort-Anmeldung) angehören, "
            "melden sich ausschließlich über die zentrale Anmeldung (SSO) an."
        ),
    )
    easy_language = models.TextField(_("Erklärung in Leichter Sprache"), blank=True)
    sign_language_video_url = models.URLField(_("Video in Gebärdensprache"), blank=True)
    domain = models.CharField(
        _("Eigene Adresse (Domain)"),
        max_length=253,
        blank=True,
        validators=[validate_municipality_domain],
        help_text=_(
            "Optional, z. B. plaene.usingen.de: Unter dieser Adresse zeigt die Startseite nur die Pläne dieser "
            "Kommune, und Links in E-Mails führen dorthin. Der Betrieb muss die Adresse in ALLOWED_HOSTS "
            "eintragen und auf diesen Server zeigen lassen."
        ),
    )
    email_sender = models.CharField(
        _("Absender der E-Mails"),
        max_length=254,
        blank=True,
        validators=[validate_email_sender],
        help_text=_(
            "Optional, z. B. Stadt Usingen <beteiligung@usingen.de>. Der Mailserver muss für diese Domain "
            "senden dürfen (SPF/DKIM). Leer: der Absender der Installation."
        ),
    )

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        verbose_name = _("Kommune")
        verbose_name_plural = _("Kommunen")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain"],
                condition=~models.Q(domain=""),
                name="unique_municipality_domain",
                violation_error_code="domain_taken",
                violation_error_message=_("Diese Adresse nutzt bereits eine andere Kommune."),
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lower().rstrip(".")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("plans:municipality", kwargs={"municipality": self.slug})

    def clean(self):
        super().clean()
        self.domain = self.domain.strip().lower().rstrip(".")

    @property
    def privacy_authority_or_default(self) -> str:
        """Return the supervisory authority for complaints (Art. 77 DSGVO); Hessen's unless another is entered."""
        return self.privacy_authority.strip() or HESSEN_DATA_PROTECTION_AUTHORITY


class Membership(models.Model):
    """A staff user's role in one municipality."""

    class Role(models.TextChoices):
        PLANNER = "planner", _("Planungsamt")
        MODERATOR = "moderator", _("Moderation")

    class Source(models.TextChoices):
        LOCAL = "local", _("Hier vergeben")
        OIDC = "oidc", _("Zentrale Anmeldung (SSO)")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("Rolle"), max_length=20, choices=Role.choices, default=Role.PLANNER)
    # OIDC memberships follow the identity provider's groups at every SSO login; local ones are never touched.
    source = models.CharField(_("Herkunft"), max_length=10, choices=Source.choices, default=Source.LOCAL)

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        constraints = [models.UniqueConstraint(fields=["user", "municipality"], name="unique_membership")]

    def __str__(self):
        return f"{self.user} – {self.municipality} ({self.get_role_display()})"


class PlanQuerySet(models.QuerySet):
    def published(self):
        """Return the plans visible to the public."""
        return self.filter(status=Plan.Status.PUBLISHED, published_at__lte=timezone.now())

    def for_user(self, user):
        """Return the plans of the municipalities `user` may manage."""
        return self.filter(municipality__in=Municipality.objects.for_user(user))


class Plan(models.Model):
    """A land-use plan or public building project with its area (Geltungsbereich)."""

    class Kind(models.TextChoices):
        BPLAN = "bplan", _("Bebauungsplan")
        VBPLAN = "vbplan", _("Vorhabenbezogener Bebauungsplan")
        FNP = "fnp", _("Flächennutzungsplan")
        FNP_CHANGE = "fnp_change", _("Änderung des Flächennutzungsplans")
        STATUTE = "statute", _("Satzung")
        PUBLIC_PROJECT = "public_project", _("Öffentliches Bauvorhaben")

    class Stage(models.TextChoices):
        INITIATED = "initiated", _("Aufstellungsbeschluss")
        EARLY_PARTICIPATION = "early", _("Frühzeitige Beteiligung")
        PUBLICATION = "publication", _("Entwurf / Veröffentlichung")
        REPUBLICATION = "republication", _("Erneute Veröffentlichung")
        WEIGHING = "weighing", _("Abwägung")
        ADOPTED = "adopted", _("Satzungs- bzw. Feststellungsbeschluss")
        APPROVED = "approved", _("Genehmigung")
        IN_FORCE = "in_force", _("Bekanntgemacht / in Kraft")
        DISCONTINUED = "discontinued", _("Eingestellt")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf (nicht öffentlich)")
        PUBLISHED = "published", _("Veröffentlicht")
        WITHDRAWN = "withdrawn", _("Zurückgezogen")

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("Kommune"), on_delete=models.PROTECT, related_name="plans"
    )
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, default=Kind.BPLAN)
    number = models.CharField(_("Nummer"), max_length=50, blank=True, help_text=_("z. B. „Nr. 64“"))
    title = models.CharField(_("Titel"), max_length=250)
    slug = models.SlugField(_("Kurzname in Adressen"), max_length=120)
    summary = models.TextField(_("Kurzbeschreibung"), blank=True, max_length=1000)
    description = models.TextField(_("Beschreibung"), blank=True)
    area = models.MultiPolygonField(_("Geltungsbereich"), srid=4326, validators=[validate_geometry])
    stage = models.CharField(_("Verfahrensstand"), max_length=20, choices=Stage.choices, default=Stage.INITIATED)
    status = models.CharField(_("Veröffentlichung"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("Online seit"), null=True, blank=True)
    created_at = models.DateTimeField(_("Angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert"), auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("Plan")
        verbose_name_plural = _("Pläne")
        ordering = ["municipality__name", "-published_at", "title"]
        constraints = [models.UniqueConstraint(fields=["municipality", "slug"], name="unique_plan_slug")]
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self):
        return f"{self.number} {self.title}".strip()

    @property
    def quoted_title(self) -> str:
        """The title in German quotes, unless it already carries quotes (e.g. 'Wohngebiet „Am Riedborn“')."""
        title = self.title.strip()
        if any(mark in title for mark in '„“”"«»'):
            return title
        return f"„{title}“"

    @property
    def short_name(self) -> str:
        """Number and quoted title without the kind, e.g. 'Nr. 64 „Am Riedborn“'."""
        return " ".join(part for part in (self.number.strip(), self.quoted_title) if part)

    @property
    def display_name(self) -> str:
        """Kind, number and quoted title, e.g. 'Bebauungsplan Nr. 64 „Am Riedborn“' (nominative, no article)."""
        return f"{self.get_kind_display()} {self.short_name}"

    @property
    def about_phrase(self) -> str:
        """The plan after 'zu' with article and dative, e.g. 'zum Bebauungsplan Nr. 64 „Am Riedborn“'."""
        phrases: dict[str, Any] = {
            self.Kind.BPLAN: _("zum Bebauungsplan %(name)s"),
            self.Kind.VBPLAN: _("zum vorhabenbezogenen Bebauungsplan %(name)s"),
            self.Kind.FNP: _("zum Flächennutzungsplan %(name)s"),
            self.Kind.FNP_CHANGE: _("zur Änderung des Flächennutzungsplans %(name)s"),
            self.Kind.STATUTE: _("zur Satzung %(name)s"),
            self.Kind.PUBLIC_PROJECT: _("zum öffentlichen Bauvorhaben %(name)s"),
        }
        phrase = phrases.get(self.kind, _("zum Plan %(name)s"))
        return str(phrase) % {"name": self.short_name}

    def get_absolute_url(self):
        return reverse("plans:detail", kwargs={"municipality": self.municipality.slug, "plan": self.slug})

    def clean(self):
        """Check that the Geltungsbereich lies inside the municipality's boundary."""
        super().clean()
        if self.area is None or not self.area.valid or self.municipality_id is None:
            return
        try:
            validate_area_in_boundary(self.area, self.municipality)
        except ValidationError as exc:
            raise ValidationError({"area": exc}) from exc

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED and self.published_at and self.published_at <= timezone.now()


class StageChange(models.Model):
    """One dated step in a plan's procedure history."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="stage_changes")
    stage = models.CharField(_("Verfahrensschritt"), max_length=20, choices=Plan.Stage.choices)
    date = models.DateField(_("Datum"))
    note = models.CharField(_("Hinweis"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Verfahrensschritt")
        verbose_name_plural = _("Verfahrensschritte")
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.date:%d.%m.%Y} {self.get_stage_display()}"


# Documents and their sections live in document_models.py (same app); re-exported for imports and migrations.
from .document_models import Document, DocumentQuerySet, DocumentSection, document_upload_to  # noqa: E402, F401
