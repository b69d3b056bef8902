"""Shared helpers for benchmarks: a gunicorn server on 127.0.0.1, its configuration, percentiles, results.

Benchmarks only ever send traffic to 127.0.0.1, bounded in count and time. Every server start
prints the configuration gunicorn and Django actually run with (from `gunicorn --print-config`,
the worker processes found under the master, and the settings loaded with the server's
environment) and the load average before and after; every result names the command that
reproduces it.
"""

import contextlib
import dataclasses
import json
import os
import platform
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEFAULT_DATABASE_URL = "postgis://postgres@127.0.0.1:5432/pb_bench"

# Server runs since the last write_result(): their configuration and load, stored with the figures.
_RUNS: list[dict] = []
# The environment as the operator started the benchmark (scripts set DATABASE_URL for themselves later).
_START_ENV = dict(os.environ)

SETTINGS_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.db import connection
db = settings.DATABASES["default"]
print(json.dumps({
    "database": db["ENGINE"].rsplit(".", 1)[-1],
    "database_name": str(db["NAME"]),
    "conn_max_age": db.get("CONN_MAX_AGE", 0),
    "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
    "tasks": settings.TASKS["default"]["BACKEND"],
    "email": settings.EMAIL_BACKEND.rsplit(".", 2)[-2],
    "debug": settings.DEBUG,
    "rate_limit": settings.PARTICIPATION_RATE_LIMIT_ENABLED,
    "trusted_proxies": list(settings.TRUSTED_PROXIES),
}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_average() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def django_config(env: dict) -> dict:
    """Return the database, cache, tasks and mail backends Django loads with `env` (a subprocess)."""
    out = subprocess.run(
        [sys.executable, "-c", SETTINGS_PROBE],
        cwd=ROOT,
        env={"DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def gunicorn_args(workers: int, extra_args: tuple | list = ()) -> list[str]:
    """Return gunicorn's options: workers, then `extra_args`, then BENCH_GUNICORN_ARGS (the last one wins)."""
    return [
        "-w",
        str(workers),
        *extra_args,
        *shlex.split(os.environ.get("BENCH_GUNICORN_ARGS", "")),
    ]


def gunicorn_config(args: list[str], env: dict) -> dict:
    """Return workers, worker class and threads as gunicorn resolves them (options, config file, GUNICORN_CMD_ARGS)."""
    out = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--print-config", *args, "config.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    values = dict(re.findall(r"^(\w+)\s+= (.*)$", out, re.MULTILINE))
    return {
        "workers": int(values["workers"]),
        "worker_class": values["worker_class"].rsplit(".", 1)[-1],
        "threads": int(values["threads"]),
        "config_file": values["config"] if (ROOT / values.get("config", "-")).is_file() else None,
    }


def child_pids(pid: int) -> list[int]:
    """Return the ids of the direct child processes of `pid` (gunicorn's workers under its master)."""
    children = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(entry))
    return sorted(children)


@dataclasses.dataclass
class Server:
    url: str
    process: subprocess.Popen
    config: dict

    def worker_pids(self) -> list[int]:
        return child_pids(self.process.pid)


def describe(config: dict) -> str:
    """Return one line naming what the server ran with."""
    threaded = config["worker_class"] in ("gthread", "ThreadWorker")
    threads = f", {config['threads']} threads each" if threaded else ""
    return (
        f"gunicorn {config['workers']} × {config['worker_class']}{threads} ({config['workers_running']} running)"
        f" · {config['database']} {config['database_name']} (CONN_MAX_AGE {config['conn_max_age']})"
        f" · cache {config['cache']} · tasks {config['tasks']} · mail {config['email']}"
        f" · DEBUG {config['debug']} · rate limit {'on' if config['rate_limit'] else 'off'}"
    )


@contextlib.contextmanager
def gunicorn_server(
    env: dict | None = None,
    workers: int = 4,
    port: int | None = None,
    extra_args: tuple | list = (),
    log: Path | None = None,
):
    """Run gunicorn (config.wsgi) on 127.0.0.1 with `extra_args` and BENCH_GUNICORN_ARGS; yield a Server.

    `log`: a file for gunicorn's own output (default: this terminal).
    """
    port = port or free_port()
    full_env = {**os.environ, **(env or {})}
    args = gunicorn_args(workers, extra_args)
    config = {**gunicorn_config(args, full_env), **django_config(full_env), "args": shlex.join(args)}
    config["load_before"] = load_average()
    log_file = open(log, "wb") if log else None  # noqa: SIM115 - closed in finally
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--access-logfile",
            "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
            *args,
        ],
        cwd=ROOT,
        env=full_env,
        stdout=log_file,
        stderr=log_file,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(url + "/api/v1/plans/", timeout=2)
                break
            except Exception:
                if process.poll() is not None:
                    raise RuntimeError(f"gunicorn exited with {process.returncode}") from None
                time.sleep(0.2)
        server = Server(url, process, config)
        config["workers_running"] = len(server.worker_pids())
        print(f"server: {describe(config)} · load {config['load_before']} before", flush=True)
        _RUNS.append(config)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=20)
        if log_file:
            log_file.close()
        config["load_after"] = load_average()
        print(f"server stopped · load {config['load_after']} after", flush=True)


@contextlib.contextmanager
def gunicorn(env: dict | None = None, workers: int = 4, port: int | None = None, extra_args: tuple | list = ()):
    """Run gunicorn (config.wsgi) on 127.0.0.1 and yield its base URL (extra options also from BENCH_GUNICORN_ARGS)."""
    with gunicorn_server(env=env, workers=workers, port=port, extra_args=extra_args) as server:
        yield server.url


def quick() -> bool:
    """Whether BENCH_QUICK=1 asks for a short run (checks the script works; its numbers are no figures)."""
    return os.environ.get("BENCH_QUICK", "") not in ("", "0", "false")


def ensure_database(url: str) -> None:
    """Create the PostGIS database of `url` (on 127.0.0.1, user postgres) with the postgis extension if missing."""
    name = url.rsplit("/", 1)[-1]
    exists = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{name}'"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", name, "-qc", "CREATE EXTENSION IF NOT EXISTS postgis"],
        check=True,
    )


def percentile(values, q: float) -> float:
    """Return the q-th percentile (0-100) of `values` (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def machine() -> str:
    return f"{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}"


def reproduce_command(name: str) -> str:
    """Return the shell command that reruns this benchmark with the same BENCH_*/DATABASE_URL overrides."""
    module = os.environ.get("BENCH_MODULE") or (name if (ROOT / "bench" / f"{name}.py").exists() else f"bench_{name}")
    overrides = [
        f"{key}={shlex.quote(value)}"
        for key, value in sorted(_START_ENV.items())
        if (key.startswith("BENCH_") and key not in ("BENCH_MODULE", "BENCH_LAYERS_CHILD"))
        or key in ("DATABASE_URL", "REDIS_URL")
    ]
    return " ".join([*overrides, f"BENCH={module}", "make bench"])


def write_result(name: str, data: dict) -> Path:
    """Store `data` with the server configuration and the reproducing command as bench/out/<name>.json; print it."""
    OUT.mkdir(parents=True, exist_ok=True)
    command = reproduce_command(name)
    data = {
        "name": name,
        "command": command,
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_average": load_average(),
        **({"servers": list(_RUNS)} if _RUNS else {}),
        **data,
    }
    _RUNS.clear()
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    print(json.dumps(data, indent=2, ensure_ascii=False))
    print(f"figures above: reproduce with `{command}` (stored in {path.relative_to(ROOT)})", flush=True)
    return path
