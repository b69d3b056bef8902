"""deploy/systemd: every unit and timer passes `systemd-analyze verify` with the paths of this checkout."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
INSTALL_DIR, VENV_DIR = "/srv/planbeteiligung", "/srv/planbeteiligung/.venv"

pytestmark = pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")


def render(target: Path) -> list[Path]:
    """Copy the units to `target` with the install paths replaced by this checkout and its venv."""
    rendered = []
    for unit in sorted(UNITS.iterdir()):
        text = unit.read_text().replace(VENV_DIR, sys.prefix).replace(INSTALL_DIR, str(ROOT))
        (target / unit.name).write_text(text)
        rendered.append(target / unit.name)
    return rendered


def verify(units: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *map(str, units)], capture_output=True, text=True, timeout=60
    )


def test_units_and_timers_verify_cleanly(tmp_path):
    result = verify(render(tmp_path))

    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_verify_notices_a_broken_unit(tmp_path):
    units = render(tmp_path)
    web = tmp_path / "planbeteiligung-web.service"
    web.write_text(web.read_text().replace("bin/gunicorn", "bin/gunicorn-missing"))

    result = verify(units)

    assert result.returncode != 0 and "gunicorn-missing" in result.stderr


def test_every_timer_starts_a_oneshot_service_and_the_jobs_are_scheduled():
    timers = {path.stem for path in UNITS.glob("*.timer")}
    assert timers == {
        "planbeteiligung-send-announcements",
        "planbeteiligung-purge-personal-data",
        "planbeteiligung-purge-expired-exports",
        "planbeteiligung-clearsessions",
        "planbeteiligung-send-authority-reminders",
        "planbeteiligung-send-assignment-reminders",
        "planbeteiligung-purge-orphaned-attachments",
        "planbeteiligung-check-publication",
        "planbeteiligung-sync-oparl",
    }
    for name in timers:
        assert "Type=oneshot" in (UNITS / f"{name}.service").read_text()
    commands = {
        match.group(1)
        for path in UNITS.glob("*.service")
        for match in re.finditer(r"manage\.py (\w+)", path.read_text())
    }
    assert commands == {
        "run_worker",
        "send_announcements",
        "purge_personal_data",
        "purge_expired_exports",
        "clearsessions",
        "send_authority_reminders",
        "send_assignment_reminders",
        "purge_orphaned_attachments",
        "check_publication",
        "sync_oparl",
    }
    assert "OnCalendar=hourly" in (UNITS / "planbeteiligung-clearsessions.timer").read_text()
    assert "OnCalendar=hourly" in (UNITS / "planbeteiligung-sync-oparl.timer").read_text()
