"""CPU time per guest statement POST, measured in-process (independent of how busy the machine is).

    .venv/bin/python -m bench.intake_cpu [-n 500] [--rounds 3] [--warmup 100] [--profile] [--sql] [--rate-limit]
    .venv/bin/python -m bench.intake_cpu --gunicorn SECONDS

Posts guest statements through the full WSGI stack (`config.wsgi.application`: every
middleware, CSRF cookie + token, the xtd security hash, validation, point-in-plan, moderator,
form token, the inserts and the confirmation-mail task row) with the settings bench_comments gives
gunicorn: PostGIS (BENCH_DATABASE_URL, default pb_bench, created if missing), the Redis cache
(BENCH_REDIS_URL, default redis://127.0.0.1:6379/10), the database task backend, DEBUG off and,
like the bench, the rate limit off (`--rate-limit` switches it on; every POST then comes from its
own address and e-mail, so the limit never trips but its Redis round trip is counted).

Reports per POST: the process CPU time (time.process_time: Django and the WSGI call; the median
and the minimum of `--rounds` rounds of `-n` POSTs, since other processes only ever add time), the
CPU time of the PostgreSQL backend serving the connection (from /proc, when PostgreSQL runs on this
machine), the CPU time of the Redis server (INFO cpu: only meaningful when nobody else uses that
server), the garbage collector's share, the wall time, SQL statements (with `--sql` their text),
Redis round trips, and pg_stat_database's commits and rows. `--profile` adds a cProfile top list
(CPU time) of the timed POSTs. Every POST must answer 302 and store exactly one statement, else
the script fails. `--gunicorn SECONDS` instead runs gunicorn as bench_comments does (2 gthread
workers × 8 threads) and POSTs with wrk for SECONDS: CPU per POST of the gunicorn processes and of
the PostgreSQL backends (the rate it prints depends on the machine's load and is no figure).
Results also go to bench/out/intake_cpu.json (intake_cpu_gunicorn.json).
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import statistics
import sys
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from .common import DEFAULT_DATABASE_URL, OUT, load_average, machine

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
FORM_FIELDS = ("content_type", "object_pk", "timestamp", "security_hash", "csrfmiddlewaretoken")


def configure(rate_limit: bool) -> None:
    """Set the environment bench_comments gives gunicorn (before Django loads its settings)."""
    os.environ.update(
        {
            "DATABASE_URL": DATABASE_URL,
            "PARTICIPATION_RATE_LIMIT_ENABLED": "true" if rate_limit else "false",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "ERROR",
            "REDIS_URL": REDIS_URL,
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )


class Wsgi:
    """Call the WSGI application as gunicorn does: one environ per request, the body iterated and closed.

    Like bench_comments' wrk script it sends back only the CSRF cookie: a citizen's browser shows the
    message on the next page (which empties the messages cookie), a client that kept it would carry
    every earlier message along.
    """

    keep_cookies = ("csrftoken",)

    def __init__(self, application):
        self.application = application
        self.cookies: dict[str, str] = {}

    def __call__(self, method: str, path: str, body: bytes = b"", headers: dict | None = None, remote="127.0.0.1"):
        environ = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": remote,
            "HTTP_HOST": "127.0.0.1:8000",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if body:
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
            environ["CONTENT_LENGTH"] = str(len(body))
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for name, value in (headers or {}).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        answer = {}

        def start_response(status, response_headers, exc_info=None):
            answer["status"] = int(status.split()[0])
            answer["headers"] = response_headers

        result = self.application(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        for name, value in answer["headers"]:
            if name.lower() == "set-cookie":
                for morsel in SimpleCookie(value).values():
                    if morsel.key in self.keep_cookies:
                        self.cookies[morsel.key] = morsel.value
        return answer["status"], content


class RedisCalls:
    """Count Redis round trips (commands and pipelines sent) in this process."""

    def __init__(self):
        from redis.connection import Connection

        self.count = 0
        original = Connection.send_packed_command

        def counting(connection, command, check_health=True):
            self.count += 1
            return original(connection, command, check_health)

        Connection.send_packed_command = counting


class GcTime:
    """Add up the CPU time and count of the garbage collector's runs per generation (gc.callbacks)."""

    def __init__(self):
        import gc

        self.seconds = 0.0
        self.collections = [0, 0, 0]
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase, info):
        if phase == "start":
            self._started = time.process_time()
        else:
            self.seconds += time.process_time() - self._started
            self.collections[info["generation"]] += 1

    def snapshot(self):
        return self.seconds, list(self.collections)


def backend_cpu_seconds(pid: int | None) -> float | None:
    """Return the CPU time (user + system) of process `pid` from /proc, or None when it is not visible."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_counters(connection) -> dict:
    """Return this database's commit and row counters (pg_stat_database, flushed first)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            "SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_fetched "
            "FROM pg_stat_database WHERE datname = current_database()"
        )
        row = cursor.fetchone()
    return dict(zip(("commits", "rollbacks", "inserted", "updated", "fetched"), row, strict=True))


def redis_cpu_seconds() -> float | None:
    from django.core.cache import cache

    try:
        info = cache._cache.get_client().info("cpu")  # type: ignore[attr-defined]  # the Redis backend
    except Exception:
        return None
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=500, help="timed POSTs per round (default 500)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds; the median round counts (default 3)")
    parser.add_argument("--warmup", type=int, default=100, help="POSTs before timing (default 100)")
    parser.add_argument("--profile", action="store_true", help="cProfile the timed POSTs and print the top list")
    parser.add_argument("--profile-dump", help="also write the cProfile data to this file (for pstats)")
    parser.add_argument("--top", type=int, default=40, help="lines of the cProfile list (default 40)")
    parser.add_argument("--sql", action="store_true", help="print the SQL statements of one POST")
    parser.add_argument("--rate-limit", action="store_true", help="rate limit on (as in production)")
    parser.add_argument(
        "--gunicorn",
        type=int,
        metavar="SECONDS",
        help="instead: POST for SECONDS with wrk to gunicorn as bench_comments runs it; CPU of its processes",
    )
    args = parser.parse_args(argv)

    configure(args.rate_limit)
    from .bench_comments import setup_database

    plan, consultation = setup_database()  # migrates, creates plan and open consultation, drops old statements
    if args.gunicorn:
        result = measure_gunicorn(plan, consultation, args.gunicorn, args.rate_limit)
    else:
        result = measure_in_process(plan, consultation, args)
    result = {
        "name": "intake_cpu",
        "command": " ".join(
            [
                *(f"{k}={os.environ[k]}" for k in ("BENCH_DATABASE_URL", "BENCH_REDIS_URL") if k in os.environ),
                ".venv/bin/python -m bench.intake_cpu",
                *(argv if argv is not None else sys.argv[1:]),
            ]
        ),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "load_average": load_average(),
        "rate_limit": args.rate_limit,
        **result,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    name = "intake_cpu_gunicorn" if args.gunicorn else "intake_cpu"
    Path(OUT / f"{name}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


def measure_in_process(plan, consultation, args) -> dict:
    """POST through config.wsgi.application in this process; return the per-POST figures."""

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from config.wsgi import application
    from participation.models import Statement

    redis_calls = RedisCalls()
    gc_time = GcTime()
    client = Wsgi(application)
    plan_url, post_url = plan.get_absolute_url(), f"/beteiligung/{consultation.pk}/stellungnahme/"
    status, html = client("GET", plan_url)
    if status != 200 or "csrftoken" not in client.cookies:
        raise SystemExit(f"plan page answered {status} without a CSRF cookie")
    text = html.decode()
    found = {name: re.search(rf'name="{name}" value="([^"]*)"', text) for name in FORM_FIELDS}
    if not all(found.values()):
        raise SystemExit(f"the plan page has no statement form field {[n for n, m in found.items() if not m]}")
    fields = {name: match.group(1) for name, match in found.items() if match}
    run = uuid.uuid4().hex[:8]
    headers = {"Referer": "http://127.0.0.1:8000" + plan_url}

    def post(i: int) -> None:
        body = urlencode(
            {
                **fields,
                "comment": f"intake {run} m{i:06d} Die Zufahrt ist zu eng, bitte prüfen.",
                "topic": "traffic",
                "name": "Bench Nutzer",
                "email": f"intake{run}{i}@example.org",
                "privacy_consent": "on",
                "honeypot": "",
                "reply_to": "0",
                "lat": f"{50.3010 + (i % 37) * 0.0001:.6f}",
                "lon": f"{8.5010 + (i % 53) * 0.0001:.6f}",
                "form_token": str(uuid.uuid4()),
            }
        ).encode()
        remote = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
        status, content = client("POST", post_url, body, headers, remote=remote)
        if status != 302:
            raise SystemExit(f"POST {i} answered {status}:\n{content.decode(errors='replace')[:3000]}")

    for i in range(args.warmup):
        post(i)
    with CaptureQueriesContext(connection) as queries:
        post(args.warmup)
    sql = [query["sql"] for query in queries.captured_queries]
    redis_before_one = redis_calls.count
    post(args.warmup + 1)
    redis_per_post = redis_calls.count - redis_before_one

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend_pid = cursor.fetchone()[0]
    counters_before = database_counters(connection)
    pg_before, redis_cpu_before = backend_cpu_seconds(backend_pid), redis_cpu_seconds()
    gc_before = gc_time.snapshot()
    profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not waits
    first = args.warmup + 2
    rounds = []  # (process CPU, wall) per round of n POSTs: the median and minimum tame a noisy machine
    for start in range(first, first + args.rounds * args.n, args.n):
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        for i in range(start, start + args.n):
            post(i)
        if profiler:
            profiler.disable()
        rounds.append((time.process_time() - cpu, time.perf_counter() - wall))
    gc_after = gc_time.snapshot()
    pg_after, redis_cpu_after = backend_cpu_seconds(backend_pid), redis_cpu_seconds()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        same_backend = cursor.fetchone()[0] == backend_pid
    counters_after = database_counters(connection)

    stored = Statement.objects.filter(consultation=consultation, comment__startswith=f"intake {run} ").count()
    expected = first + args.rounds * args.n
    if stored != expected:
        raise SystemExit(f"{expected} POSTs answered 302 but {stored} statements stored")

    total = args.rounds * args.n

    def per_post(value, count=total):
        return None if value is None else round(value * 1000 / count, 3)

    cpu_rounds = sorted(per_post(cpu, args.n) for cpu, _ in rounds)
    result = {
        "mode": "in-process WSGI",
        "posts": total,
        "profiled": args.profile,
        "django_cpu_ms_per_post": statistics.median(cpu_rounds),
        "django_cpu_ms_per_post_min": cpu_rounds[0],  # other processes only ever add time: the quietest round
        "django_cpu_ms_per_post_rounds": cpu_rounds,
        "postgres_backend_cpu_ms_per_post": per_post(pg_after - pg_before)
        if same_backend and pg_before is not None and pg_after is not None
        else None,
        "redis_server_cpu_ms_per_post": per_post(redis_cpu_after - redis_cpu_before)
        if redis_cpu_before is not None and redis_cpu_after is not None
        else None,
        "garbage_collector_cpu_ms_per_post": per_post(gc_after[0] - gc_before[0]),
        "garbage_collections_per_post": [
            round((after - before) / total, 2) for before, after in zip(gc_before[1], gc_after[1], strict=True)
        ],
        "wall_ms_per_post": per_post(sum(wall for _, wall in rounds)),
        "sql_statements_per_post": len(sql),
        "redis_round_trips_per_post": redis_per_post,
        "database_per_post": {
            key: round((counters_after[key] - counters_before[key]) / total, 2) for key in counters_before
        },
    }
    if args.sql:
        for statement in sql:
            print(statement[:300])
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        if args.profile_dump:
            stats.dump_stats(args.profile_dump)
        print(out.getvalue())
    return result


def postgres_backends(database: str) -> dict[int, float]:
    """Return {pid: CPU seconds} of the PostgreSQL backends connected to `database` (a fresh connection)."""
    import psycopg

    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
        pids = [row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [database])]
    return {pid: cpu for pid in pids if (cpu := backend_cpu_seconds(pid)) is not None}


def measure_gunicorn(plan, consultation, seconds: int, rate_limit: bool) -> dict:
    """POST with wrk to gunicorn (bench_comments' options) for `seconds`; return CPU per POST of its processes."""
    from . import bench_comments
    from .common import gunicorn_server

    env = {k: os.environ[k] for k in ("DATABASE_URL", "PARTICIPATION_RATE_LIMIT_ENABLED", "DEBUG", "ALLOWED_HOSTS")}
    env.update(LOG_LEVEL="ERROR", REDIS_URL=REDIS_URL)
    extra = ("-k", "gthread", "--threads", str(bench_comments.THREADS)) if bench_comments.THREADS else ()
    database = DATABASE_URL.rsplit("/", 1)[-1]
    plan_url, post_url = plan.get_absolute_url(), f"/beteiligung/{consultation.pk}/stellungnahme/"
    run = uuid.uuid4().hex[:8]
    with gunicorn_server(env=env, workers=bench_comments.WORKERS, extra_args=extra) as server:
        bench_comments.run_wrk(server.url, plan_url, post_url, run + "w", seconds=2, connections=16)
        pg_before, cpu_before = postgres_backends(database), bench_comments.server_cpu_seconds(server.url)
        measure = bench_comments.run_wrk(server.url, plan_url, post_url, run + "m", seconds=seconds, connections=16)
        cpu_used = bench_comments.server_cpu_seconds(server.url) - cpu_before
        pg_after = postgres_backends(database)
    bench_comments.check_wrk_run(consultation, run + "m", measure)
    pg_used = sum(cpu - pg_before.get(pid, 0.0) for pid, cpu in pg_after.items())
    requests = max(measure["requests"], 1)
    return {
        "mode": f"gunicorn {bench_comments.WORKERS} workers, {bench_comments.THREADS} threads, wrk 16 connections",
        "posts": measure["requests"],
        "seconds": measure["seconds"],
        "gunicorn_cpu_ms_per_post": round(cpu_used * 1000 / requests, 3),
        "postgres_backends_cpu_ms_per_post": round(pg_used * 1000 / requests, 3),
        "posts_per_s_on_this_machine_now": measure["posts_per_s"],
        "p95_ms_on_this_machine_now": measure["p95_ms"],
    }


if __name__ == "__main__":
    sys.exit(main())
