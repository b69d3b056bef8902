"""Result letters for submitters who wrote by post: one tagged PDF per letter and one combined print file.

`result_letters_start` records a postal notice (ResultNotification, channel "post") for every postal
submitter not told yet and queues a background export job (format "letters"). The job writes a ZIP with
one PDF per letter and the combined print file, then marks the notices as printed. The letters follow
DIN 5008 form B: the window address field lies 20 mm from the left and 45 mm from the top, 85 × 45 mm, with
the return line in its top (Zusatz- und Vermerkzone) and the address in the lower 27.3 mm (Anschriftzone).
"""

import datetime as dt
import re
import zipfile
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from weasyprint import HTML

from participation.models import Consultation
from plans import rules
from plans.links import absolute_url

from .models import ConsultationResult, ExportJob, ResultNotification, Segment, Weighing
from .reports.columns import label
from .reports.pdf import PDF_VARIANT
from .selectors import postal_recipients
from .tasks import run_export_job

FORMAT = "letters"  # ExportJob.format of a letters job
COMBINED = "alle-briefe-druckdatei.pdf"
KEEP = dt.timedelta(days=1)  # as export files


def letters_filename(consultation: Consultation) -> str:
    """Return the ZIP's name, e.g. 'ergebnisbriefe-am-riedborn-publication-1.zip'."""
    return f"ergebnisbriefe-{consultation.plan.slug}-{consultation.kind}-{consultation.round}.zip"


@transaction.atomic
def result_letters_start(*, consultation: Consultation, by) -> ExportJob:
    """Record a postal result notice for each postal submitter not told yet and queue the job that prints them.

    Needs the published result; names and addresses need "export_personal_data" besides "manage".
    """
    municipality = consultation.plan.municipality
    rules.require(by, "manage", municipality)
    rules.require(by, "export_personal_data", municipality)
    if not ConsultationResult.objects.filter(consultation=consultation, published_at__isnull=False).exists():
        raise ValidationError(
            _("Briefe gibt es erst, wenn das Ergebnis veröffentlicht ist."), code="result_not_published"
        )
    # One letters job per consultation at a time (the row lock makes two clicks at once wait for each other):
    # a second job would print the same queued letters again.
    Consultation.objects.select_for_update().filter(pk=consultation.pk).exists()
    if ExportJob.objects.filter(
        consultation=consultation,
        format=FORMAT,
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
        expires_at__gt=timezone.now(),
    ).exists():
        raise ValidationError(
            _("Die Ergebnisbriefe werden gerade erstellt. Bitte warten Sie, bis dieser Auftrag fertig ist."),
            code="letters_running",
        )
    recipients = list(postal_recipients(consultation).values_list("id", "weighing__decision"))
    # Letters of an earlier job that failed are still queued: the new job prints them too.
    pending = ResultNotification.objects.filter(
        statement__consultation=consultation,
        channel=ResultNotification.Channel.POST,
        status=ResultNotification.Status.QUEUED,
    ).exists()
    if not recipients and not pending:
        raise ValidationError(
            _("Es gibt keine Einreichenden per Post, die noch keine Mitteilung erhalten haben."),
            code="no_postal_recipients",
        )
    ResultNotification.objects.bulk_create(
        [
            ResultNotification(statement_id=sid, channel=ResultNotification.Channel.POST, decision=decision)
            for sid, decision in recipients
        ],
        batch_size=2000,
    )
    job = ExportJob.objects.create(
        consultation=consultation,
        created_by=rules.user_or_none(by),
        format=FORMAT,
        personal=True,
        file_name=letters_filename(consultation),
        expires_at=timezone.now() + KEEP,
    )
    transaction.on_commit(lambda: run_export_job.enqueue(job_id=str(job.pk)))
    return job


def address_lines(name: str, address: str) -> list[str]:
    """Return the lines of the address zone: the name, then the address split at line breaks or commas (≤ 6)."""
    parts = [p.strip() for p in re.split(r"[\n,]", address or "") if p.strip()]
    return ([name.strip()] if name.strip() else []) + parts[: 6 - bool(name.strip())]


def _items(weighing: Weighing, segments: list[Segment]) -> list[dict]:
    if segments:
        return [
            {
                "number": f"{weighing.number}.{s.number}",
                "excerpt": s.excerpt,
                "decision": label("decision", s.decision),
                "response": s.response,
            }
            for s in segments
        ]
    return [
        {
            "number": str(weighing.number),
            "excerpt": "",
            "decision": label("decision", weighing.decision),
            "response": weighing.response,
        }
    ]


def letter_context(consultation: Consultation, notices: list[ResultNotification]) -> dict:
    """Return the template context for the letters of `notices` (statements and weighings loaded)."""
    municipality = consultation.plan.municipality
    weighing_ids = [n.statement.weighing.pk for n in notices]
    segments: dict[int, list[Segment]] = {}
    for segment in Segment.objects.filter(weighing_id__in=weighing_ids).order_by("weighing_id", "number"):
        segments.setdefault(segment.weighing_id, []).append(segment)
    sender = address_lines(municipality.name, municipality.postal_address)
    letters = []
    for notice in notices:
        statement, weighing = notice.statement, notice.statement.weighing
        letters.append(
            {
                "statement": statement,
                "weighing": weighing,
                "address": address_lines(statement.user_name, statement.postal_address),
                "items": _items(weighing, segments.get(weighing.pk, [])),
                "received": statement.received_on or timezone.localtime(statement.submit_date).date(),
            }
        )
    return {
        "consultation": consultation,
        "plan": consultation.plan,
        "municipality": municipality,
        "result": ConsultationResult.objects.filter(consultation=consultation).first(),
        "result_url": absolute_url(reverse("workbench:public_result", args=[consultation.pk])),
        "return_line": " · ".join(sender),
        "sender": sender,
        "today": timezone.localdate(),
        "letters": letters,
    }


def render_letters(context: dict, letters: list[dict]) -> bytes:
    """Return one tagged PDF with `letters`, each starting on a new page."""
    html = render_to_string("workbench/reports/result_letter.html", {**context, "letters": letters})
    return HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)


def letters_write(out: BinaryIO, *, consultation: Consultation, progress=None) -> list[int]:
    """Write the ZIP of the queued postal notices (one PDF per letter, one print file); return their ids."""
    notices = list(
        ResultNotification.objects.filter(
            statement__consultation=consultation,
            channel=ResultNotification.Channel.POST,
            status=ResultNotification.Status.QUEUED,
        )
        .select_related("statement__weighing")
        .order_by("statement__weighing__number")
    )
    context = letter_context(consultation, notices)
    total = len(notices)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index, letter in enumerate(context["letters"], start=1):
            name = slugify(letter["address"][0] if letter["address"] else "") or "brief"
            archive.writestr(f"briefe/{letter['weighing'].number:04d}-{name}.pdf", render_letters(context, [letter]))
            if progress is not None and (index % 20 == 0 or index == total):
                progress(index, total)
        archive.writestr(COMBINED, render_letters(context, context["letters"]))
    return [n.pk for n in notices]


def letters_mark_printed(*, notice_ids: list[int], at) -> int:
    """Mark the postal notices whose letters went into a finished file as printed; return how many."""
    return ResultNotification.objects.filter(pk__in=notice_ids, status=ResultNotification.Status.QUEUED).update(
        status=ResultNotification.Status.PRINTED, sent_at=at
    )
