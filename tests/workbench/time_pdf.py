"""Time the tagged PDF of 10,000 statements (not a test; run by hand, it takes minutes):

    /usr/bin/time -v .venv/bin/pytest tests/workbench/time_pdf.py -q -s -p no:cacheprovider

20 % form letters, 10 % by post, 1 in 7 without a place, 5/6 decided with a response, 100 split into two
segments; prints rows, pages, bytes and the seconds of the render alone (the rest is setup).
"""

import datetime as dt
import io
import random
import time

from django.contrib.gis.geos import Point
from pypdf import PdfReader

from participation.models import Statement
from participation.workbench import services
from participation.workbench.models import Decision, Segment, Weighing
from participation.workbench.reports import export_report
from plans.rules import SYSTEM
from tests.factories import StatementFactory
from tests.workbench.conftest import FORM_LETTER

N = 10_000
WORDS = "Lärm Verkehr Parkplätze Bäume Kita Schule Wohnungen Höhe Geschosse Bach Regenwasser Radweg Bus".split()


def test_time_pdf_of_10000_statements(world):
    consultation = world["consultation"]
    template = StatementFactory.build(consultation=consultation)
    rng = random.Random(42)
    x0, y0, x1, y1 = consultation.plan.area.extent
    statements = []
    for i in range(N):
        text = FORM_LETTER if i % 5 == 0 else " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 120))) + "."
        statements.append(
            Statement(
                consultation=consultation,
                content_type=template.content_type,
                object_pk=template.object_pk,
                site_id=template.site_id,
                user_name=f"Person {i}",
                user_email="" if i % 10 == 0 else f"p{i}@example.org",
                postal_address=f"Weg {i}, 61250 Usingen",
                channel="post" if i % 10 == 0 else "online",
                comment=text,
                topic=rng.choice(["traffic", "environment", "social", "green", "buildings"]),
                submit_date=world["statements"][0].submit_date + dt.timedelta(minutes=i),
                confirmed_at=world["statements"][0].submit_date,
                privacy_consent=True,
                location=None if i % 7 == 0 else Point(rng.uniform(x0, x1), rng.uniform(y0, y1), srid=4326),
            )
        )
    Statement.objects.bulk_create(statements, batch_size=1000)
    services.weighings_ensure(consultation=consultation, by=SYSTEM)
    for number in range(1, N, 6):
        Weighing.objects.filter(number__in=range(number, number + 5)).update(
            decision=Decision.PARTLY, response="Die Anregung wird teilweise berücksichtigt: " + FORM_LETTER[:300]
        )
    for weighing in Weighing.objects.order_by("number")[:100]:
        Segment.objects.create(weighing=weighing, number=1, excerpt="Verkehr", decision=Decision.NOTED, response="OK")
        Segment.objects.create(
            weighing=weighing, number=2, excerpt="Bäume", decision=Decision.CONSIDERED, response="Ja"
        )
    start = time.perf_counter()
    data, rows = export_report(consultation=consultation, format="pdf")
    seconds = time.perf_counter() - start
    pages = len(PdfReader(io.BytesIO(data)).pages)
    print(f"\nPDF/UA-1: {rows} rows, {pages} pages, {len(data) / 1e6:.1f} MB, render {seconds:.1f} s")
