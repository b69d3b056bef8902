"""Retries with exponential backoff for tasks that meet a transient error (SMTP or database unavailable).

A task decorated with `retry_transient` (below `@task()`) takes a keyword argument `attempt` (default 1).
On a transient error it enqueues itself again with `run_after` = now + backoff and `attempt + 1`, and
the current run ends successfully with ``{"retry": <next attempt>}``; after `TASKS_MAX_ATTEMPTS` attempts,
or on any other error, the error propagates and the task stays FAILED (the dead-letter view lists it).
"""

import errno
import functools
import logging
import smtplib
import socket
from collections.abc import Callable
from contextvars import ContextVar
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

NETWORK_ERRNOS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN, errno.EAGAIN}

_final_attempt: ContextVar[bool] = ContextVar("final_attempt", default=True)


def is_final_attempt() -> bool:
    """Return whether the running task gets no retry after this run (so it should record its failures now)."""
    return _final_attempt.get()


class TransientError(Exception):
    """Raise from a task to ask for a retry (e.g. a remote service answered 'try later')."""


def _smtp_code_transient(code: int | None) -> bool:
    return code is not None and 400 <= code < 500


def is_transient(error: BaseException) -> bool:
    """Return whether `error` may go away by itself: a refused or dropped connection, SMTP 4xx, a lost database."""
    if isinstance(error, TransientError | OperationalError | InterfaceError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(_smtp_code_transient(code) for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):  # incl. SMTPConnectError, SMTPDataError
        return _smtp_code_transient(error.smtp_code)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, ConnectionError | TimeoutError | socket.gaierror):
        return True
    return isinstance(error, OSError) and error.errno in NETWORK_ERRNOS  # not a missing file: that stays missing


def backoff_seconds(attempt: int) -> float:
    """Return how long to wait before attempt `attempt + 1`: base · 2^(attempt − 1), capped."""
    return min(settings.TASKS_BACKOFF_BASE * 2 ** max(0, attempt - 1), settings.TASKS_BACKOFF_MAX)


def _task_of(func: Callable) -> Any:
    """Return the django-tasks Task object wrapping `func` (the module attribute of the same name)."""
    return import_string(f"{func.__module__}.{func.__qualname__}")


def schedule_retry(task: Any, args: tuple, kwargs: dict, *, attempt: int) -> Any:
    """Enqueue `task` again as attempt `attempt` after the backoff; return its task result."""
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()  # a dropped connection is reopened by the next query
    run_after = timezone.now() + timedelta(seconds=backoff_seconds(attempt - 1))
    return task.using(run_after=run_after).enqueue(*args, **kwargs, attempt=attempt)


def retry_transient(func: F) -> F:
    """Make the task re-enqueue itself with backoff on a transient error, up to TASKS_MAX_ATTEMPTS attempts.

    Apply below `@task()`; the task must be idempotent (a re-run may follow a partial run).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, attempt: int = 1, **kwargs: Any) -> Any:
        task = _task_of(func)
        # The immediate backend cannot defer, and retrying at once would not help: no retry there.
        final = attempt >= settings.TASKS_MAX_ATTEMPTS or not task.get_backend().supports_defer
        token = _final_attempt.set(final)
        try:
            return func(*args, **kwargs)
        except Exception as error:
            if final or not is_transient(error):
                raise
            logger.warning(
                "Task %s attempt %d of %d failed (%r); retrying in %.0f s",
                func.__qualname__,
                attempt,
                settings.TASKS_MAX_ATTEMPTS,
                error,
                backoff_seconds(attempt),
            )
            schedule_retry(task, args, kwargs, attempt=attempt + 1)
            return {"retry": attempt + 1, "error": repr(error)[:500]}
        finally:
            _final_attempt.reset(token)

    return wrapper  # type: ignore[return-value]
