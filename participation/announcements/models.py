"""Announcements, social channels, their delivery outbox, feeds and e-mail subscriptions."""

import secrets
import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import Municipality, Plan

from .crypto import decrypt_json, encrypt_json


class Event(models.TextChoices):
    PLAN_PUBLISHED = "plan_published", _("Plan veröffentlicht")
    CONSULTATION_SCHEDULED = "consultation_scheduled", _("Beteiligung angekündigt")
    CONSULTATION_OPENED = "consultation_opened", _("Beteiligung gestartet")
    CONSULTATION_REMINDER = "consultation_reminder", _("Erinnerung vor Fristende")
    CONSULTATION_CLOSED = "consultation_closed", _("Beteiligung beendet")
    RESULT_PUBLISHED = "result_published", _("Ergebnis veröffentlicht")


class ChannelKind(models.TextChoices):
    X = "x", _("X (Twitter)")
    MASTODON = "mastodon", _("Mastodon")
    BLUESKY = "bluesky", _("Bluesky")


class AnnouncementTemplate(models.Model):
    """The editable text of one municipality for one procedure event (Django template syntax)."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("Kommune"), on_delete=models.CASCADE, related_name="announcement_templates"
    )
    event = models.CharField(_("Anlass"), max_length=30, choices=Event.choices)
    body = models.TextField(
        _("Text"),
        help_text=_(
            "Platzhalter: {{ plan_title }}, {{ plan_number }}, {{ plan_kind }}, {{ municipality }}, "
            "{{ start_date }}, {{ end_date }}, {{ days_left }}, {{ consultation_kind }}. "
            "Der Link zum Plan wird automatisch angehängt."
        ),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("Erinnerung (Tage vor Fristende)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Nur für die Erinnerung vor Fristende."),
    )
    enabled = models.BooleanField(_("Aktiv"), default=True)

    class Meta:
        verbose_name = _("Textvorlage")
        verbose_name_plural = _("Textvorlagen")
        ordering = ["municipality", "event"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "event"], name="unique_announcement_template"),
        ]

    def __str__(self):
        return f"{self.municipality}: {self.get_event_display()}"


class AnnouncementQuerySet(models.QuerySet):
    def published(self, when=None):
        """Return approved announcements whose publication time has come (for the feeds)."""
        when = when or timezone.now()
        return self.filter(status=Announcement.Status.APPROVED, published_at__lte=when)

    def for_user(self, user):
        """Return the announcements of the municipalities `user` may manage."""
        return self.filter(municipality__in=Municipality.objects.for_user(user))


class Announcement(models.Model):
    """One message about a procedure step, drafted from a template and approved by staff."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        APPROVED = "approved", _("Freigegeben")
        DISCARDED = "discarded", _("Verworfen")

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("Kommune"), on_delete=models.CASCADE, related_name="announcements"
    )
    plan = models.ForeignKey(Plan, verbose_name=_("Plan"), on_delete=models.CASCADE, related_name="announcements")
    consultation = models.ForeignKey(
        "participation.Consultation",
        verbose_name=_("Beteiligung"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="announcements",
    )
    event = models.CharField(_("Anlass"), max_length=30, choices=Event.choices)
    title = models.CharField(_("Überschrift"), max_length=250)
    body = models.TextField(_("Text"), max_length=2000)
    link = models.URLField(_("Link"), max_length=500)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    scheduled_for = models.DateTimeField(
        _("Geplant für"), null=True, blank=True, help_text=_("Leer lassen, um sofort nach der Freigabe zu senden.")
    )
    published_at = models.DateTimeField(_("Veröffentlicht ab"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(_("Freigegeben am"), null=True, blank=True)
    discarded_at = models.DateTimeField(_("Verworfen am"), null=True, blank=True, editable=False)
    discard_reason = models.CharField(_("Grund für das Verwerfen"), max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(_("Angelegt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert"), auto_now=True)

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        verbose_name = _("Ankündigung")
        verbose_name_plural = _("Ankündigungen")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["municipality", "status", "published_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.link


class ChannelAccount(models.Model):
    """A municipality's account on one social network; secrets are stored encrypted and never shown again."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("Kommune"), on_delete=models.CASCADE, related_name="channel_accounts"
    )
    kind = models.CharField(_("Netzwerk"), max_length=20, choices=ChannelKind.choices)
    enabled = models.BooleanField(_("Aktiv"), default=True)
    api_base_url = models.URLField(
        _("Server"), blank=True, help_text=_("Mastodon-Instanz oder Bluesky-PDS, z. B. https://bsky.social")
    )
    handle = models.CharField(
        _("Konto"), max_length=200, blank=True, help_text=_("Benutzername bzw. Handle, z. B. usingen.bsky.social")
    )
    secret_data = models.TextField(editable=False, blank=True)
    last_checked_at = models.DateTimeField(_("Zuletzt geprüft"), null=True, blank=True, editable=False)
    last_check_ok = models.BooleanField(_("Verbindung in Ordnung"), null=True, editable=False)
    last_check_message = models.CharField(_("Prüfergebnis"), max_length=500, blank=True, editable=False)

    class Meta:
        verbose_name = _("Kanal")
        verbose_name_plural = _("Kanäle")
        ordering = ["municipality", "kind"]
        constraints = [models.UniqueConstraint(fields=["municipality", "kind"], name="unique_channel_account")]

    def __str__(self):
        return f"{self.municipality}: {self.get_kind_display()}"

    @property
    def secrets(self) -> dict:
        return decrypt_json(self.secret_data)

    def set_secrets(self, values: dict) -> None:
        """Encrypt and store `values`, keeping stored secrets for keys given as empty."""
        merged = {**self.secrets, **{k: v for k, v in values.items() if v}}
        self.secret_data = encrypt_json(merged)


class DeliveryQuerySet(models.QuerySet):
    def due(self, when=None):
        """Return pending deliveries whose next attempt is due at `when`."""
        when = when or timezone.now()
        return self.filter(
            status=Delivery.Status.PENDING,
            next_attempt_at__lte=when,
            announcement__status=Announcement.Status.APPROVED,
        )

    def stale(self, when=None):
        """Return deliveries left in 'sending' longer than the claim timeout (their worker died)."""
        when = when or timezone.now()
        return self.filter(
            status=Delivery.Status.SENDING,
            claimed_at__lt=when - timezone.timedelta(seconds=settings.ANNOUNCEMENTS_CLAIM_TIMEOUT),
        )


class Delivery(models.Model):
    """One announcement on one channel: the outbox row the worker sends exactly once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Wartet")
        SENDING = "sending", _("Wird gesendet")
        SENT = "sent", _("Gesendet")
        FAILED = "failed", _("Fehlgeschlagen")
        SKIPPED = "skipped", _("Übersprungen (Kanal nicht eingerichtet)")

    announcement = models.ForeignKey(Announcement, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("Kanal"), max_length=20, choices=ChannelKind.choices)
    text = models.TextField(_("Gesendeter Text"), blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("Versuche"), default=0)
    next_attempt_at = models.DateTimeField(_("Nächster Versuch"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    uncertain = models.BooleanField(
        default=False, help_text="A previous attempt may have reached the network; check before posting again."
    )
    last_error = models.TextField(_("Letzter Fehler"), blank=True)
    remote_id = models.CharField(_("ID beim Netzwerk"), max_length=300, blank=True)
    remote_url = models.URLField(_("Adresse des Beitrags"), max_length=500, blank=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sent_at = models.DateTimeField(_("Gesendet am"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("Zustellung")
        verbose_name_plural = _("Zustellungen")
        ordering = ["announcement", "channel"]
        constraints = [models.UniqueConstraint(fields=["announcement", "channel"], name="unique_delivery")]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.announcement} → {self.get_channel_display()} ({self.get_status_display()})"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Subscription(models.Model):
    """An e-mail alert for new plans of a municipality or near a point; active after double opt-in."""

    email = models.EmailField(_("E-Mail-Adresse"))
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("Kommune"),
        on_delete=models.CASCADE,
        related_name="subscriptions",
        null=True,
        blank=True,
    )
    point = models.PointField(_("Ort"), srid=4326, null=True, blank=True)
    radius_m = models.PositiveIntegerField(
        _("Umkreis in Metern"), null=True, blank=True, validators=[MinValueValidator(50), MaxValueValidator(10_000)]
    )
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    confirmed_at = models.DateTimeField(_("Bestätigt am"), null=True, blank=True)
    created_at = models.DateTimeField(_("Angelegt"), auto_now_add=True)

    class Meta:
        verbose_name = _("E-Mail-Benachrichtigung")
        verbose_name_plural = _("E-Mail-Benachrichtigungen")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(municipality__isnull=False) | Q(point__isnull=False, radius_m__isnull=False),
                name="subscription_has_target",
            ),
        ]

    def __str__(self):
        return self.email


class SubscriptionNotification(models.Model):
    """Record that `subscription` was told about `plan`, so nobody gets the same alert twice."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="notifications")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscription", "plan"], name="unique_subscription_notification"),
        ]
