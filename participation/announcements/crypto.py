"""Encrypt channel secrets at rest (Fernet, key derived from ANNOUNCEMENTS_SECRET_KEY or SECRET_KEY)."""

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    secret = settings.ANNOUNCEMENTS_SECRET_KEY or settings.SECRET_KEY
    key = base64.urlsafe_b64encode(hashlib.sha256(("announcements:" + secret).encode()).digest())
    return Fernet(key)


def encrypt_json(values: dict) -> str:
    """Return `values` as an encrypted token."""
    if not values:
        return ""
    return _fernet().encrypt(json.dumps(values).encode()).decode()


def decrypt_json(token: str) -> dict:
    """Return the dict stored in `token` ({} if empty or unreadable after a key change)."""
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except (InvalidToken, ValueError):
        return {}
