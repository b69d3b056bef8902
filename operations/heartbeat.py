"""The task worker's heartbeat: workers record it, the health check reads it.

Stored in the default cache (Redis in production, so every node sees every worker).
"""

import os
import socket
from datetime import UTC, datetime

from django.core.cache import cache

HEARTBEAT_KEY = "operations:worker-heartbeat"
HEARTBEAT_TTL_S = 24 * 60 * 60


def record_heartbeat(worker: str | None = None) -> None:
    """Record that a worker (default: this host and process) is alive now."""
    name = worker or f"{socket.gethostname()}:{os.getpid()}"
    beats = cache.get(HEARTBEAT_KEY) or {}
    beats[name] = datetime.now(UTC).isoformat()
    cache.set(HEARTBEAT_KEY, beats, HEARTBEAT_TTL_S)


def latest_heartbeat() -> datetime | None:
    """Return the time of the most recent heartbeat of any worker, or None if none was recorded."""
    beats = cache.get(HEARTBEAT_KEY) or {}
    if not beats:
        return None
    return max(datetime.fromisoformat(value) for value in beats.values())
