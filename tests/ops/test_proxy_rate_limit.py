"""Two gunicorn workers behind a proxy share one rate limit per citizen (Redis), keyed on the forwarded address."""

import http.client
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.urls import reverse

from participation.models import Statement

from ..factories import ConsultationFactory
from ..participation.test_views import form_data
from .conftest import REDIS_URL, closed_port

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 6
CLIENT_A, CLIENT_B = "127.0.0.2", "127.0.0.3"  # loopback addresses the test's two citizens connect from


def database_url() -> str:
    """Return a DATABASE_URL for the test database this process uses (SpatiaLite file or PostGIS)."""
    db = connection.settings_dict
    if "spatialite" in db["ENGINE"]:
        return f"spatialite:///{db['NAME']}"
    return f"postgis://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class ForwardingProxy(BaseHTTPRequestHandler):
    """A minimal reverse proxy: passes the request on and appends the peer to X-Forwarded-For, like nginx."""

    upstream: tuple[str, int]

    def forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {key: value for key, value in self.headers.items() if key.lower() != "x-forwarded-for"}
        earlier = self.headers.get("X-Forwarded-For")
        headers["X-Forwarded-For"] = f"{earlier}, {self.client_address[0]}" if earlier else self.client_address[0]
        upstream = http.client.HTTPConnection(*self.upstream, timeout=30)
        upstream.request(self.command, self.path, body=body or None, headers=headers)
        response = upstream.getresponse()
        payload = response.read()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in {"connection", "transfer-encoding", "content-length"}:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        upstream.close()

    do_GET = do_POST = forward

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def proxy_to(port: int) -> Iterator[int]:
    """Run the forwarding proxy in a thread; yield its port."""
    handler = type("Proxy", (ForwardingProxy,), {"upstream": ("127.0.0.1", port)})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def gunicorn(tmp_path: Path) -> Iterator[tuple[int, Path, Path]]:
    """Start gunicorn with 2 sync workers, the Redis cache and 127.0.0.1 as trusted proxy; yield port and logs."""
    port = closed_port()
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    env = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "0",
        "REDIS_URL": REDIS_URL,
        "TRUSTED_PROXIES": "127.0.0.1",
        "PARTICIPATION_RATE_LIMIT": str(LIMIT),
        "SECRET_KEY": settings.SECRET_KEY,
        "LOG_FORMAT": "json",
        "HEALTH_CHECK_WORKER": "false",
        "SPATIALITE_LIBRARY_PATH": getattr(settings, "SPATIALITE_LIBRARY_PATH", "mod_spatialite"),
    }
    command = [
        *(sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", "2"),
        *(
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(p)s %(m)s %(s)s",
        ),
    ]
    with open(error_log, "w") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, error_log.read_text()
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer /healthz"
            time.sleep(0.2)
        # Each worker loads the application after the fork: wait until both answer (seen in the access log),
        # so that the test's requests can reach either of them.
        while len({line.split()[0] for line in access_log.read_text().splitlines() if " GET " in line}) < 2:
            assert time.monotonic() < deadline + 20, "the second gunicorn worker did not start"
            with ThreadPoolExecutor(max_workers=4) as pool:
                list(pool.map(lambda _: request(port, "GET", "/healthz"), range(4)))
            time.sleep(0.2)
        yield port, access_log, error_log
    finally:
        process.terminate()
        process.wait(timeout=15)


def request(port: int, method: str, path: str, *, source: str = "127.0.0.1", data=None, headers=None):
    """Send one request from the local address `source`; return (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        conn.request(method, path, body=urlencode(data) if data else None, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.fixture
def fresh_rate_counters():
    """Remove rate-limit counters of earlier runs from this area's Redis database (the window is 10 minutes)."""
    client = redis.Redis.from_url(REDIS_URL)

    def clear() -> None:
        keys = list(client.scan_iter("*pb:rate:*"))
        if keys:
            client.delete(*keys)

    clear()
    yield
    clear()


@pytest.mark.django_db(transaction=True)
def test_rate_limit_is_shared_by_workers_and_separate_per_forwarded_client(tmp_path, fresh_rate_counters):
    consultation = ConsultationFactory(moderation="post")
    url = reverse("participation:statement_create", args=[consultation.pk])
    csrf = secrets.token_hex(16)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"}

    def post(port: int, source: str, forged: str | None = None):
        data = form_data(consultation, email=f"{uuid.uuid4().hex[:12]}@example.org", csrfmiddlewaretoken=csrf)
        extra = {"X-Forwarded-For": forged} if forged else {}
        return request(port, "POST", url, source=source, data=data, headers={**headers, **extra})

    with gunicorn(tmp_path) as (app_port, access_log, error_log), proxy_to(app_port) as port:
        # Citizen A posts concurrently (both workers busy), claiming another address in X-Forwarded-For.
        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(lambda _: post(port, CLIENT_A, forged="198.51.100.77"), range(LIMIT + 4)))
        assert sorted(status for status, _, _ in answers) == [302] * LIMIT + [429] * 4
        assert post(port, CLIENT_A)[0] == 429
        assert post(port, CLIENT_B)[0] == 302  # another citizen behind the same proxy is still welcome
        assert request(port, "GET", "/healthz", source=CLIENT_B)[0] == 200

    addresses = list(Statement.objects.values_list("ip_address", flat=True))
    assert sorted(addresses) == [CLIENT_A] * LIMIT + [CLIENT_B]
    worker_pids = {line.split()[0] for line in access_log.read_text().splitlines() if " POST " in line}
    assert len(worker_pids) == 2, "both workers should have served statements"
    refused = [headers["X-Request-ID"] for status, headers, _ in answers if status == 429]
    logged = [json.loads(line) for line in error_log.read_text().splitlines() if line.startswith("{")]
    too_many = {line["request_id"] for line in logged if line["message"].startswith("Too Many Requests")}
    assert set(refused) <= too_many
