"""Staff single sign-on with OpenID Connect (mozilla-django-oidc): users by `sub`, roles from the groups claim.

Configured per installation (settings `OIDC_*`, docs/login.md). A user is found by the issuer and the
subject (`sub`) stored at the first login, never by the e-mail address alone. At every login the
memberships that came from OIDC are set from the groups claim through `OIDC_ROLE_MAP`; roles granted
on this site stay. A second factor counts as confirmed only when the ID token's `amr`/`acr` names a
method listed in `OIDC_MFA_AMR_VALUES`/`OIDC_MFA_ACR_VALUES`.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from plans.membership_services import membership_sync_from_groups
from plans.rules import SYSTEM

from .models import OidcIdentity, SingleSignOnDevice

logger = logging.getLogger(__name__)

SECOND_FACTOR_ATTR = "_pb_sso_second_factor"


def oidc_enabled() -> bool:
    """Return whether staff may log in through the central login."""
    return bool(getattr(settings, "OIDC_ENABLED", False))


def role_map() -> dict[str, tuple[str, str]]:
    """Return OIDC_ROLE_MAP as {group: (municipality slug, role)}."""
    return {group: (value[0], value[1]) for group, value in (settings.OIDC_ROLE_MAP or {}).items()}


def groups_of(claims: dict) -> list[str]:
    """Return the groups named in `claims` (a list, or a single string); Keycloak's paths lose their "/"."""
    value = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(value, str):
        value = [value]
    return [str(group).lstrip("/") for group in value]


def second_factor_confirmed(payload: dict) -> bool:
    """Return whether the ID token says the identity provider checked a trusted second factor."""
    amr = payload.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if set(amr) & set(settings.OIDC_MFA_AMR_VALUES):
        return True
    return bool(payload.get("acr")) and payload.get("acr") in settings.OIDC_MFA_ACR_VALUES


class StaffOIDCBackend(OIDCAuthenticationBackend):
    """Authenticate staff from the authorization-code flow; find them by (issuer, sub), sync their roles."""

    def authenticate(self, request, **kwargs):
        if not oidc_enabled():
            return None
        return super().authenticate(request, **kwargs)

    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def get_or_create_user(self, access_token, id_token, payload):
        issuer = payload.get("iss", "")
        expected = settings.OIDC_OP_ISSUER
        if expected and issuer != expected:
            raise SuspiciousOperation(f"ID token from unexpected issuer {issuer!r}")
        userinfo = self.get_userinfo(access_token, id_token, payload) if self.OIDC_OP_USER_ENDPOINT else {}
        if userinfo and userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo names another subject than the ID token")
        claims = {**payload, **userinfo}
        if not self.verify_claims(claims):
            raise SuspiciousOperation("ID token without subject")
        user = sso_user_login(issuer=issuer or expected, claims=claims)
        if user is not None:
            setattr(user, SECOND_FACTOR_ATTR, second_factor_confirmed(payload))
        return user


@transaction.atomic
def sso_user_login(*, issuer: str, claims: dict):
    """Find or create the staff user of (issuer, sub), update name and e-mail, set OIDC roles; return the user."""
    User = get_user_model()
    subject = str(claims["sub"])
    identity = (
        OidcIdentity.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if identity is None:
        if not settings.OIDC_CREATE_USER:
            logger.info("SSO login of an unknown subject refused (OIDC_CREATE_USER is off)")
            return None
        user = User(username=_free_username(claims, issuer))
        user.set_unusable_password()
        user.save()
        identity = OidcIdentity.objects.create(user=user, issuer=issuer, subject=subject)
    user = identity.user
    changed = []
    for field, claim, limit in (
        ("email", "email", 254),
        ("first_name", "given_name", 150),
        ("last_name", "family_name", 150),
    ):
        value = str(claims.get(claim) or "")[:limit]
        if value and getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if changed:
        user.save(update_fields=changed)
    identity.last_login_at = timezone.now()
    identity.save(update_fields=["last_login_at"])
    membership_sync_from_groups(user=user, groups=groups_of(claims), role_map=role_map(), by=SYSTEM)
    return user


def _free_username(claims: dict, issuer: str) -> str:
    """Return an unused user name: preferred_username if free, else one derived from the subject."""
    User = get_user_model()
    max_length = User._meta.get_field("username").max_length
    preferred = str(claims.get("preferred_username") or "")[:max_length]
    if preferred and not User.objects.filter(username=preferred).exists():
        return preferred
    digest = hashlib.sha256(f"{issuer}|{claims['sub']}".encode()).hexdigest()[:16]
    return f"sso-{digest}"


class StaffOIDCRequestView(OIDCAuthenticationRequestView):
    """Send the browser to the identity provider (404 unless OIDC_ENABLED)."""

    def get(self, request):
        if not oidc_enabled():
            raise Http404
        return super().get(request)


class StaffOIDCCallbackView(OIDCAuthenticationCallbackView):
    """Complete the SSO login; mark the session second-factor verified when the provider says so."""

    def get(self, request):
        if not oidc_enabled():
            raise Http404
        return super().get(request)

    def login_success(self):
        response = super().login_success()
        if getattr(self.user, SECOND_FACTOR_ATTR, False):
            device, _created = SingleSignOnDevice.objects.get_or_create(
                user=self.user, defaults={"name": "SSO", "confirmed": True}
            )
            otp_login(self.request, device)
        return response

    def login_failure(self):
        messages.error(
            self.request,
            _("Die zentrale Anmeldung (SSO) ist fehlgeschlagen. Bitte versuchen Sie es erneut."),
        )
        return HttpResponseRedirect(reverse("accounts:login"))
