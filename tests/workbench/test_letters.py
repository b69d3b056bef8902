"""Result letters for submitters who wrote by post: DIN 5008 window position, one PDF per letter, a print file."""

import datetime as dt
import io
import re
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from participation.workbench import letters, services
from participation.workbench.models import Decision, ExportJob, ResultNotification, Segment, Weighing
from plans.rules import SYSTEM
from tests.factories import StatementFactory

MM = 72 / 25.4
A4_HEIGHT = 297 * MM


@pytest.fixture
def published(world):
    """Three postal submitters without e-mail (one with two segments), one with e-mail; the result published."""
    world["town"].postal_address = "Marktplatz 1\n61250 Usingen"
    world["town"].contact = "Bauamt, Telefon 06081 1020"
    world["town"].save()
    consultation = world["consultation"]
    for i, name in enumerate(["Otto Brief", "Frieda Feder"]):
        StatementFactory(
            consultation=consultation,
            comment=f"Brief {i}",
            channel="post",
            submit_date=world["statements"][0].submit_date,
            user_name=name,
            user_email="",
            postal_address=f"Lindenweg {i + 2}, 61250 Usingen",
        )
    services.weighings_ensure(consultation=consultation, by=SYSTEM)
    Weighing.objects.update(decision=Decision.CONSIDERED, response="Die Zufahrt entfällt.")
    otto = Weighing.objects.get(statement__user_name="Otto Brief")
    Segment.objects.create(weighing=otto, number=1, excerpt="Lärm", decision=Decision.PARTLY, response="Lärmschutz.")
    Segment.objects.create(weighing=otto, number=2, excerpt="Bäume", decision=Decision.NOTED, response="Zur Kenntnis.")
    services.result_publish(
        consultation=consultation,
        by=SYSTEM,
        council_body="Stadtverordnetenversammlung",
        decided_on=consultation.end_date + dt.timedelta(days=3),
    )
    return world


def _positions(page) -> list[tuple[str, float, float]]:
    """Return (text, x from the left edge, y from the top edge) in points for every text piece of `page`."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((text.strip(), x, float(page.mediabox.height) - y))

    page.extract_text(visitor_text=visit)
    return found


def _start(client, consultation, capture):
    with capture(execute=True):
        return client.post(reverse("workbench:result_letters", args=[consultation.pk]))


def test_planner_prints_letters_for_postal_submitters(
    client, published, immediate_tasks, django_capture_on_commit_callbacks
):
    consultation, planner = published["consultation"], published["users"]["planner"]
    client.force_login(planner)
    page = client.get(reverse("workbench:publish", args=[consultation.pk])).content.decode()
    assert "3 Stellungnahmen kamen per Post und wurden noch nicht mitgeteilt." in page
    response = _start(client, consultation, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get(format=letters.FORMAT)
    assert response.url == reverse("workbench:export_job", args=[consultation.pk, job.pk])
    assert (job.status, job.rows, job.personal) == (ExportJob.Status.SUCCEEDED, 3, True)
    download = client.get(reverse("workbench:export_download", args=[consultation.pk, job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    singles = sorted(n for n in archive.namelist() if n.startswith("briefe/"))
    assert len(singles) == 3 and any("paula-papier" in n for n in singles)
    combined = PdfReader(io.BytesIO(archive.read(letters.COMBINED)))
    pages = [PdfReader(io.BytesIO(archive.read(name))) for name in singles]
    assert len(combined.pages) == sum(len(r.pages) for r in pages)
    assert sum("Marktplatz 1" in p.extract_text() for p in combined.pages) == 3  # one letterhead per letter
    # Each letter is tagged, German, and names its statement's decision (per segment where split).
    texts = {name: "\n".join(p.extract_text() for p in r.pages) for name, r in zip(singles, pages, strict=True)}
    for reader in pages:
        assert reader.trailer["/Root"]["/Lang"] == "de" and "/StructTreeRoot" in reader.trailer["/Root"]
    otto = next(t for n, t in texts.items() if "otto-brief" in n)
    assert "Lärmschutz." in otto and "teilweise berücksichtigt" in otto and "zur Kenntnis genommen" in otto
    assert "Stadtverordnetenversammlung" in otto
    # Recorded per statement; the postal submitter with an e-mail address was told by e-mail instead.
    postal = ResultNotification.objects.filter(channel=ResultNotification.Channel.POST)
    assert postal.count() == 3 and set(postal.values_list("status", flat=True)) == {"printed"}
    assert not postal.filter(statement=published["statements"][2]).exists()
    # Nobody left: a second run is refused with a message, nothing changes.
    again = _start(client, consultation, django_capture_on_commit_callbacks)
    assert again.status_code == 302 and ExportJob.objects.filter(format=letters.FORMAT).count() == 1


def test_address_lies_in_the_din_5008_window(published):
    consultation = published["consultation"]
    notices = [
        ResultNotification.objects.create(statement=published["statements"][6], channel=ResultNotification.Channel.POST)
    ]
    context = letters.letter_context(consultation, notices)
    reader = PdfReader(io.BytesIO(letters.render_letters(context, context["letters"])))
    texts = _positions(reader.pages[0])
    window_left, window_right = 20 * MM, 105 * MM
    address_zone = (62.7 * MM, 90 * MM)  # the lower 27.3 mm of the 45 mm field
    note_zone = (45 * MM, 62.7 * MM)
    start = [text for text, _x, _y in texts].index("Paula Papier")
    address = texts[start : start + 3]  # the letterhead names the town too: take the lines after the name
    assert [text for text, _x, _y in address] == ["Paula Papier", "Am Markt 1", "61250 Usingen"]
    for line, x, y in address:
        assert window_left <= x <= window_right - 20 * MM, (line, x / MM)
        assert address_zone[0] <= y <= address_zone[1], (line, y / MM)
    return_line = next((x, y) for text, x, y in texts if text.startswith("Usingen · Marktplatz 1"))
    assert window_left <= return_line[0] and note_zone[0] <= return_line[1] <= note_zone[1]
    assert float(reader.pages[0].mediabox.height) == pytest.approx(A4_HEIGHT, abs=0.5)
    assert re.search(r"Datum: \d\d\.\d\d\.\d{4}", reader.pages[0].extract_text())


def test_letters_need_the_published_result_and_the_planning_office(world):
    consultation = world["consultation"]
    services.weighings_ensure(consultation=consultation, by=SYSTEM)
    Weighing.objects.update(decision=Decision.CONSIDERED)
    with pytest.raises(ValidationError) as exc:
        letters.result_letters_start(consultation=consultation, by=world["users"]["planner"])
    assert exc.value.code == "result_not_published"
    with pytest.raises(PermissionDenied):
        letters.result_letters_start(consultation=consultation, by=world["users"]["moderator"])
    assert not ResultNotification.objects.exists() and not ExportJob.objects.exists()


def test_queued_letters_are_not_mailed_and_a_failed_print_can_be_redone(published, immediate_tasks):
    from django.core import mail

    from participation.workbench.tasks import send_result_notifications

    consultation, planner = published["consultation"], published["users"]["planner"]
    first = letters.result_letters_start(consultation=consultation, by=planner)  # its job never ran (no commit)
    mail.outbox.clear()
    send_result_notifications.call(consultation_id=consultation.pk)
    assert len(mail.outbox) == 7 and all(m.to[0] for m in mail.outbox)  # the e-mail notices only
    postal = ResultNotification.objects.filter(channel=ResultNotification.Channel.POST)
    assert set(postal.values_list("status", flat=True)) == {"queued"} and postal.count() == 3
    ExportJob.objects.filter(pk=first.pk).update(status=ExportJob.Status.FAILED)
    second = letters.result_letters_start(consultation=consultation, by=planner)  # the queued letters again
    assert second.pk != first.pk and postal.count() == 3


def test_a_second_letters_job_waits_for_the_first(published, client):
    """Two clicks (or two planners) at once: the second start is refused while the first job is queued or running,
    so no letter is printed twice; once the first is done, a new job may start."""
    consultation, planner = published["consultation"], published["users"]["planner"]
    first = letters.result_letters_start(consultation=consultation, by=planner)  # queued (its task never ran)
    with pytest.raises(ValidationError) as refused:
        letters.result_letters_start(consultation=consultation, by=planner)
    assert refused.value.code == "letters_running"
    ExportJob.objects.filter(pk=first.pk).update(status=ExportJob.Status.RUNNING)
    client.force_login(planner)
    response = client.post(reverse("workbench:result_letters", args=[consultation.pk]), follow=True)
    assert "Die Ergebnisbriefe werden gerade erstellt" in response.content.decode()
    assert ExportJob.objects.filter(consultation=consultation, format=letters.FORMAT).count() == 1
    ExportJob.objects.filter(pk=first.pk).update(status=ExportJob.Status.SUCCEEDED)
    assert letters.result_letters_start(consultation=consultation, by=planner).pk != first.pk
