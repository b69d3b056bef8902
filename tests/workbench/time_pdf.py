"""Time the tagged PDF of 10,000 statements (not a test; run by hand):

    /usr/bin/time -v .venv/bin/pytest tests/workbench/time_pdf.py -q -s -p no:cacheprovider

PDF_N sets the number of statements (default 10,000); PDF_PROFILE=<file> writes a cProfile of the render.

20 % form letters, 10 % by post, 1 in 7 without a place, 5/6 decided with a response, 100 split into two
segments; prints rows, pages, bytes and the seconds of the render alone (the rest is setup).
"""

import cProfile
import datetime as dt
import io
import os
import random
import time

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import Point
from django_comments.models import Comment
from django_comments_xtd.models import XtdComment
from pypdf import PdfReader

from participation.models import Consultation, Statement
from participation.workbench import services
from participation.workbench.models import Decision, Segment, Weighing
from participation.workbench.reports import export_report
from plans.rules import SYSTEM
from tests.workbench.conftest import FORM_LETTER

N = int(os.environ.get("PDF_N", "10000"))
PROFILE = os.environ.get("PDF_PROFILE")
WORDS = "Lärm Verkehr Parkplätze Bäume Kita Schule Wohnungen Höhe Geschosse Bach Regenwasser Radweg Bus".split()


def test_time_pdf_of_10000_statements(world):
    consultation = world["consultation"]
    rng = random.Random(42)
    x0, y0, x1, y1 = consultation.plan.area.extent
    when = world["statements"][0].submit_date
    content_type = ContentType.objects.get_for_model(Consultation)
    comments = [
        Comment(
            content_type=content_type,
            object_pk=str(consultation.pk),
            site_id=settings.SITE_ID,
            user_name=f"Person {i}",
            user_email="" if i % 10 == 0 else f"p{i}@example.org",
            comment=FORM_LETTER if i % 5 == 0 else " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 120))),
            submit_date=when + dt.timedelta(minutes=i),
            is_public=True,
            is_removed=False,
        )
        for i in range(N)
    ]
    Comment.objects.bulk_create(comments, batch_size=2000)
    xtds = [
        XtdComment(comment_ptr_id=c.pk, thread_id=c.pk, parent_id=c.pk, level=0, order=1, followup=False)
        for c in comments
    ]
    statements = [
        Statement(
            xtdcomment_ptr_id=c.pk,
            consultation=consultation,
            topic=rng.choice(Statement.Topic.values),
            channel="post" if i % 10 == 0 else "online",
            location=None if i % 7 == 0 else Point(rng.uniform(x0, x1), rng.uniform(y0, y1), srid=4326),
            confirmed_at=when,
            privacy_consent=True,
            postal_address=f"Weg {i}, 61250 Usingen",
        )
        for i, c in enumerate(comments)
    ]
    for model, objects in ((XtdComment, xtds), (Statement, statements)):
        fields = model._meta.local_concrete_fields
        for start in range(0, len(objects), 1000):
            model._base_manager._insert(objects[start : start + 1000], fields=fields, raw=True)
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
    profile = cProfile.Profile() if PROFILE else None
    start, cpu = time.perf_counter(), time.process_time()
    if profile:
        profile.enable()
    data, rows = export_report(consultation=consultation, format="pdf")
    if profile:
        profile.disable()
        profile.dump_stats(PROFILE)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    pages = len(PdfReader(io.BytesIO(data)).pages)
    size = len(data) / 1e6
    print(f"\nPDF/UA-1: {rows} rows, {pages} pages, {size:.1f} MB, render {seconds:.1f} s wall, {cpu:.1f} s CPU")
