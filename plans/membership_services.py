"""Memberships granted by the central login (OIDC): set from the identity provider's groups at each SSO login."""

import logging
from collections.abc import Iterable, Mapping

from django.db import transaction

from . import rules
from .models import Membership, Municipality

logger = logging.getLogger(__name__)

# When several groups map to the same municipality, the stronger role wins.
_STRENGTH: dict[str, int] = {Membership.Role.MODERATOR.value: 1, Membership.Role.PLANNER.value: 2}


def roles_from_groups(*, groups: Iterable[str], role_map: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """Return {municipality slug: role} for `groups` under `role_map` (group → (slug, role))."""
    wanted: dict[str, str] = {}
    for group in groups:
        if group not in role_map:
            continue
        slug, role = role_map[group]
        if role not in _STRENGTH:
            logger.warning("OIDC_ROLE_MAP: unknown role %r for group %r", role, group)
            continue
        if _STRENGTH[role] > _STRENGTH.get(wanted.get(slug, ""), 0):
            wanted[slug] = role
    return wanted


@transaction.atomic
def membership_sync_from_groups(
    *, user, groups: Iterable[str], role_map: Mapping[str, tuple[str, str]], by
) -> dict[str, list[str]]:
    """Create, update or remove `user`'s OIDC memberships in the mapped municipalities to match `groups`.

    Only memberships that came from OIDC change; a role granted here (source "local") stays as it is.
    Return the slugs per outcome: created, updated, removed.
    """
    rules.require(by, "operate")
    wanted = roles_from_groups(groups=groups, role_map=role_map)
    mapped_slugs = {slug for slug, _role in role_map.values()}
    municipalities = {m.slug: m for m in Municipality.objects.filter(slug__in=mapped_slugs)}
    for slug in mapped_slugs - municipalities.keys():
        logger.warning("OIDC_ROLE_MAP names the unknown municipality %r", slug)
    existing = {
        m.municipality.slug: m
        for m in Membership.objects.select_for_update(of=("self",))
        .select_related("municipality")
        .filter(user=user, municipality__in=municipalities.values())
    }
    outcome: dict[str, list[str]] = {"created": [], "updated": [], "removed": []}
    for slug, municipality in sorted(municipalities.items()):
        membership = existing.get(slug)
        role = wanted.get(slug)
        if membership is not None and membership.source != Membership.Source.OIDC:
            continue
        if membership is None and role:
            Membership.objects.create(user=user, municipality=municipality, role=role, source=Membership.Source.OIDC)
            outcome["created"].append(slug)
        elif membership is not None and not role:
            membership.delete()
            outcome["removed"].append(slug)
        elif membership is not None and role and membership.role != role:
            membership.role = role
            membership.save(update_fields=["role"])
            outcome["updated"].append(slug)
    if hasattr(user, "_pb_roles"):
        del user._pb_roles  # rules.role_in caches roles on the user object
    return outcome
