"""Run every bench/bench_*.py module's main() in turn (make bench)."""

import importlib
import os
import sys
import traceback
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> int:
    only = sys.argv[1:]
    failures = 0
    for path in sorted(Path(__file__).parent.glob("bench_*.py")):
        if only and path.stem not in only:
            continue
        print(f"=== {path.stem} ===", flush=True)
        try:
            importlib.import_module(f"bench.{path.stem}").main()
        except Exception:
            traceback.print_exc()
            failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
