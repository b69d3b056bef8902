"""The evidence report of a plan's publication: what was online when, outages with their duration, chain intact.

`evidence_report(plan, by)` returns the report as data; `evidence_json` the raw log (every entry with its
hashes, every check) for anyone who wants to recompute the chain; `evidence_pdf` the report as a tagged PDF
(PDF/UA-1, WeasyPrint) for the file and for court.
"""

import datetime as dt
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from plans import rules
from plans.models import Document, Plan

from .chain import chain_verify
from .models import Check, Entry


@dataclass
class Outage:
    url: str
    start: dt.datetime
    end: dt.datetime | None  # None: not reachable at the last check
    error: str
    checks: int

    @property
    def duration(self) -> dt.timedelta | None:
        return (self.end - self.start) if self.end else None

    @property
    def duration_label(self) -> str:
        """Return the duration as "2 Std. 5 Min." (at least one minute)."""
        if self.duration is None:
            return ""
        minutes = max(1, round(self.duration.total_seconds() / 60))
        hours, minutes = divmod(minutes, 60)
        days, hours = divmod(hours, 24)
        parts = [(days, _("%d Tg.")), (hours, _("%d Std.")), (minutes, _("%d Min."))]
        return " ".join(label % value for value, label in parts if value) or _("%d Min.") % 0


@dataclass
class UrlSummary:
    url: str
    label: str
    first: dt.datetime
    last: dt.datetime
    checks: int
    failed: int
    outages: list[Outage] = field(default_factory=list)


def _outages(checks: list[Check]) -> list[Outage]:
    """Return the runs of failed checks; an outage lasts from its first failed check to the next good one."""
    outages: list[Outage] = []
    current: Outage | None = None
    for check in checks:
        if not check.ok and current is None:
            current = Outage(url=check.url, start=check.at, end=None, error=check.error, checks=1)
        elif not check.ok and current is not None:
            current.checks += 1
        elif check.ok and current is not None:
            current.end = check.at
            outages.append(current)
            current = None
    if current is not None:
        outages.append(current)
    return outages


def url_summaries(plan: Plan) -> list[UrlSummary]:
    """Return per checked address: first and last check, counts and outages."""
    by_url: dict[str, list[Check]] = {}
    for check in Check.objects.filter(plan=plan).select_related("document").order_by("url", "at", "pk"):
        by_url.setdefault(check.url, []).append(check)
    summaries = []
    for url, checks in by_url.items():
        document = next((c.document for c in checks if c.document is not None), None)
        summaries.append(
            UrlSummary(
                url=url,
                label=document.title if document else _("Seite des Plans"),
                first=checks[0].at,
                last=checks[-1].at,
                checks=len(checks),
                failed=sum(not c.ok for c in checks),
                outages=_outages(checks),
            )
        )
    return summaries


def section_10a(plan: Plan) -> dict:
    """Return whether a plan in force is online with its Begründung and zusammenfassende Erklärung (§ 10a BauGB)."""
    if plan.stage != Plan.Stage.IN_FORCE:
        return {"applies": False}
    current = {d.kind for d in plan.documents.current()}
    missing = [
        str(label)
        for kind, label in (
            (Document.Kind.JUSTIFICATION, _("Begründung")),
            (Document.Kind.SUMMARY, _("Zusammenfassende Erklärung")),
        )
        if kind not in current
    ]
    return {
        "applies": True,
        "published": plan.is_public,
        "missing": missing,
        "complete": plan.is_public and not missing,
    }


def evidence_report(*, plan: Plan, by) -> dict:
    """Return the evidence report of `plan` (staff of its municipality only)."""
    rules.require(by, "view", plan.municipality)
    problems = chain_verify(plan.pk)
    entries = list(Entry.objects.filter(chain=plan.pk).order_by("seq"))
    consultations = list(plan.consultations.public().order_by("start_date", "round"))
    return {
        "plan": plan,
        "generated_at": timezone.now(),
        "chain_intact": not problems,
        "chain_problems": problems,
        "entries": entries,
        "last_hash": entries[-1].entry_hash if entries else "",
        "urls": url_summaries(plan),
        "consultations": consultations,
        "section_10a": section_10a(plan),
        "interval_minutes": settings.PUBLICATION_CHECK_INTERVAL_MINUTES,
    }


def evidence_json(*, plan: Plan, by) -> str:
    """Return the raw publication record of `plan` as JSON: entries with hashes, and every check."""
    report = evidence_report(plan=plan, by=by)
    data = {
        "plan": {"id": plan.pk, "title": plan.title, "number": plan.number, "municipality": plan.municipality.name},
        "generated_at": report["generated_at"].isoformat(),
        "chain_intact": report["chain_intact"],
        "chain_problems": [{"seq": p.seq, "message": p.message} for p in report["chain_problems"]],
        "hash": "SHA-256 of the canonical JSON of each entry (records/chain.py: canonical)",
        "entries": [
            {
                "seq": e.seq,
                "at": e.at.isoformat(),
                "recorded_at": e.recorded_at.isoformat(),
                "kind": e.kind,
                "summary": e.summary,
                "details": e.details,
                "document_sha256": e.document_sha256,
                "prev_hash": e.prev_hash,
                "entry_hash": e.entry_hash,
            }
            for e in report["entries"]
        ],
        "checks": [
            {
                "at": c.at.isoformat(),
                "url": c.url,
                "ok": c.ok,
                "status": c.status_code,
                "sha256": c.sha256,
                "content_matches": c.content_matches,
                "duration_ms": c.duration_ms,
                "error": c.error,
            }
            for c in Check.objects.filter(plan=plan).order_by("at", "pk")
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=1)


def evidence_pdf(*, plan: Plan, by) -> bytes:
    """Return the evidence report of `plan` as a tagged PDF (PDF/UA-1)."""
    from weasyprint import HTML

    report = evidence_report(plan=plan, by=by)
    with translation.override("de"):
        html = render_to_string("records/evidence_pdf.html", report)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")
