"""HTTP load with wrk (Debian package) against 127.0.0.1, reporting req/s and p50/p95/p99."""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format('{"requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d, '
    .. '"p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f}\\n',
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def wrk(url: str, *, seconds: int = 10, connections: int = 16, threads: int = 2, headers: dict | None = None) -> dict:
    """Run wrk against `url` (must be on 127.0.0.1) and return throughput and latency percentiles."""
    if not url.startswith("http://127.0.0.1"):
        raise ValueError("Benchmarks only target 127.0.0.1")
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (Debian package 'wrk'); run 'apt-get install wrk'")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", script.name, "--timeout", "5s"]
    for key, value in (headers or {}).items():
        command += ["-H", f"{key}: {value}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    Path(script.name).unlink()
    result = json.loads(output.strip().splitlines()[-1])
    result["rps"] = round(result["requests"] / (result["duration_us"] / 1e6), 1)
    return result
