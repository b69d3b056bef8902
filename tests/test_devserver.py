"""`make run`'s script: server and task worker start together and stop together."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _descendants(root: int) -> dict[int, str]:
    """Return pid → command line of every live process below root (read from /proc)."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] == "Z":
            continue
        parents[int(entry.name)] = int(fields[1])
        commands[int(entry.name)] = cmdline.replace(b"\0", b" ").decode(errors="replace")
    found: dict[int, str] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in found:
                found[pid] = commands[pid]
                frontier.append(pid)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.fixture(scope="module")
def dev_env(tmp_path_factory):
    """Environment with a freshly migrated SpatiaLite database of its own."""
    database = tmp_path_factory.mktemp("devserver") / "dev.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"spatialite:///{database}", "DJANGO_ENV": "development"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=120
    )
    return env


@pytest.fixture
def devserver(dev_env):
    """Start `python -m config.devserver` on a free port; yield (process, base URL); kill leftovers."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "config.devserver", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=dev_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        assert process.poll() is None, "the run script exited early"
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                return response.status == 200 and json.load(response)["status"] == "ok"
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    children = {}
    try:
        assert _wait_until(healthy, 30), "the server did not answer /healthz in time"
        children = _descendants(process.pid)
        yield process, children
    finally:
        for pid in [process.pid, *(children or _descendants(process.pid))]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)


def test_ctrl_c_stops_server_and_worker(devserver):
    process, children = devserver
    workers = [pid for pid, command in children.items() if "run_worker" in command]
    servers = [pid for pid, command in children.items() if "runserver" in command]
    assert workers, f"no run_worker below the run script: {children}"
    assert servers

    process.send_signal(signal.SIGINT)

    assert process.wait(timeout=15) == 0
    assert _wait_until(lambda: not any(_alive(pid) for pid in children), 5), {
        pid: command for pid, command in children.items() if _alive(pid)
    }


def test_worker_is_stopped_when_the_server_exits(devserver):
    process, children = devserver
    server = next(pid for pid, command in children.items() if "runserver" in command)

    os.killpg(os.getpgid(server), signal.SIGKILL)

    process.wait(timeout=15)
    assert _wait_until(lambda: not any(_alive(pid) for pid in children), 5), {
        pid: command for pid, command in children.items() if _alive(pid)
    }
