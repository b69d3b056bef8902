"""A real Bluesky PDS (npm `@atproto/pds` with an in-process `@did-plc/server` directory), started once per session.

`tests/bluesky_pds/run.js` starts both on free 127.0.0.1 ports with a temporary data directory and
prints one JSON line when ready. Without `node` the tests are skipped; any other failure to start
fails them (a missing `npm ci` must not pass silently).
"""

import itertools
import json
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "tests" / "bluesky_pds" / "run.js"
START_TIMEOUT = 90  # seconds; a normal start takes a few seconds
_handles = itertools.count(1)


@dataclass
class LocalPDS:
    url: str
    process: subprocess.Popen
    startup_seconds: float

    def xrpc(self, method: str, *, params=None, body=None, token=None) -> dict:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if body is None:
            response = httpx.get(f"{self.url}/xrpc/{method}", params=params, headers=headers, timeout=10)
        else:
            response = httpx.post(f"{self.url}/xrpc/{method}", json=body, headers=headers, timeout=10)
        assert response.status_code == 200, f"{method}: {response.status_code} {response.text}"
        return response.json()

    def records(self, repo: str) -> list[dict]:
        """Return every post the server holds for `repo` (listRecords)."""
        return self.xrpc(
            "com.atproto.repo.listRecords", params={"repo": repo, "collection": "app.bsky.feed.post", "limit": 100}
        )["records"]


@dataclass
class BlueskyAccount:
    handle: str
    did: str
    app_password: str


def _read_line(stream, timeout: float) -> bytes:
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return b""


@pytest.fixture(scope="session")
def bluesky_pds():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node ist nicht installiert: die Tests gegen einen echten Bluesky-Server laufen nicht.")
    log = tempfile.TemporaryFile()
    started = time.monotonic()
    process = subprocess.Popen(
        [node, str(SCRIPT), "--exit-with-stdin"], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log
    )
    line = _read_line(process.stdout, START_TIMEOUT)
    if not line.strip():
        process.kill()
        process.wait()
        log.seek(0)
        pytest.fail(
            f"The local PDS did not start within {START_TIMEOUT} s (exit {process.returncode}); "
            f"is `npm ci` done?\n{log.read().decode(errors='replace')[-3000:]}"
        )
    info = json.loads(line)
    pds = LocalPDS(url=info["pds_url"], process=process, startup_seconds=time.monotonic() - started)
    print(f"\nlocal Bluesky PDS ready at {pds.url} in {pds.startup_seconds:.1f} s")  # shown with -s
    try:
        yield pds
    finally:
        process.stdin.close()
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def bluesky_account(bluesky_pds, settings) -> BlueskyAccount:
    """A fresh account with an app password on the local PDS; the test settings admit the local server."""
    settings.OUTBOUND_ALLOWED_HOSTS = [*settings.OUTBOUND_ALLOWED_HOSTS, "127.0.0.1", "localhost"]
    handle = f"stadt{next(_handles)}.test"
    password = "geheim-" + handle
    created = bluesky_pds.xrpc(
        "com.atproto.server.createAccount",
        body={"email": f"{handle}@example.org", "handle": handle, "password": password},
    )
    app_password = bluesky_pds.xrpc(
        "com.atproto.server.createAppPassword", body={"name": "planbeteiligung"}, token=created["accessJwt"]
    )["password"]
    return BlueskyAccount(handle=handle, did=created["did"], app_password=app_password)


class Proxy:
    """A reverse proxy in front of the PDS, as in a real deployment; `mode` decides what it does to requests.

    - "forward": pass everything through.
    - "create_then_502": pass `createRecord` to the PDS, then answer 502 (the post exists).
    - "502_after_create": like above, and every later request gets 502 too (the check cannot run).
    The PDS's own address in answers (the DID document's service endpoint) is rewritten to the proxy's.
    """

    def __init__(self, target: str, port: int = 0):
        self.target = target
        self.mode = "forward"
        self.created = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self._handle()

            def do_POST(self):
                self._handle()

            def _handle(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                is_create = self.path.startswith("/xrpc/com.atproto.repo.createRecord")
                if proxy.mode == "502_after_create" and proxy.created:
                    return self._answer(502, b"<html>502 Bad Gateway</html>", "text/html")
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                upstream = httpx.request(
                    self.command, proxy.target + self.path, headers=headers, content=body, timeout=30
                )
                if is_create and upstream.status_code == 200:
                    proxy.created += 1
                    if proxy.mode in ("create_then_502", "502_after_create"):
                        return self._answer(502, b"<html>502 Bad Gateway</html>", "text/html")
                content = upstream.content.replace(proxy.pds_public.encode(), proxy.url.encode())
                self._answer(upstream.status_code, content, upstream.headers.get("content-type", ""))

            def _answer(self, status, content, content_type):
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.pds_public = f"http://localhost:{urlsplit(target).port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def make_proxy(bluesky_pds):
    proxies = []

    def make(port: int = 0) -> Proxy:
        proxy = Proxy(bluesky_pds.url, port)
        proxies.append(proxy)
        return proxy

    yield make
    for proxy in proxies:
        proxy.close()
