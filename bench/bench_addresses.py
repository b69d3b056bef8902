"""Address search: import 100,000 synthetic addresses, then time the search (p50/p95/p99) on PostGIS and SpatiaLite.

Each database runs in its own process: PostGIS from DATABASE_URL (default
postgis://postgres@127.0.0.1:5432/pb_bench_addresses, created if missing), SpatiaLite in
bench/out/addresses.sqlite3. The data: 2,000 streets × 50 house numbers (some with a letter) in
five districts, as a `;` CSV with x/y in EPSG:25832 — the import path of Hessen's
"Hauskoordinaten". The queries are 600 real addresses of the set, each typed one of six ways:
exact ("Lindenstraße 12"), abbreviated ("Lindenstr 12"), lower case without umlauts
("lindenstrasse 12"), with a typo (a letter dropped), half a street name (still typing) and street
plus place. Timed are `search_addresses()` (selector) and GET /api/v1/adressen/ through Django's
test client (middleware, JSON), both in-process, so the figures are the server's share of an answer.

Run: `BENCH=bench_addresses make bench`. BENCH_QUICK=1 uses 10,000 addresses and 120 queries.
Target: p95 < 50 ms at 100,000 addresses. Results go to bench/out/addresses.json.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time

from bench.common import OUT, ROOT, ensure_database, load_average, percentile, quick, write_result

SEED = 13
N_ADDRESSES = 10_000 if quick() else 100_000
N_QUERIES = 120 if quick() else 600
NUMBERS_PER_STREET = 50
DEFAULT_DB = "postgis://postgres@127.0.0.1:5432/pb_bench_addresses"
SQLITE_PATH = OUT / "addresses.sqlite3"
TARGET_P95_MS = 50
FIRST = (
    "Haupt Schul Kirch Bahnhof Linden Eichen Buchen Birken Tannen Ahorn Kastanien Rosen Tulpen Nelken Flieder "
    "Holunder Mühl Brunnen Garten Wiesen Feld Wald Berg Tal Bach Quell Sonnen Mond Stern Burg Schloss Markt Rat "
    "Post Zoll Brücken Damm Deich Hafen Mühlen Weiher Teich Grund Höhen Hang Anger Hof Kloster Dom Kapellen "
    "Friedhof Sport Park Turm Tor Mauer Grenz Acker Weiden Erlen Fichten Kiefern Ulmen Eschen Pappel Weißdorn "
    "Schlehen Hasel Brombeer Himbeer Apfel Birnen Kirschen Pflaumen Quitten Nuss Hopfen Flachs Hanf Korn Weizen"
).split()
SECOND = (
    "straße weg gasse allee ring pfad platz steig graben hof berg feld tal höhe markt ufer damm chaussee anger "
    "winkel garten wiese bach brunnen hang"
).split()
DISTRICTS = [
    ("61250", "Usingen"),
    ("61250", "Eschbach"),
    ("61250", "Kransberg"),
    ("61250", "Merzhausen"),
    ("61250", "Wernborn"),
]
AREA_25832 = (461_000.0, 5_571_000.0, 471_000.0, 5_581_000.0)
VARIANTS = ("exact", "abbreviated", "ascii_lower", "typo", "prefix", "with_place")


def streets(count: int) -> list[str]:
    names = [f"{first}{second}" for first in FIRST for second in SECOND]
    random.Random(SEED).shuffle(names)
    return names[:count]


def write_csv(path) -> list[tuple[str, str, str]]:
    """Write N_ADDRESSES addresses as CSV (EPSG:25832) and return (street, number, place) of each."""
    rng = random.Random(SEED)
    rows = []
    west, south, east, north = AREA_25832
    lines = ["street;housenumber;postcode;place;x;y"]
    for index, street in enumerate(streets(N_ADDRESSES // NUMBERS_PER_STREET)):
        postcode, place = DISTRICTS[index % len(DISTRICTS)]
        x0, y0 = rng.uniform(west, east - 600), rng.uniform(south, north)
        for n in range(1, NUMBERS_PER_STREET + 1):
            number = f"{n}{'a' if n % 17 == 0 else ''}"
            lines.append(f"{street};{number};{postcode};{place};{x0 + n * 12:.2f};{y0 + (n % 2) * 15:.2f}")
            rows.append((street, number, place))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rows


def query_for(variant: str, street: str, number: str, place: str, rng: random.Random) -> str:
    from geodata.address_text import normalise

    if variant == "exact":
        return f"{street} {number}"
    if variant == "abbreviated":
        return f"{street.replace('straße', 'str.')} {number}"
    if variant == "ascii_lower":
        return f"{normalise(street)} {number}"
    if variant == "typo":
        cut = rng.randrange(3, len(street) - 1)
        return f"{street[:cut]}{street[cut + 1 :]} {number}"
    if variant == "prefix":
        return street[: max(4, len(street) // 2)]
    return f"{street} {number}, {place}"


def child(database: str) -> None:
    """Run in a fresh process for one database: set up, import, time the searches, print one JSON line."""
    import json

    os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from geodata.address_search import search_addresses
    from geodata.services import address_import
    from plans.models import Municipality
    from plans.rules import SYSTEM

    call_command("migrate", verbosity=0, interactive=False)
    municipality, _ = Municipality.objects.update_or_create(
        slug="bench-adressen", defaults={"name": "Bench-Adressen", "ags": "06434099", "boundary": None}
    )
    csv_path = OUT / f"addresses_{N_ADDRESSES // 1000}k.csv"
    rows = write_csv(csv_path)
    started = time.perf_counter()
    report = address_import(municipality=municipality, path=csv_path, by=SYSTEM)
    import_s = time.perf_counter() - started
    # No ANALYZE or VACUUM: measured as the search runs right after an import.

    rng = random.Random(SEED + 1)
    queries = [
        (variant, query_for(variant, *rng.choice(rows), rng))
        for variant in VARIANTS
        for _ in range(N_QUERIES // len(VARIANTS))
    ]
    rng.shuffle(queries)
    for _variant, text in queries[:20]:  # warm up: connection, caches, the street trigrams (SpatiaLite)
        search_addresses(text, municipality=municipality)

    timings: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    found_first = dict.fromkeys(VARIANTS, 0)
    for variant, text in queries:
        started = time.perf_counter()
        hits = search_addresses(text, municipality=municipality)
        timings[variant].append((time.perf_counter() - started) * 1000)
        found_first[variant] += bool(hits)
    client = Client()
    api = []
    with override_settings(ADDRESS_SEARCH_RATE_LIMIT=0, ALLOWED_HOSTS=["*"]):
        for _variant, text in queries:
            started = time.perf_counter()
            response = client.get("/api/v1/adressen/", {"q": text, "gemeinde": municipality.slug})
            api.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content
    everything = [value for values in timings.values() for value in values]

    def stats(values):
        return {
            "n": len(values),
            "p50_ms": round(percentile(values, 50), 2),
            "p95_ms": round(percentile(values, 95), 2),
            "p99_ms": round(percentile(values, 99), 2),
        }

    print(
        "RESULT "
        + json.dumps(
            {
                "database": connection.vendor,
                "addresses": report.imported,
                "import_s": round(import_s, 1),
                "search": stats(everything),
                "api": stats(api),
                "by_variant": {v: {**stats(timings[v]), "with_results": found_first[v]} for v in VARIANTS},
                "load_after": load_average(),
            }
        ),
        flush=True,
    )


def main() -> int:
    """Run the PostGIS and the SpatiaLite measurement, each in its own process, and store the figures."""
    OUT.mkdir(parents=True, exist_ok=True)
    postgis = os.environ.get("DATABASE_URL") or DEFAULT_DB
    if postgis.startswith(("postgis://", "postgres")):
        ensure_database(postgis)
    if SQLITE_PATH.exists():
        SQLITE_PATH.unlink()
    import json

    load_before = load_average()
    results = []
    for database in (postgis, f"spatialite:///{SQLITE_PATH}"):
        out = subprocess.run(
            [sys.executable, "-m", "bench.bench_addresses", "--child", database],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
            capture_output=True,
            text=True,
        )
        lines = [line for line in out.stdout.splitlines() if line.startswith("RESULT ")]
        if out.returncode or not lines:
            print(out.stdout[-3000:], out.stderr[-3000:], flush=True)
            return 1
        results.append(json.loads(lines[-1].removeprefix("RESULT ")))
    verdicts = {r["database"]: r["search"]["p95_ms"] < TARGET_P95_MS for r in results}
    write_result(
        "addresses",
        {
            "load_before": load_before,
            "addresses": N_ADDRESSES,
            "queries": len(VARIANTS) * (N_QUERIES // len(VARIANTS)),
            "target_p95_ms": TARGET_P95_MS,
            "meets_target": verdicts,
            "results": results,
        },
    )
    return 0 if all(verdicts.values()) or quick() else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        sys.exit(main())
