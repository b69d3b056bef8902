"""Client address for the login lockout, whether a user still has to set up two-factor login or must use SSO."""

from plans.client import client_address
from plans.models import Membership, Municipality


def client_ip(request) -> str | None:
    """Return the client address the lockout is keyed on (through the configured trusted proxies)."""
    return client_address(request)


def municipalities_requiring_mfa(user):
    """Return the municipalities where `user` could export personal data only after a second factor."""
    if not user.is_authenticated or not user.is_active:
        return Municipality.objects.none()
    queryset = Municipality.objects.filter(mfa_required=True)
    if user.is_superuser:
        return queryset
    return queryset.filter(memberships__user=user, memberships__role=Membership.Role.PLANNER)


def password_login_refused(user) -> bool:
    """Return whether `user` may log in only through SSO: every municipality they work for switched passwords off."""
    if user.is_superuser:
        return False  # operators keep their way in without the identity provider
    flags = list(Membership.objects.filter(user=user).values_list("municipality__password_login", flat=True))
    return bool(flags) and not any(flags)


def has_code_device(user) -> bool:
    """Return whether `user` has a confirmed device that gives codes (TOTP), not the SSO's marker device."""
    from django_otp import devices_for_user

    from .models import SingleSignOnDevice

    return any(not isinstance(d, SingleSignOnDevice) for d in devices_for_user(user, confirmed=True))
