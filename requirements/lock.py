"""Regenerate requirements/runtime.txt and requirements/dev.txt with hashes from pyproject.toml (`make lock`).

Run with a throw-away venv that has pip-tools (the Makefile's `lock` target makes one). The versions
now in the locks are kept (they constrain the resolution); pass --upgrade to move to the newest
versions pyproject.toml allows. dev.txt holds only what development adds and includes runtime.txt.
"""

import argparse
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
PIN = re.compile(r"^([A-Za-z0-9][^=\s]*)==(\S+)")
HEADER = (
    "# {what}. Generated with pip-compile --generate-hashes from pyproject.toml: `make lock`.\n"
    "# Install: pip install -r requirements/{name}\n\n"
)


def pins(path: Path) -> list[str]:
    """Return the `name==version` lines of a lock file (empty when it does not exist)."""
    if not path.exists():
        return []
    return [f"{m.group(1)}=={m.group(2)}" for line in path.read_text().splitlines() if (m := PIN.match(line))]


def blocks(text: str) -> dict[str, str]:
    """Return pip-compile's output as name → requirement block, without index options and local paths."""
    found: dict[str, list[str]] = {}
    name = None
    for line in text.splitlines():
        if line.startswith(("--index-url", "--extra-index-url", "--find-links")) or "current.txt" in line:
            continue
        if m := PIN.match(line):
            name = re.sub(r"[-_.]+", "-", m.group(1)).lower()
            found[name] = [line]
        elif name and line.strip():
            found[name].append(line)
    return {key: "\n".join(lines) for key, lines in found.items()}


def compile_lock(source: Path, output: Path, constraints: Path | None, upgrade: bool) -> dict[str, str]:
    """Run pip-compile with hashes on `source`; return the requirement blocks."""
    command = [sys.executable, "-m", "piptools", "compile", "-q", "--generate-hashes", "--allow-unsafe"]
    command += ["--strip-extras", "--no-header", "--no-emit-index-url", "--no-emit-find-links"]
    if constraints and not upgrade:
        command += ["-c", str(constraints)]
    subprocess.run([*command, "-o", str(output), str(source)], check=True)
    text = output.read_text().replace(f"-r {source}", "pyproject.toml").replace(str(output.parent), "requirements")
    return blocks(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--upgrade", action="store_true", help="ignore the current pins")
    upgrade = parser.parse_args().upgrade
    project = tomllib.loads((HERE.parent / "pyproject.toml").read_text())["project"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        current = work / "current.txt"
        current.write_text("\n".join(pins(HERE / "runtime.txt") + pins(HERE / "dev.txt")) + "\n")
        (work / "runtime.in").write_text("\n".join(project["dependencies"]) + "\n")
        runtime = compile_lock(work / "runtime.in", work / "runtime.txt", current, upgrade)
        (work / "dev.in").write_text(
            f"-c {work / 'runtime.txt'}\n" + "\n".join(project["optional-dependencies"]["dev"]) + "\n"
        )
        dev = compile_lock(work / "dev.in", work / "dev.txt", current, upgrade)
    what = "Runtime dependencies of Planbeteiligung (production)"
    (HERE / "runtime.txt").write_text(HEADER.format(what=what, name="runtime.txt") + "\n".join(runtime.values()) + "\n")
    extra = [block for name, block in dev.items() if name not in runtime]
    what = "Development and test dependencies; includes the runtime lock"
    (HERE / "dev.txt").write_text(
        HEADER.format(what=what, name="dev.txt") + "-r runtime.txt\n\n" + "\n".join(extra) + "\n"
    )


if __name__ == "__main__":
    main()
