"""Shared helpers for benchmarks: a gunicorn server on 127.0.0.1 and percentiles.

Benchmarks only ever send traffic to 127.0.0.1, bounded in count and time.
"""

import contextlib
import json
import os
import platform
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict | None = None, workers: int = 4, port: int | None = None, extra_args: tuple = ()):
    """Run gunicorn (config.wsgi) on 127.0.0.1 and yield its base URL (extra options also from BENCH_GUNICORN_ARGS)."""
    port = port or free_port()
    full_env = {**os.environ, **(env or {})}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
            "--access-logfile",
            "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
        ],
        cwd=ROOT,
        env=full_env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/api/v1/plans/", timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def percentile(values, q: float) -> float:
    """Return the q-th percentile (0-100) of `values` (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def machine() -> str:
    return f"{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}"


def write_result(name: str, data: dict) -> Path:
    """Store `data` as bench/out/<name>.json and print it."""
    OUT.mkdir(parents=True, exist_ok=True)
    data = {"name": name, "machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M"), **data}
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    print(json.dumps(data, indent=2, ensure_ascii=False))
    return path
