"""Staff identities from the central login (OIDC) and the marker device of a second factor the SSO confirmed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device


class OidcIdentity(models.Model):
    """The identity provider's subject (`sub`) of a staff user: SSO logins find the user by it, never by e-mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identity", verbose_name=_("Benutzer")
    )
    issuer = models.CharField(_("Aussteller (iss)"), max_length=255)
    subject = models.CharField(_("Kennung beim Aussteller (sub)"), max_length=255)
    last_login_at = models.DateTimeField(_("Letzte Anmeldung über SSO"), null=True, blank=True)

    class Meta:
        verbose_name = _("Zentrale Anmeldung (SSO)")
        verbose_name_plural = _("Zentrale Anmeldungen (SSO)")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="unique_oidc_subject")]

    def __str__(self):
        return f"{self.subject} @ {self.issuer}"


class SingleSignOnDevice(Device):
    """Stands for the second factor the identity provider confirmed (a trusted `amr`/`acr` claim); no own codes."""

    class Meta:
        verbose_name = _("Zweiter Faktor der zentralen Anmeldung")
        verbose_name_plural = _("Zweite Faktoren der zentralen Anmeldung")

    def verify_token(self, token):
        return False
