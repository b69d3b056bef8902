"""Who may do what, per municipality.

Every action (service function) asks here itself, through `require()`, before it validates
and writes; views, the admin, management commands and tasks only call the actions. A view's
own check is a courtesy (hide a button, answer 404 for a foreign municipality).

The actor is a user, or `SYSTEM` for the installation itself: management commands run by
the operator without `--user`, scheduled tasks and the demo loader. `None` is never an actor,
so forgetting to pass one fails loudly instead of skipping the check.
"""

from typing import Final, Literal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .models import Membership, Municipality

Permission = Literal["view", "moderate", "manage", "export_personal_data", "operate"]


class _System:
    """The installation acting on its own behalf (operator commands, tasks); passes every check."""

    is_authenticated = False
    is_active = True
    is_superuser = False
    pk = None

    def __repr__(self) -> str:
        return "SYSTEM"

    def __bool__(self) -> bool:
        return True


SYSTEM: Final = _System()


def is_system(actor) -> bool:
    """Return whether `actor` is the installation itself."""
    return actor is SYSTEM


def user_or_none(actor):
    """Return `actor` if it is a real user (for `created_by`/`by` columns), else None."""
    return actor if getattr(actor, "is_authenticated", False) else None


def role_in(user, municipality: Municipality) -> str | None:
    """Return `user`'s role in `municipality` ('planner', 'moderator') or None."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Membership.Role.PLANNER
    cache = getattr(user, "_pb_roles", None)
    if cache is None:
        cache = user._pb_roles = {}
    if municipality.pk not in cache:
        membership = Membership.objects.filter(user=user, municipality=municipality).only("role").first()
        cache[municipality.pk] = membership.role if membership else None
    return cache[municipality.pk]


def can_manage(user, municipality: Municipality) -> bool:
    """Return whether `user` may change plans and consultations of `municipality`."""
    return is_system(user) or role_in(user, municipality) == Membership.Role.PLANNER


def can_moderate(user, municipality: Municipality) -> bool:
    """Return whether `user` may moderate comments of `municipality`."""
    return is_system(user) or role_in(user, municipality) in (Membership.Role.PLANNER, Membership.Role.MODERATOR)


def can_view(user, municipality: Municipality) -> bool:
    """Return whether `user` works for `municipality` in any role."""
    return can_moderate(user, municipality)


def is_second_factor_verified(user) -> bool:
    """Return whether `user`'s session was confirmed with a second factor (django-otp's OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(callable(check) and check())


def can_export_personal_data(user, municipality: Municipality) -> bool:
    """Return whether `user` may export names and addresses.

    Planning-office staff only; where the municipality sets `mfa_required`, only in a session confirmed
    with a second factor (TOTP). SYSTEM (operator commands) is not asked for one.
    """
    if is_system(user):
        return True
    if not can_manage(user, municipality):
        return False
    return not municipality.mfa_required or is_second_factor_verified(user)


def can_operate(user) -> bool:
    """Return whether `user` runs the installation (superuser or SYSTEM): municipalities, memberships, admin."""
    return is_system(user) or bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def is_staff_anywhere(user) -> bool:
    """Return whether `user` belongs to any municipality's staff."""
    return user.is_authenticated and user.is_active and (user.is_superuser or user.memberships.exists())


CHECKS = {
    "view": can_view,
    "moderate": can_moderate,
    "manage": can_manage,
    "export_personal_data": can_export_personal_data,
}


def has_permission(actor, permission: Permission, municipality: Municipality | None = None) -> bool:
    """Return whether `actor` holds `permission` for `municipality` (or for the installation: 'operate')."""
    if actor is None:
        raise TypeError("An action needs an actor: a user or plans.rules.SYSTEM, never None.")
    if permission == "operate":
        return can_operate(actor)
    if municipality is None:
        raise TypeError(f"Permission {permission!r} needs a municipality.")
    return CHECKS[permission](actor, municipality)


def require(actor, permission: Permission, municipality: Municipality | None = None) -> None:
    """Raise PermissionDenied unless `actor` holds `permission` for `municipality`."""
    if not has_permission(actor, permission, municipality):
        raise PermissionDenied(_("Sie haben für diese Aktion keine Berechtigung."))
