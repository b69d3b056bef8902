"""Client address for the login lockout, and whether a user still has to set up two-factor login."""

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
