"""Personal access links of invited authorities: a signed (invitation id, key) pair.

No account is needed: whoever holds the link acts for the authority in this one round.
Revoking or re-sending an invitation replaces its key, so every earlier link stops working.
"""

import secrets

from django.core import signing

_SALT = "participation.authorities.invitation"


def new_key() -> str:
    """Return a fresh random key for an invitation (stored; part of the signed token)."""
    return secrets.token_urlsafe(24)


def make_token(invitation) -> str:
    """Return the token for `invitation`'s current key (goes into the access link)."""
    return signing.dumps([invitation.pk, invitation.key], salt=_SALT)


def read_token(token: str) -> tuple[int, str] | None:
    """Return (invitation id, key) from a token, or None if it was tampered with or is malformed."""
    try:
        value = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) and isinstance(value[1], str)):
        return None
    return value[0], value[1]
