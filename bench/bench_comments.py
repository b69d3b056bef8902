"""Comment intake under load: guest statements POSTed concurrently against gunicorn + PostGIS.

Full path per request: CSRF middleware, the xtd security hash and timestamp, form
validation, point-in-Geltungsbereich check (GEOS, municipality CRS), the xtd moderator
(period open, pre-moderation), idempotency token, insert of the statement (three tables)
and the confirmation-mail task row (django-tasks database backend).
The rate limit is switched off for the run (PARTICIPATION_RATE_LIMIT_ENABLED=false).

A calibration GET (plan list API) runs first, in the same run, because the machine is
shared. Phase 1 measures throughput and latency with wrk (C client, little CPU);
phase 2 sends a burst of 10,000 posts from an asyncio/httpx client with 128 connections
(exact count). Every run has its own id in the markers and form tokens, so a second run
against the same database stores as much as the first; after each phase the stored rows of
the run are counted and compared with the successful answers (the script fails otherwise).
Database: BENCH_DATABASE_URL, default postgis://postgres@127.0.0.1:5432/pb_bench (created if
missing). BENCH_QUICK=1: 5 s measurement, 500-post burst. Phase 1b repeats phase 1 paced to
BENCH_COMMENT_RATE POSTs per second (default 300; 0 skips it): the latency at the target load, where
phase 1's latency is that of a saturated server (16 connections / throughput). BENCH_COMMENT_BURST=0
skips the burst.
"""

import asyncio
import os
import re
import time
import uuid

from .common import DEFAULT_DATABASE_URL, ensure_database, gunicorn, percentile, quick, write_result

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
SLUG = "bench-kommentare"
MEASURE_SECONDS = int(os.environ.get("BENCH_COMMENT_SECONDS", "5" if quick() else "30"))
MEASURE_CONCURRENCY = int(os.environ.get("BENCH_COMMENT_CONCURRENCY", "16"))
BURST_POSTS = int(os.environ.get("BENCH_COMMENT_BURST", "500" if quick() else "10000"))
# Phase 1b: the same POSTs paced to the target rate (≥ 300 POST/s), for the latency at that load.
PACED_RATE = int(os.environ.get("BENCH_COMMENT_RATE", "300"))
BURST_CONCURRENCY = int(os.environ.get("BENCH_COMMENT_BURST_CONCURRENCY", "128"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
# gthread workers keep connections alive (sync workers close each one) and measured fastest on 2 cores:
# 2 x 8 threads ≈ 240 posts/s against 205 for 8 sync workers in back-to-back runs. 0 = sync workers.
THREADS = int(os.environ.get("BENCH_THREADS", "8"))


def setup_database():
    """Migrate and create one municipality, plan and open consultation (pre-moderation); drop old bench statements."""
    ensure_database(DATABASE_URL)
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import datetime as dt

    from django.contrib.gis.geos import MultiPolygon, Polygon
    from django.core.management import call_command
    from django.utils import timezone

    from participation.models import Consultation, Statement
    from plans.models import Municipality, Plan

    call_command("migrate", verbosity=0)
    municipality, _ = Municipality.objects.get_or_create(
        slug="bench-gemeinde", defaults={"name": "Bench-Gemeinde", "ags": "06999999", "crs_epsg": 25832}
    )
    area = MultiPolygon(Polygon.from_bbox((8.50, 50.30, 8.51, 50.305)), srid=4326)
    plan, _ = Plan.objects.update_or_create(
        municipality=municipality,
        slug=SLUG,
        defaults={
            "title": "Bench Kommentare",
            "area": area,
            "status": Plan.Status.PUBLISHED,
            "published_at": timezone.now() - dt.timedelta(days=1),
        },
    )
    today = timezone.localdate()
    consultation, _ = Consultation.objects.update_or_create(
        plan=plan,
        kind=Consultation.Kind.PUBLICATION,
        round=1,
        defaults={
            "start_date": today - dt.timedelta(days=1),
            "end_date": today + dt.timedelta(days=40),
            "bekanntmachung_date": today - dt.timedelta(days=8),  # a § 3 Abs. 2 period opens only after it
            "moderation": Consultation.Moderation.PRE,
            "closed_at": None,
        },
    )
    Statement.objects.filter(consultation=consultation).delete()
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(task_path="participation.tasks.send_confirmation_mail").delete()
    from django.db import connection, connections

    if connection.vendor == "postgresql":
        # Earlier runs' deleted rows stay as dead tuples until a vacuum; where autovacuum is off (as on the
        # development VM: `SHOW autovacuum`) they pile up run after run and slow the inserts down.
        connection.ensure_connection()
        connection.connection.autocommit = True
        with connection.cursor() as cursor:
            for model in (Statement, DBTaskResult):
                for table in {model._meta.db_table, *(p._meta.db_table for p in model._meta.get_parent_list())}:
                    cursor.execute(f'VACUUM ANALYZE "{table}"')
    connections.close_all()
    return plan, consultation


def count_markers(consultation, run_id: str) -> tuple[int, int]:
    """Return (stored rows, distinct markers) for this run."""
    from django.db import connections

    from participation.models import Statement

    texts = Statement.objects.filter(consultation=consultation, comment__startswith=f"bench {run_id} ").values_list(
        "comment", flat=True
    )
    texts = list(texts)
    markers = {text.split()[2] for text in texts}
    connections.close_all()
    return len(texts), len(markers)


async def fetch_form(client, url):
    response = await client.get(url)
    html = response.text
    fields = {}
    for name in ("content_type", "object_pk", "timestamp", "security_hash", "csrfmiddlewaretoken"):
        match = re.search(rf'name="{name}" value="([^"]*)"', html)
        fields[name] = match.group(1)
    return fields


async def run_posts(base, plan_url, post_url, count, concurrency, run_id, offset=0):
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        fields = await fetch_form(client, plan_url)
        queue = asyncio.Queue()
        for i in range(count):
            queue.put_nowait(offset + i)
        latencies, statuses = [], {}

        async def worker():
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                data = {
                    **fields,
                    "comment": f"bench {run_id} m{i:06d} Die Zufahrt ist zu eng, bitte prüfen.",
                    "topic": "traffic",
                    "name": f"Bench Nutzer{i}",
                    "email": f"bench{i}@example.org",
                    "privacy_consent": "on",
                    "honeypot": "",
                    "reply_to": "0",
                    "lat": f"{50.3010 + (i % 37) * 0.0001:.6f}",
                    "lon": f"{8.5010 + (i % 53) * 0.0001:.6f}",
                    "form_token": str(uuid.uuid4()),
                }
                started = time.perf_counter()
                response = await client.post(post_url, data=data, headers={"Referer": base + plan_url})
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "posts": count,
        "seconds": round(elapsed, 2),
        "posts_per_s": round(count / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "statuses": statuses,
        "concurrency": concurrency,
    }


WRK_SCRIPT = r"""
-- Generated by bench/bench_comments.py: one guest statement per request, unique marker and form token
-- (the run id is part of both, so every run stores new statements).
local fields = "%(fields)s"
local run = "%(run)s"
local token_prefix = "%(token_prefix)s"
counter = 0
local thread_no = 0
local next_thread = 0
local threads = {}
-- Pacing (phase "paced"): each wrk thread hands out send slots at rate/threads per second; a connection
-- that got its answer waits for the next free slot (wrk's delay() hook). 0 = as fast as possible.
local rate = %(rate)s
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } pb_timespec;
int clock_gettime(int clk_id, pb_timespec *tp);
]]
local ts = ffi.new("pb_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end
local next_slot = nil

function setup(thread)
  thread:set("thread_no", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

function init(args)
  thread_no = tonumber(wrk.thread:get("thread_no"))
end

if rate > 0 then
  function delay()
    local interval = 1000 * %(threads)s / rate
    local now = now_ms()
    if next_slot == nil or next_slot < now - interval then
      next_slot = now  -- start, or the schedule fell behind by more than one slot: do not burst to catch up
    end
    local wait = next_slot - now
    next_slot = next_slot + interval
    if wait < 0 then return 0 end
    return math.floor(wait)
  end
end

function request()
  counter = counter + 1
  local n = thread_no * 10000000 + counter
  local token = token_prefix .. string.format("-0000-4000-8000-%%012d", n)
  local lat = 50.3010 + (n %% 37) * 0.0001
  local lon = 8.5010 + (n %% 53) * 0.0001
  local body = fields .. "&comment=bench+" .. run .. "+m" .. n .. "+Die+Zufahrt+ist+zu+eng."
    .. "&topic=traffic&name=Bench+Nutzer&email=bench" .. n .. "%%40example.org&privacy_consent=on"
    .. "&honeypot=&reply_to=0&lat=" .. string.format("%%.6f", lat) .. "&lon=" .. string.format("%%.6f", lon)
    .. "&form_token=" .. token
  return wrk.format("POST", "%(path)s", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "csrftoken=%(csrf)s",
    ["Referer"] = "%(referer)s",
  }, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  local generated = 0
  for _, thread in ipairs(threads) do
    generated = generated + thread:get("counter")
  end
  io.write(string.format(
    "RESULT requests=%%d duration_us=%%d p50_us=%%d p95_us=%%d p99_us=%%d non2xx3xx=%%d errors=%%d generated=%%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout, generated))
end
"""


def run_wrk(base, plan_url, post_url, run_id, *, seconds, connections, threads=2, rate=0):
    """Drive the POSTs with wrk (a C load generator: far less client CPU than Python on 2 cores).

    With `rate` > 0 the requests are paced to that many per second (latency at a given load);
    with 0, every connection sends its next request as soon as the answer is in (saturation).
    """
    import subprocess
    import tempfile
    import urllib.parse

    import httpx

    with httpx.Client(base_url=base) as client:
        html = client.get(plan_url).text
        csrf = client.cookies["csrftoken"]
    fields = {
        n: re.search(rf'name="{n}" value="([^"]*)"', html).group(1)
        for n in ("content_type", "object_pk", "timestamp", "security_hash", "csrfmiddlewaretoken")
    }
    script = WRK_SCRIPT % {
        "fields": urllib.parse.urlencode(fields),
        "run": run_id,
        "token_prefix": uuid.uuid4().hex[:8],
        "path": post_url,
        "csrf": csrf,
        "referer": base + plan_url,
        "rate": rate,
        "threads": threads,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    output = subprocess.run(
        [
            "wrk",
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "30s",
            "-s",
            handle.name,
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    values = dict(item.split("=") for item in re.search(r"RESULT (.*)", output).group(1).split())
    values = {k: int(v) for k, v in values.items()}
    seconds_run = values["duration_us"] / 1e6
    return {
        "requests": values["requests"],
        "seconds": round(seconds_run, 2),
        "posts_per_s": round(values["requests"] / seconds_run, 1),
        "p50_ms": round(values["p50_us"] / 1000, 1),
        "p95_ms": round(values["p95_us"] / 1000, 1),
        "p99_ms": round(values["p99_us"] / 1000, 1),
        "non_2xx_3xx": values["non2xx3xx"],
        "socket_errors": values["errors"],
        "successes": values["requests"] - values["non2xx3xx"],
        "sent": values["generated"],
        "connections": connections,
        "client": "wrk",
        **({"offered_per_s": rate} if rate else {}),
    }


def server_cpu_seconds(base: str) -> float:
    """Return the CPU time (user + system) used so far by the gunicorn processes serving `base`."""
    bind = base.split("//", 1)[1]
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                cmdline = handle.read().decode(errors="replace")
            if "gunicorn" not in cmdline or bind not in cmdline:
                continue
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            continue
    return total / ticks


def run_wrk_get(base, path, *, seconds, connections):
    """Calibrate the machine in the same run: a plain GET of the plan list API."""
    import subprocess

    output = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", base + path],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return {"path": path, "requests_per_s": round(rate, 1), "connections": connections, "client": "wrk"}


def check_wrk_run(consultation, run_id: str, measure: dict) -> None:
    """Compare the run's stored rows with wrk's answers; raise when a success is missing or a row is doubled.

    wrk stops with requests in flight: those may be stored without an answer, so the stored rows lie
    between the successful answers and the requests sent.
    """
    stored, distinct = count_markers(consultation, run_id)
    measure.update(stored=stored, distinct_markers=distinct, stored_without_answer=stored - measure["successes"])
    problems = []
    if measure["non_2xx_3xx"] or measure["socket_errors"]:
        problems.append(f"{measure['non_2xx_3xx']} error answers, {measure['socket_errors']} socket errors")
    if stored < measure["successes"]:
        problems.append(f"{measure['successes']} successful answers but only {stored} statements stored")
    if stored > measure["sent"]:
        problems.append(f"{stored} statements stored but only {measure['sent']} sent")
    if distinct != stored:
        problems.append(f"{stored - distinct} statements stored twice")
    if problems:
        raise RuntimeError(f"bench_comments wrk run {run_id}: " + "; ".join(problems))


def check_burst(consultation, run_id: str, burst: dict) -> None:
    """Every burst request was answered: the run's stored rows must equal the 302 answers, each marker once."""
    stored, distinct = count_markers(consultation, run_id)
    successes = sum(count for status, count in burst["statuses"].items() if 200 <= status < 400)
    burst.update(
        successes=successes,
        stored=stored,
        distinct_markers=distinct,
        lost=successes - distinct,
        duplicated=stored - distinct,
    )
    if successes != burst["posts"] or stored != successes or distinct != stored:
        raise RuntimeError(
            f"bench_comments burst {run_id}: {burst['posts']} posts, answers {burst['statuses']}, "
            f"{stored} statements stored, {distinct} distinct markers"
        )


def main():
    plan, consultation = setup_database()
    plan_url = plan.get_absolute_url()
    post_url = f"/beteiligung/{consultation.pk}/stellungnahme/"
    env = {
        "DATABASE_URL": DATABASE_URL,
        "PARTICIPATION_RATE_LIMIT_ENABLED": "false",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "ERROR",
        # As in production (which requires Redis): the shared cache holds the page versions and counters.
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10"),
    }
    run_id = uuid.uuid4().hex[:8]
    # Keep-alive longer than any pause of the clients: with gunicorn's default of 2 s the server closes an idle
    # pooled connection while httpx reuses it, and the burst dies with httpx.ReadError (a race, not an overload).
    extra = ("-k", "gthread", "--threads", str(THREADS), "--keep-alive", "30") if THREADS else ("--keep-alive", "30")
    with gunicorn(env=env, workers=WORKERS, extra_args=extra) as base:
        warm_up = asyncio.run(run_posts(base, plan_url, post_url, 200, 8, run_id + "w"))
        check_burst(consultation, run_id + "w", warm_up)
        baseline = run_wrk_get(base, "/api/v1/plans/", seconds=3 if quick() else 10, connections=MEASURE_CONCURRENCY)
        cpu_before = server_cpu_seconds(base)
        measure = run_wrk(
            base, plan_url, post_url, run_id + "m", seconds=MEASURE_SECONDS, connections=MEASURE_CONCURRENCY
        )
        cpu_used = server_cpu_seconds(base) - cpu_before
        # CPU time per POST in the Django processes does not depend on how busy the shared machine is.
        measure["django_cpu_ms_per_post"] = round(cpu_used * 1000 / max(measure["requests"], 1), 2)
        check_wrk_run(consultation, run_id + "m", measure)
        paced = None
        if PACED_RATE:
            cpu_before = server_cpu_seconds(base)
            paced = run_wrk(
                base,
                plan_url,
                post_url,
                run_id + "p",
                seconds=MEASURE_SECONDS,
                connections=MEASURE_CONCURRENCY,
                rate=PACED_RATE,
            )
            cpu_used = server_cpu_seconds(base) - cpu_before
            paced["django_cpu_ms_per_post"] = round(cpu_used * 1000 / max(paced["requests"], 1), 2)
            check_wrk_run(consultation, run_id + "p", paced)
        burst = None
        if BURST_POSTS:
            burst = asyncio.run(run_posts(base, plan_url, post_url, BURST_POSTS, BURST_CONCURRENCY, run_id + "b"))
    if burst is not None:
        check_burst(consultation, run_id + "b", burst)
    result = {
        "config": "guest submission (confirmation mail task enqueued), rate limit off",
        "run_id": run_id,
        "baseline_get": baseline,
        "measure": measure,
        "paced": paced,
        "burst": burst,
    }
    write_result("comments", result)
    return result


if __name__ == "__main__":
    main()
