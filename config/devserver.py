"""Run the development server and the task worker together; Ctrl-C stops both.

Usage: ``python -m config.devserver [HOST:PORT]`` (what ``make run`` calls). Each child runs in its
own process group, so a signal reaches runserver's and run_worker's autoreload children as well.
When either child exits, the other one is stopped and its exit status is returned.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

MANAGE = str(Path(__file__).resolve().parent.parent / "manage.py")
GRACE_SECONDS = 10.0


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    """Send a signal to a child's process group (the child and its autoreload child)."""
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


def _stop(processes: list[subprocess.Popen[bytes]], signum: int = signal.SIGINT) -> None:
    """Signal every child still running, wait for them, kill whatever outlives the grace period."""
    for process in processes:
        if process.poll() is None:
            _signal_group(process, signum)
    deadline = time.monotonic() + GRACE_SECONDS
    for process in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()
    for process in processes:  # reloader children left behind by a parent that already exited
        _signal_group(process, signal.SIGKILL)


def main(argv: list[str]) -> int:
    """Start the task worker (run_worker) and runserver, forward SIGINT/SIGTERM, stop both when either exits."""
    address = argv[0] if argv else "127.0.0.1:8000"
    received: list[int] = []

    def forward(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    commands = [[sys.executable, MANAGE, "run_worker", "--reload"], [sys.executable, MANAGE, "runserver", address]]
    processes = [subprocess.Popen(command, start_new_session=True) for command in commands]
    print(f"Task worker (pid {processes[0].pid}) and server (pid {processes[1].pid}) started; Ctrl-C stops both.")
    status = 0
    try:
        while not received:
            exited = [process.returncode for process in processes if process.poll() is not None]
            if exited:
                status = exited[0] or 0
                break
            time.sleep(0.2)
    finally:
        _stop(processes, received[0] if received else signal.SIGINT)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
