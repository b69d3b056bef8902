"""Log records carry the request id; `logging_config()` builds LOGGING for text or JSON lines.

The request id lives in a context variable that `operations.middleware.RequestIdMiddleware` sets for
the duration of a request, so every record logged while handling it (by any logger) carries it.
"""

import logging
from contextvars import ContextVar
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = ["asctime", "levelname", "name", "message", "request_id"]


class RequestIdFilter(logging.Filter):
    """Put the current request id (or "-" outside a request) on every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            # Django logs 4xx responses after the middleware returned, passing the request along.
            request = getattr(record, "request", None)
            record.request_id = request_id_var.get() or getattr(request, "request_id", None) or "-"
        return True


def logging_config(*, log_format: str, level: str, log_requests: bool) -> dict[str, Any]:
    """Return the LOGGING dict: one stream handler on the root logger in `log_format` ("json" or "text")."""
    if log_format not in ("json", "text"):
        raise ValueError(f"LOG_FORMAT must be 'json' or 'text', not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "operations.logging.RequestIdFilter"}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": JSON_FIELDS,
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
            "text": {"format": TEXT_FORMAT},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": log_format}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own loggers go through the root handler only (its defaults would print errors twice).
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            "operations.requests": {"level": "INFO" if log_requests else "WARNING"},
        },
    }
