"""Run benchmarks (make bench): every bench/bench_*.py module's main() in turn, or the ones named.

`make bench BENCH=bench_public` (or `BENCH=bench_public make bench`) runs one; names outside the
default set, such as `fault_test`, run only when named. The load average is printed before and
after each, since figures from a busy machine are no figures.
"""

import importlib
import os
import sys
import time
import traceback
from pathlib import Path

import bench.common  # noqa: F401 - records the operator's environment before a benchmark changes it

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

HERE = Path(__file__).parent


def main() -> int:
    only = [name.removesuffix(".py").removeprefix("bench.") for arg in sys.argv[1:] for name in arg.split()]
    names = only or sorted(path.stem for path in HERE.glob("bench_*.py"))
    failures = 0
    for name in names:
        if not (HERE / f"{name}.py").exists():
            print(f"=== {name}: no such benchmark (bench/{name}.py) ===", flush=True)
            failures += 1
            continue
        os.environ["BENCH_MODULE"] = name
        print(f"=== {name} · {time.strftime('%Y-%m-%d %H:%M:%S %Z')} · load {_load()} before ===", flush=True)
        started = time.perf_counter()
        try:
            result = importlib.import_module(f"bench.{name}").main()
            if isinstance(result, int) and result:
                failures += 1
        except Exception:
            traceback.print_exc()
            failures += 1
        seconds = time.perf_counter() - started
        print(f"=== {name} done in {seconds:.0f} s · load {_load()} after ===", flush=True)
    return 1 if failures else 0


def _load() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
