"""The availability check: fetch each published plan's page and documents through the public address and record it.

Run every few minutes by `check_publication` (systemd timer) for the plans that must be online: those with a
public consultation open now, and those in force (§ 10a Abs. 2 BauGB: the plan with its Begründung and
zusammenfassende Erklärung stays available). Every fetch is a `Check` row; a change between reachable and
unreachable is also appended to the plan's hash chain, so outages are part of the tamper-evident record.
"""

import hashlib
import time
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.models import Consultation
from plans.models import Plan

from .chain import record_append
from .models import Check, Entry
from .receivers import document_path

USER_AGENT = "Planbeteiligung-Verfuegbarkeitspruefung/1"


@dataclass
class CheckSummary:
    plans: int = 0
    urls: int = 0
    failed: int = 0
    outages: int = 0
    restored: int = 0


def plans_to_check(at=None):
    """Return the public plans that must be online at `at`: an open public consultation, or in force."""
    at = at or timezone.now()
    with_open = Consultation.objects.open_at(at).values("plan_id")
    return (
        Plan.objects.published()
        .filter(Q(pk__in=with_open) | Q(stage=Plan.Stage.IN_FORCE))
        .select_related("municipality")
        .order_by("pk")
    )


def _published_sha256(document) -> str:
    """Return the SHA-256 recorded when `document` went online (computed now if the record has none)."""
    entry = (
        Entry.objects.filter(chain=document.plan_id, kind=Entry.Kind.DOCUMENT_ONLINE, details__document=document.pk)
        .exclude(document_sha256="")
        .order_by("-seq")
        .first()
    )
    if entry is not None:
        return entry.document_sha256
    from .chain import document_sha256

    return document_sha256(document)


def _fetch(client: httpx.Client, url: str) -> tuple[int | None, str, int, str]:
    started = time.monotonic()
    try:
        digest = hashlib.sha256()
        with client.stream("GET", url) as response:
            for block in response.iter_bytes():
                digest.update(block)
        return response.status_code, digest.hexdigest(), int((time.monotonic() - started) * 1000), ""
    except httpx.HTTPError as error:
        return None, "", int((time.monotonic() - started) * 1000), f"{type(error).__name__}: {error}"[:500]


def availability_check(*, base_url: str | None = None, at=None, timeout: float | None = None) -> CheckSummary:
    """Fetch every address of the plans to check once; record each fetch and each outage/restoration."""
    base_url = (base_url or settings.PUBLICATION_CHECK_BASE_URL).rstrip("/")
    timeout = timeout if timeout is not None else settings.PUBLICATION_CHECK_TIMEOUT
    summary = CheckSummary()
    with httpx.Client(timeout=timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}) as client:
        for plan in plans_to_check(at):
            summary.plans += 1
            targets = [(plan.get_absolute_url(), None)]
            targets += [(document_path(document), document) for document in plan.documents.current().order_by("order")]
            for path, document in targets:
                url = base_url + path
                status, sha256, duration, error = _fetch(client, url)
                now = timezone.now() if at is None else at
                ok = status == 200
                matches = None
                if document is not None and ok:
                    matches = sha256 == _published_sha256(document)
                    ok = matches
                    if not matches:
                        error = _("Der Inhalt weicht von der veröffentlichten Datei ab.")
                elif status is not None and not ok:
                    error = error or f"HTTP {status}"
                previous = Check.objects.filter(plan=plan, url=url).order_by("-at").first()
                Check.objects.create(
                    plan=plan,
                    document=document,
                    url=url,
                    at=now,
                    ok=ok,
                    status_code=status,
                    sha256=sha256,
                    content_matches=matches,
                    duration_ms=duration,
                    error=error,
                )
                summary.urls += 1
                summary.failed += not ok
                was_ok = previous.ok if previous is not None else True
                if was_ok and not ok:
                    summary.outages += 1
                    record_append(
                        plan=plan,
                        kind=Entry.Kind.CHECK_OUTAGE,
                        at=now,
                        summary=_("Nicht erreichbar: %(url)s (%(error)s)") % {"url": url, "error": error},
                        details={"url": url, "status": status, "error": error},
                    )
                elif not was_ok and ok:
                    summary.restored += 1
                    record_append(
                        plan=plan,
                        kind=Entry.Kind.CHECK_RESTORED,
                        at=now,
                        summary=_("Wieder erreichbar: %(url)s") % {"url": url},
                        details={"url": url, "status": status},
                    )
    return summary
