"""Who may do what, per municipality. Every staff view and export asks here."""

from .models import Membership, Municipality


def role_in(user, municipality: Municipality) -> str | None:
    """Return `user`'s role in `municipality` ('planner', 'moderator') or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Membership.Role.PLANNER
    membership = Membership.objects.filter(user=user, municipality=municipality).only("role").first()
    return membership.role if membership else None


def can_manage(user, municipality: Municipality) -> bool:
    """Return whether `user` may change plans and consultations of `municipality`."""
    return role_in(user, municipality) == Membership.Role.PLANNER


def can_moderate(user, municipality: Municipality) -> bool:
    """Return whether `user` may moderate comments of `municipality`."""
    return role_in(user, municipality) in (Membership.Role.PLANNER, Membership.Role.MODERATOR)


def can_export_personal_data(user, municipality: Municipality) -> bool:
    """Return whether `user` may export names and addresses (planning-office staff only)."""
    return can_manage(user, municipality)


def is_staff_anywhere(user) -> bool:
    """Return whether `user` belongs to any municipality's staff."""
    return user.is_authenticated and user.is_active and (user.is_superuser or user.memberships.exists())
