"""Outbox throughput (claim, send through a no-network client, record) and feed latency.

Runs against its own database: BENCH_DATABASE_URL, or a fresh SpatiaLite file in bench/out/.
Run alone with `BENCH=bench_announcements make bench` (BENCH_QUICK=1: 60 deliveries, 20 requests per feed).
"""

import json
import os
import subprocess
import sys
import time
import urllib.request

from bench.common import OUT, ROOT, gunicorn, percentile, quick, write_result

DELIVERIES = 60 if quick() else 600
REQUESTS = 20 if quick() else 200


def _env() -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        path = OUT / "bench_announcements.sqlite3"
        path.unlink(missing_ok=True)
        url = f"spatialite:///{path}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        "SITE_URL": "https://beteiligung.example",
        "DEBUG": "false",
    }


def seed_and_measure_outbox() -> dict:
    """Run inside a subprocess with the bench database configured."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)

    from unittest import mock

    from participation.announcements import outbox, services
    from participation.announcements.channels import ChannelClient, Posted
    from participation.announcements.models import Announcement, ChannelAccount, Delivery
    from plans.models import Plan
    from plans.rules import SYSTEM

    class NoNetworkClient(ChannelClient):
        counter = 0

        def post(self, *, text, delivery):
            NoNetworkClient.counter += 1
            return Posted(str(NoNetworkClient.counter), f"https://social.example/@stadt/{NoNetworkClient.counter}")

    plan = Plan.objects.published().first()
    account = ChannelAccount(municipality=plan.municipality, kind="mastodon", api_base_url="https://social.example")
    account.set_secrets({"access_token": "bench"})
    account.save()
    for index in range(DELIVERIES):
        announcement = Announcement.objects.create(
            municipality=plan.municipality,
            plan=plan,
            event="plan_published",
            title=f"Bench {index}",
            body="Neu online: ein Bebauungsplan. " * 5,
            link="https://beteiligung.example/x/",
        )
        services.announcement_approve(announcement=announcement, by=SYSTEM)
    with mock.patch.object(outbox, "client_for", lambda config: NoNetworkClient(config)):
        started = time.perf_counter()
        counts = services.deliveries_send_due(limit=DELIVERIES * 2)
        elapsed = time.perf_counter() - started
    assert counts.get("sent") == DELIVERIES, counts
    assert Delivery.objects.filter(status="sent").count() == DELIVERIES
    return {
        "database": connection.vendor,
        "deliveries": DELIVERIES,
        "outbox_seconds": round(elapsed, 3),
        "outbox_per_second": round(DELIVERIES / elapsed, 1),
        "municipality": plan.municipality.slug,
        "plan_path": plan.get_absolute_url(),
    }


def _latency(url: str) -> dict:
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
        times.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(percentile(times, 50), 1), "p95_ms": round(percentile(times, 95), 1)}


def main() -> None:
    env = _env()
    output = (
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import json, bench.bench_announcements as b; print(json.dumps(b.seed_and_measure_outbox()))",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    outbox = json.loads(output)
    slug = outbox.pop("municipality")
    plan_path = outbox.pop("plan_path")
    with gunicorn(env=env, workers=2) as base:
        feeds = {
            "rss": _latency(f"{base}/{slug}/feeds/ankuendigungen.rss"),
            "atom": _latency(f"{base}/{slug}/feeds/ankuendigungen.atom"),
            "ics": _latency(f"{base}/{slug}/feeds/beteiligungen.ics"),
            "preview_png_cached": _latency(f"{base}{plan_path}vorschau.png"),
        }
    write_result("announcements", {**outbox, "sequential_requests": REQUESTS, "feeds": feeds})


if __name__ == "__main__":
    main()
