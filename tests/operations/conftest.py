"""A real SMTP server (aiosmtpd) on a free port and the database task backend for the task-queue tests."""

import socket
import threading
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps every accepted message; `refuse` answers the next RCPTs with a code."""

    def __init__(self) -> None:
        self.messages: list = []
        self.refuse: dict[str, str] = {}  # address -> SMTP reply, e.g. "550 5.1.1 unknown user"
        self.sessions = 0
        self._lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with self._lock:
            self.sessions += 1
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        """Return the messages delivered to `address`."""
        return [message for recipients, message in self.messages if address in recipients]

    def clear(self) -> None:
        self.messages.clear()
        self.refuse.clear()
        self.sessions = 0


class SmtpServer:
    """A started aiosmtpd Controller that can be stopped and started again on the same port."""

    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(scope="module")
def smtp_server():
    """A running SMTP server for the module; each test starts with an empty mailbox."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server, settings):
    """Send mail through the SMTP server (started, mailbox empty); return the server."""
    if smtp_server.controller is None:
        smtp_server.start()
    smtp_server.mailbox.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield smtp_server
    if smtp_server.controller is None:
        smtp_server.start()


@pytest.fixture
def database_tasks(settings):
    """Queue tasks in the database (the default backend), with fast retries."""
    settings.TASKS = {"default": {"BACKEND": "operations.task_backend.DatabaseBackend"}}
    settings.TASKS_BACKOFF_BASE = 60.0
    settings.TASKS_MAX_ATTEMPTS = 3
    settings.SITE_URL = "http://testserver"
