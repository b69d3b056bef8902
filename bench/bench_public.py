"""Plan list API and public plan page under load (gunicorn + PostGIS on 127.0.0.1).

Targets: plan list/map API >= 600 req/s, p95 <= 30 ms;
public plan page (open consultation, 50 comments) >= 250 req/s, p95 <= 60 ms, <= 15 SQL queries.
BENCH_DATABASE_URL defaults to postgis://postgres@127.0.0.1:5432/pb_bench (created if missing).
gunicorn: BENCH_WORKERS (default 2) workers, gthread with BENCH_THREADS (default 4) threads each,
BENCH_THREADS=0 for sync workers; BENCH_GUNICORN_ARGS is applied last. BENCH_QUICK=1: 3 s runs.
"""

import os
import subprocess
import sys

from bench.common import DEFAULT_DATABASE_URL, ROOT, ensure_database, gunicorn, quick, write_result
from bench.http_load import wrk


def manage(*args, env):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


TOP_UP = """
import django; django.setup()
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from participation.models import Consultation, Statement
from plans.models import Plan

plan = Plan.objects.get(municipality__slug="usingen", slug="am-riedborn")
consultation = next(c for c in Consultation.objects.filter(plan=plan) if c.is_open_at())
# Earlier runs' statements predate the publication opt-in (public_opt_in): opt them in, so they count.
Statement.objects.filter(
    consultation=consultation, comment__startswith="Bench-Stellungnahme", public_opt_in=False
).update(
    public_opt_in=True
)
visible = Statement.objects.filter(consultation=consultation).published()
missing = max(0, {target} - visible.count())
point = plan.area.point_on_surface
now = timezone.now()
for i in range(missing):
    Statement.objects.create(
        consultation=consultation, content_type=ContentType.objects.get_for_model(Consultation),
        object_pk=str(consultation.pk), site_id=settings.SITE_ID, user_name=f"Bench Nutzer{{i}}",
        user_email=f"bench{{i}}@example.org", comment=f"Bench-Stellungnahme {{i}}: Bitte den Radweg erhalten.",
        topic="traffic", submit_date=now, confirmed_at=now, privacy_consent=True, public_opt_in=True, is_public=True,
        location=point,
    )
print(visible.count())
"""


def top_up_statements(env, target: int = 50) -> int:
    """Add published statements to Am Riedborn's open consultation until it shows `target` (idempotent)."""
    out = subprocess.run(
        [sys.executable, "-c", TOP_UP.format(target=target)],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(out.strip().splitlines()[-1])


def count_plan_page_queries(env, path) -> int:
    code = (
        "import django;django.setup();"
        "from django.test import Client;from django.db import connection;"
        "from django.test.utils import CaptureQueriesContext;"
        f"c=Client();c.get({path!r});"
        f"ctx=CaptureQueriesContext(connection);ctx.__enter__();r=c.get({path!r});ctx.__exit__(None,None,None);"
        "assert r.status_code==200, r.status_code;print(len(ctx.captured_queries))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(out.strip().splitlines()[-1])


def main():
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    ensure_database(database_url)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        # As in production (which requires Redis): a shared cache, so the plan page cache is on.
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10"),
    }
    manage("migrate", "--noinput", env=env)
    manage("load_demo", env=env)
    plan_path = "/usingen/plaene/am-riedborn/"
    results = {"plan_page_statements": top_up_statements(env, 50)}
    results["plan_page_sql_queries"] = count_plan_page_queries(env, plan_path)
    workers = int(os.environ.get("BENCH_WORKERS", "2"))
    threads = int(os.environ.get("BENCH_THREADS", "4"))
    extra = ("-k", "gthread", "--threads", str(threads)) if threads else ()
    warm, seconds = (1, 3) if quick() else (3, 10)
    with gunicorn(env=env, workers=workers, extra_args=extra) as url:
        wrk(url + "/api/v1/plans/", seconds=warm)  # warm-up
        results["plan_list_api"] = wrk(url + "/api/v1/plans/", seconds=seconds)
        wrk(url + plan_path, seconds=warm)
        results["plan_page"] = wrk(url + plan_path, seconds=seconds)
    for key in ("plan_list_api", "plan_page"):
        if results[key]["errors"] or results[key]["non2xx"]:
            raise RuntimeError(
                f"{key}: {results[key]['errors']} socket errors, {results[key]['non2xx']} non-2xx answers"
            )
    results["targets"] = {
        "plan_list_api": ">= 600 req/s, p95 <= 30 ms",
        "plan_page": ">= 250 req/s, p95 <= 60 ms, <= 15 queries",
    }
    write_result("public", results)


if __name__ == "__main__":
    main()
