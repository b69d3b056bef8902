"""Time the council documents (DOCX, ODT, Beschlussvorlage) of 10,000 statements on PostGIS (not a test; by hand).

    DATABASE_URL=postgis://postgres@127.0.0.1:5432/pb_council \
        .venv/bin/python -m tests.workbench.time_council_documents setup
    DATABASE_URL=... /usr/bin/time -v .venv/bin/python -m tests.workbench.time_council_documents docx

`setup` creates the statements of bench/bench_workbench.py (10,000; BENCH_STATEMENTS changes it),
gives two thirds a decision and a response and splits every 20th statement into two segments.
A format (docx, odt, bv-docx, bv-odt, pdf, ...) renders that export into a temporary file and prints
the time, size and row count; `/usr/bin/time -v` adds the peak memory (Maximum resident set size).
"""

import os
import random
import sys
import tempfile
import time

DEFAULT_DB = "postgis://postgres@127.0.0.1:5432/pb_council"


def _django(migrate: bool) -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", "--noinput", verbosity=0)


def setup() -> None:
    from bench.bench_workbench import _create_data
    from bench.common import ensure_database

    ensure_database(os.environ.setdefault("DATABASE_URL", DEFAULT_DB))
    _django(migrate=True)
    from participation.workbench import services
    from participation.workbench.models import Decision, Segment, Weighing
    from plans.rules import SYSTEM

    consultation, _user = _create_data()
    services.weighings_ensure(consultation=consultation, by=SYSTEM)
    weighings = list(Weighing.objects.filter(statement__consultation=consultation).order_by("number"))
    rng = random.Random(1)
    for weighing in weighings:
        if rng.random() < 2 / 3:
            weighing.decision = rng.choice(Decision.values)
            weighing.response = "Die Verwaltung empfiehlt, die Anregung wie folgt zu behandeln. " * 3
    Weighing.objects.bulk_update(weighings, ["decision", "response"], batch_size=2000)
    segments = [
        Segment(weighing=w, number=n, excerpt=f"Teil {n} der Stellungnahme", decision="partly", response="Geprüft.")
        for w in weighings[::20]
        for n in (1, 2)
    ]
    Segment.objects.bulk_create(segments, batch_size=2000)
    sys.stdout.write(f"{len(weighings)} statements, {len(segments)} segments in consultation {consultation.pk}\n")


def render(format: str) -> None:
    _django(migrate=False)
    from participation.models import Consultation
    from participation.workbench.reports import export_report_to

    consultation = Consultation.objects.get(plan__slug="bench-plan", plan__municipality__slug="bench-abwaegung")
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        rows = export_report_to(out, consultation=consultation, format=format)
        size = out.tell()
    elapsed = time.perf_counter() - start
    sys.stdout.write(f"{format}: {elapsed:.1f} s, {size / 1024 / 1024:.1f} MB, {rows} statements\n")


if __name__ == "__main__":
    setup() if sys.argv[1] == "setup" else render(sys.argv[1])
