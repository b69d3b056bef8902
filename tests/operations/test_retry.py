"""Which errors are retried, and how long the worker waits before the next attempt."""

import smtplib

import pytest
from django.db import InterfaceError, OperationalError

from operations.retry import TransientError, backoff_seconds, is_transient


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (ConnectionRefusedError(111, "Connection refused"), True),
        (TimeoutError("timed out"), True),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), True),
        (smtplib.SMTPConnectError(421, b"Too many connections"), True),
        (smtplib.SMTPDataError(451, b"Try again later"), True),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (450, b"Mailbox busy")}), True),
        (OperationalError("server closed the connection unexpectedly"), True),
        (InterfaceError("connection already closed"), True),
        (TransientError("Dienst antwortet später"), True),
        (smtplib.SMTPDataError(554, b"Rejected"), False),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"No such user")}), False),
        (smtplib.SMTPAuthenticationError(535, b"Bad credentials"), False),
        (ValueError("a bug"), False),
        (OSError(113, "No route to host"), True),
        (FileNotFoundError(2, "missing"), False),  # stays missing
    ],
)
def test_transient_errors(error, transient):
    assert is_transient(error) is transient


def test_backoff_doubles_up_to_the_cap(settings):
    settings.TASKS_BACKOFF_BASE, settings.TASKS_BACKOFF_MAX = 30.0, 100.0
    assert [backoff_seconds(attempt) for attempt in (1, 2, 3, 4)] == [30.0, 60.0, 100.0, 100.0]
