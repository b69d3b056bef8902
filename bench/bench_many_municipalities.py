"""Start page and plans API with 300 municipalities × 20 plans (gunicorn + PostGIS on 127.0.0.1).

Target: start page and API p95 <= 100 ms (issue 11, "Einer für alle").
Sequential requests (one client) measure latency, not throughput. API variants: "built" adds an unknown
parameter so that every answer is built (cache miss), "panned" asks randomly shifted views as a map would
(cluster views are widened to whole grid cells, so neighbouring views share cached answers), "cached"
repeats one URL. Start pages are never cached as a whole.

Environment: BENCH_DATABASE_URL (default postgis://postgres@127.0.0.1:5432/pb_many, created if missing),
BENCH_REDIS_URL (default redis://127.0.0.1:6379/4; empty for the in-process cache), BENCH_WORKERS (2),
BENCH_REQUESTS (per variant, 100).
"""

import os
import random
import subprocess
import sys
import time
import urllib.request

from bench.common import ROOT, gunicorn, percentile, write_result

DEFAULT_DB = "postgis://postgres@127.0.0.1:5432/pb_many"
TOWNS = 300
PLANS_PER_TOWN = 20
# 20 × 15 towns, 0.4° × 0.45° apart: roughly Germany (6.0–14.0° E, 47.5–54.25° N).
COLUMNS, WEST, SOUTH, STEP_LON, STEP_LAT = 20, 6.0, 47.5, 0.4, 0.45
KINDS = ("bplan", "vbplan", "fnp", "fnp_change", "statute", "public_project")  # 900 or 1,200 plans each (see SEED)

SEED = f"""
import math, random
import django; django.setup()
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import transaction
from django.utils import timezone
from plans.models import Municipality, Plan

towns, per_town = {TOWNS}, {PLANS_PER_TOWN}
columns, west, south, step_lon, step_lat = {COLUMNS}, {WEST}, {SOUTH}, {STEP_LON}, {STEP_LAT}
if Plan.objects.filter(municipality__slug__startswith="bench-", status="published").count() == towns * per_town:
    print("seeded already")
    raise SystemExit
rng = random.Random(11)

def blob(lon, lat, radius, vertices=40):
    ring = []
    for k in range(vertices):
        angle = 2 * math.pi * k / vertices
        r = radius * (0.7 + 0.3 * rng.random())
        ring.append((lon + r * math.cos(angle) * 1.5, lat + r * math.sin(angle)))
    ring.append(ring[0])
    return MultiPolygon(Polygon(ring), srid=4326)

kinds = [value for value, _label in Plan.Kind.choices]
stages = [value for value, _label in Plan.Stage.choices]
now = timezone.now()
with transaction.atomic():
    Plan.objects.filter(municipality__slug__startswith="bench-").delete()
    Municipality.objects.filter(slug__startswith="bench-").delete()
    for index in range(towns):
        lon, lat = west + (index % columns) * step_lon, south + (index // columns) * step_lat
        boundary = MultiPolygon(Polygon.from_bbox((lon, lat, lon + 0.3, lat + 0.2)), srid=4326)
        municipality = Municipality.objects.create(
            name=f"Bench-Gemeinde {{index:03d}}", slug=f"bench-{{index:03d}}", ags=f"99{{index:06d}}", boundary=boundary
        )
        Plan.objects.bulk_create(
            Plan(
                municipality=municipality,
                kind=kinds[number % len(kinds)],
                number=f"Nr. {{number + 1}}",
                title=f"Bebauungsplan {{index:03d}}-{{number:02d}}",
                slug=f"plan-{{number:02d}}",
                summary="Ein Plan für den Lasttest mit vielen Kommunen.",
                stage=stages[number % len(stages)],
                status=Plan.Status.PUBLISHED,
                published_at=now,
                area=blob(lon + 0.03 + (number % 5) * 0.055, lat + 0.03 + (number // 5) * 0.04, 0.008),
            )
            for number in range(per_town)
        )
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")  # as autovacuum would after such an import
print("seeded", Plan.objects.filter(municipality__slug__startswith="bench-").count())
"""


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[-1]
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres"]
    exists = subprocess.run(
        [*psql, "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{name}'"], capture_output=True, text=True
    ).stdout.strip()
    if not exists:
        subprocess.run([*psql, "-qc", f"CREATE DATABASE {name}"], check=True)
    subprocess.run([*psql, "-d", name, "-qc", "CREATE EXTENSION IF NOT EXISTS postgis"], check=True)


def timed_get(url: str) -> float:
    """GET `url`, read the body, return milliseconds; fail on a status other than 200."""
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
    return (time.perf_counter() - start) * 1000


def bbox_around(rng: random.Random, lon: float, lat: float, width: float, height: float) -> str:
    """Return a bbox of width × height degrees around (lon, lat), shifted a little (a panned map)."""
    lon += rng.uniform(-width / 4, width / 4)
    lat += rng.uniform(-height / 4, height / 4)
    return f"{lon - width / 2:.4f},{lat - height / 2:.4f},{lon + width / 2:.4f},{lat + height / 2:.4f}"


def variants(rng: random.Random) -> dict:
    """Return name → function(i) giving the i-th path to request."""
    center_lon, center_lat = WEST + COLUMNS * STEP_LON / 2, SOUTH + (TOWNS // COLUMNS) * STEP_LAT / 2
    town_lon, town_lat = WEST + 7 * STEP_LON + 0.15, SOUTH + 6 * STEP_LAT + 0.1

    def api(**params):
        return "/api/v1/plans/?" + "&".join(f"{key}={value}" for key, value in params.items())

    run = rng.randrange(10**9)

    def build(i):  # an unknown parameter changes the cache key only: every answer is built
        return f"&rebuild={run}-{i}"

    return {
        "home": lambda i: "/",
        "home_page_150": lambda i: "/?seite=150",
        "home_filtered": lambda i: "/?art=fnp&seite=2",
        "municipality_page": lambda i: f"/bench-{i % TOWNS:03d}/",
        "api_page_built": lambda i: api(page=1 + i % 9, page_size=100, kind=KINDS[(i // 9) % len(KINDS)]) + build(i),
        "api_zoom6_germany_built": lambda i: (
            api(bbox=bbox_around(rng, center_lon, center_lat, 16, 9), zoom=6) + build(i)
        ),
        "api_zoom6_germany_panned": lambda i: api(bbox=bbox_around(rng, center_lon, center_lat, 16, 9), zoom=6),
        "api_zoom6_germany_cached": lambda i: api(bbox="2.0,47.0,18.0,56.0", zoom=6),
        "api_zoom9_region_built": lambda i: api(bbox=bbox_around(rng, town_lon, town_lat, 2.2, 1.0), zoom=9) + build(i),
        "api_zoom9_region_panned": lambda i: api(bbox=bbox_around(rng, town_lon, town_lat, 2.2, 1.0), zoom=9),
        "api_zoom13_town_built": lambda i: (
            api(bbox=bbox_around(rng, town_lon, town_lat, 0.3, 0.12), zoom=13) + build(i)
        ),
        "api_zoom13_town_cached": lambda i: api(bbox="8.70,50.10,9.05,50.35", zoom=13),
    }


def main():
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    ensure_database(database_url)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    started = time.perf_counter()
    seeded = subprocess.run(
        [sys.executable, "-c", SEED], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    seed_seconds = round(time.perf_counter() - started, 1)
    requests = int(os.environ.get("BENCH_REQUESTS", "100"))
    workers = int(os.environ.get("BENCH_WORKERS", "2"))
    rng = random.Random()  # other boxes on every run: "uncached" stays uncached when run again within a minute
    results: dict = {
        "data": f"{TOWNS} municipalities × {PLANS_PER_TOWN} plans ({seeded}, {seed_seconds} s)",
        "gunicorn": f"{workers} workers",
        "requests_per_variant": requests,
        "load_before": os.getloadavg(),
        "target": "p95 <= 100 ms",
        "variants": {},
    }
    with gunicorn(env=env, workers=workers) as url:
        for name, path_of in variants(rng).items():
            for i in range(3):  # warm-up: connections, per-process caches
                timed_get(url + path_of(10_000 + i))
            times = [timed_get(url + path_of(i)) for i in range(requests)]
            results["variants"][name] = {
                "p50_ms": round(percentile(times, 50), 1),
                "p95_ms": round(percentile(times, 95), 1),
                "max_ms": round(max(times), 1),
                "example": path_of(0),
            }
    results["load_after"] = os.getloadavg()
    results["all_within_target"] = all(v["p95_ms"] <= 100 for v in results["variants"].values())
    write_result("many_municipalities", results)


if __name__ == "__main__":
    main()
