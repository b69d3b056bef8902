"""Abwägung workbench with 10,000 statements on PostGIS: table page p95 and export times.

Targets: workbench table page p95 <= 300 ms; exports of 10,000 statements CSV/XLSX/GeoPackage
<= 3 s each, PDF <= 15 s. Runs in a subprocess against
DATABASE_URL (default postgis://postgres@127.0.0.1:5432/pb_workbench), creates its own
municipality/plan/consultation (slug "bench-abwaegung") and replaces its statements.
Requests go through Django's test client in-process (server time, no network).
"""

import os
import random
import subprocess
import sys
import time

from bench.common import ROOT, ensure_database, percentile, quick, write_result

DEFAULT_DB = "postgis://postgres@127.0.0.1:5432/pb_workbench"
N = int(os.environ.get("BENCH_STATEMENTS", "1000" if quick() else "10000"))
FORM_LETTERS = [
    "Ich erhebe Einwendungen gegen den Bebauungsplan. Die Riedbornstraße ist schon heute überlastet, der zusätzliche "
    "Verkehr gefährdet die Kinder auf dem Schulweg. Bitte planen Sie eine Anbindung an die Landesstraße.",
    "Die geplante Bebauung zerstört die Frischluftschneise am Hang. Ich fordere, die Baufelder im Norden zu streichen "
    "und die Streuobstwiese als Ausgleichsfläche zu erhalten.",
]
WORDS = (
    "Lärm Verkehr Parkplätze Bäume Kita Schule Wohnungen Höhe Geschosse Bach Regenwasser Radweg Bus Spielplatz "
    "Abstand Schatten Grundwasser Hecke Wiese Zufahrt Gewerbe Tempo Nachbarn Dach Solar Garten"
).split()


def _setup(env_url):
    if env_url.startswith(("postgis://", "postgres")):
        ensure_database(env_url)  # a fresh machine has none
    os.environ["DATABASE_URL"] = env_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)


def _create_data():
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.gis.geos import MultiPolygon, Point, Polygon
    from django.db import transaction
    from django.utils import timezone
    from django_comments.models import Comment
    from django_comments_xtd.models import XtdComment

    from participation.models import Consultation, Statement
    from plans.models import Membership, Municipality, Plan

    municipality, _ = Municipality.objects.get_or_create(
        slug="bench-abwaegung",
        defaults={
            "name": "Bench-Gemeinde",
            "ags": "09999999",
            "boundary": MultiPolygon(Polygon.from_bbox((8.4, 50.2, 8.7, 50.4)), srid=4326),
        },
    )
    plan, _ = Plan.objects.get_or_create(
        municipality=municipality,
        slug="bench-plan",
        defaults={
            "title": "Bench-Plan",
            "number": "Nr. 1",
            "status": Plan.Status.PUBLISHED,
            "published_at": timezone.now(),
            "area": MultiPolygon(Polygon.from_bbox((8.5, 50.25, 8.52, 50.26)), srid=4326),
        },
    )
    today = timezone.localdate()
    consultation, _ = Consultation.objects.get_or_create(
        plan=plan,
        round=1,
        kind=Consultation.Kind.PUBLICATION,
        defaults={"start_date": today - dt.timedelta(days=40), "end_date": today - dt.timedelta(days=9)},
    )
    user, _ = get_user_model().objects.get_or_create(username="bench-planer", defaults={"is_staff": True})
    Membership.objects.get_or_create(user=user, municipality=municipality, defaults={"role": Membership.Role.PLANNER})

    with transaction.atomic():
        old = list(Statement.objects.filter(consultation=consultation).values_list("pk", flat=True))
        Statement.objects.filter(pk__in=old).delete()
        Comment.objects.filter(pk__in=old).delete()
        ct = ContentType.objects.get_for_model(Consultation)
        rng = random.Random(42)
        start = timezone.now() - dt.timedelta(days=39)
        comments = []
        for i in range(N):
            if i % 5 == 0:
                text = FORM_LETTERS[i % 2] + (" Mit freundlichen Grüßen" if i % 3 else "")
            else:
                text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(15, 120))) + "."
            late = i % 20 == 0
            when = (
                (timezone.now() - dt.timedelta(days=rng.uniform(0, 8)))
                if late
                else start + dt.timedelta(seconds=rng.uniform(0, 29 * 86400))
            )
            comments.append(
                Comment(
                    content_type=ct,
                    object_pk=str(consultation.pk),
                    site_id=1,
                    user_name=f"Person {i}",
                    user_email=f"person{i}@example.org",
                    comment=text,
                    submit_date=when,
                    is_public=True,
                    is_removed=False,
                )
            )
        Comment.objects.bulk_create(comments, batch_size=2000)
        xtd_fields = [f for f in XtdComment._meta.local_concrete_fields]
        st_fields = [f for f in Statement._meta.local_concrete_fields]
        xtds, sts = [], []
        for i, c in enumerate(comments):
            xtds.append(
                XtdComment(
                    comment_ptr_id=c.pk,
                    thread_id=c.pk,
                    parent_id=c.pk,
                    level=0,
                    order=1,
                    followup=False,
                    nested_count=0,
                )
            )
            lon = rng.uniform(8.5, 8.52)
            lat = rng.uniform(50.25, 50.26)
            sts.append(
                Statement(
                    xtdcomment_ptr_id=c.pk,
                    consultation=consultation,
                    topic=rng.choice(Statement.Topic.values),
                    channel="online" if i % 10 else "post",
                    location=Point(lon, lat, srid=4326) if i % 7 else None,
                    confirmed_at=c.submit_date,
                    privacy_consent=True,
                    postal_address="" if i % 10 else f"Hauptstraße {i}",
                )
            )
        for model, objs, fields in ((XtdComment, xtds, xtd_fields), (Statement, sts, st_fields)):
            for j in range(0, len(objs), 1000):
                model._base_manager._insert(objs[j : j + 1000], fields=fields, raw=True)
    return consultation, user


def run():
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from participation.workbench import services
    from participation.workbench.models import Decision, Weighing
    from participation.workbench.reports import FORMATS, export_report
    from plans.rules import SYSTEM

    t = time.perf_counter()
    consultation, user = _create_data()
    results = {
        "database": f"{connection.vendor} {connection.settings_dict['NAME']}",
        "client": "Django test client in-process (no server)",
        "statements": N,
        "create_data_s": round(time.perf_counter() - t, 2),
    }
    t = time.perf_counter()
    services.weighings_ensure(consultation=consultation, by=SYSTEM)
    results["weighings_ensure_s"] = round(time.perf_counter() - t, 2)
    ids = list(Weighing.objects.filter(statement__consultation=consultation).values_list("pk", flat=True))
    rng = random.Random(1)
    for decision in Decision.values:
        Weighing.objects.filter(pk__in=rng.sample(ids, len(ids) // 6)).update(
            decision=decision, response="Die Verwaltung empfiehlt ... " * 4
        )
    t = time.perf_counter()
    results["group_similar"] = services.statements_group_similar(consultation=consultation, by=SYSTEM, threshold=0.8)
    results["group_similar_s"] = round(time.perf_counter() - t, 2)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh bulk-loaded tables: give the planner statistics (autovacuum would)
            cursor.execute("ANALYZE")

    client = Client()
    client.force_login(user)
    url = reverse("workbench:table", args=[consultation.pk])
    variants = [
        {},
        {"page": "100"},
        {"page": "200"},
        {"topic": "traffic"},
        {"q": "Bach"},
        {"timing": "late"},
        {"decision": "open"},
        {"channel": "post", "located": "no"},
        {"decision": "considered", "page": "5"},
    ]
    for params in variants:  # warm-up
        assert client.get(url, params).status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    results["table_sql_queries"] = len(ctx.captured_queries)
    timings, per_variant = [], {}
    for _ in range(12):
        for params in variants:
            t = time.perf_counter()
            response = client.get(url, params)
            elapsed = (time.perf_counter() - t) * 1000
            timings.append(elapsed)
            per_variant.setdefault("&".join(f"{k}={v}" for k, v in params.items()) or "(none)", []).append(elapsed)
            assert response.status_code == 200
    reset_queries()
    results["table_page_ms"] = {
        "n": len(timings),
        "p50": round(percentile(timings, 50), 1),
        "p95": round(percentile(timings, 95), 1),
        "max": round(max(timings), 1),
        "p50_by_filter": {k: round(percentile(v, 50), 1) for k, v in per_variant.items()},
    }
    for view in ("statistics", "map"):
        t = time.perf_counter()
        assert client.get(reverse(f"workbench:{view}", args=[consultation.pk])).status_code == 200
        results[f"{view}_page_ms"] = round((time.perf_counter() - t) * 1000, 1)
    exports = {}
    for key in FORMATS:
        t = time.perf_counter()
        data, rows = export_report(consultation=consultation, format=key, personal=False)
        exports[key] = {"seconds": round(time.perf_counter() - t, 2), "bytes": len(data), "rows": rows}
    # Exports are background jobs: start one as the planner, run its task here, fetch the file over HTTP.
    from participation.workbench.export_jobs import export_job_start
    from participation.workbench.tasks import run_export_job

    t = time.perf_counter()
    job = export_job_start(consultation=consultation, by=user, format="xlsx")
    run_export_job.call(job_id=str(job.pk))
    response = client.get(reverse("workbench:export_download", args=[consultation.pk, job.pk]))
    content = b"".join(response.streaming_content)
    exports["xlsx_via_job"] = {"seconds": round(time.perf_counter() - t, 2), "bytes": len(content)}
    results["exports"] = exports
    # Bulk decision over the whole table (last: it changes every weighing). One history record per row.
    from participation.models import Statement
    from participation.workbench.models import Weighing
    from participation.workbench.services import weighings_bulk_update

    ids = list(
        Statement.objects.filter(consultation=consultation, weighing__isnull=False)
        .exclude(weighing__state="decided")
        .values_list("id", flat=True)
    )
    history_before = Weighing.history.count()
    t = time.perf_counter()
    changed = weighings_bulk_update(
        consultation=consultation, statement_ids=ids, by=user, decision="noted", response="Zur Kenntnis genommen."
    )
    results["bulk_decision"] = {
        "statements": len(ids),
        "changed": changed,
        "history_records": Weighing.history.count() - history_before,
        "seconds": round(time.perf_counter() - t, 2),
    }
    write_result("workbench", results)


def main():
    if "--run" in sys.argv:
        _setup(os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
        run()
        return
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "bench.bench_workbench", "--run"], cwd=ROOT, env=env, check=True)


if __name__ == "__main__":
    main()
