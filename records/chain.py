"""Append to and verify the hash chain of a plan's publication record."""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.models import Document, Plan

from .models import Entry

GENESIS = "0" * 64


def canonical(
    *, chain: int, seq: int, at, kind: str, summary: str, details: dict, document_sha256: str, prev_hash: str
):
    """Return the bytes an entry's hash is taken of: its content as sorted, compact JSON (UTC times, microseconds)."""
    content = {
        "chain": chain,
        "seq": seq,
        "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "kind": kind,
        "summary": summary,
        "details": details,
        "document_sha256": document_sha256,
        "prev_hash": prev_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_digest(entry: Entry) -> str:
    """Return the SHA-256 that `entry` should carry, computed from its stored content."""
    return hashlib.sha256(
        canonical(
            chain=entry.chain,
            seq=entry.seq,
            at=entry.at,
            kind=entry.kind,
            summary=entry.summary,
            details=entry.details,
            document_sha256=entry.document_sha256,
            prev_hash=entry.prev_hash,
        )
    ).hexdigest()


def document_sha256(document: Document) -> str:
    """Return the SHA-256 of the document's stored bytes ('' if the file cannot be read)."""
    digest = hashlib.sha256()
    try:
        with document.file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except (OSError, ValueError):
        return ""
    return digest.hexdigest()


@transaction.atomic
def record_append(*, plan: Plan, kind: str, summary: str, at=None, details: dict | None = None, document=None) -> Entry:
    """Append one event to `plan`'s chain (locked against concurrent appends) and return the entry.

    Called by the receivers of the domain events (records.receivers) inside the transaction of the
    action that caused the event, so the entry commits or rolls back with it.
    """
    # Lock the plan row: concurrent appends to one chain queue here (SQLite serialises writes anyway).
    Plan.objects.select_for_update().filter(pk=plan.pk).exists()
    last = Entry.objects.filter(chain=plan.pk).order_by("-seq").only("seq", "entry_hash").first()
    entry = Entry(
        chain=plan.pk,
        plan=plan,
        seq=(last.seq + 1) if last else 1,
        at=at or timezone.now(),
        recorded_at=timezone.now(),
        kind=kind,
        summary=summary[:500],
        details=json.loads(json.dumps(details or {}, default=str)),  # as stored and read back by the JSONField
        document_sha256=document_sha256(document) if document is not None else "",
        prev_hash=last.entry_hash if last else GENESIS,
    )
    entry.entry_hash = entry_digest(entry)
    entry.save()
    return entry


@dataclass
class ChainProblem:
    seq: int
    message: str


def chain_verify(chain: int) -> list[ChainProblem]:
    """Recompute the chain of plan id `chain`; return every broken link (empty: intact)."""
    problems: list[ChainProblem] = []
    expected_prev = GENESIS
    expected_seq = 1
    for entry in Entry.objects.filter(chain=chain).order_by("seq").iterator():
        if entry.seq != expected_seq:
            problems.append(ChainProblem(entry.seq, _("Lücke: Eintrag %(seq)d fehlt") % {"seq": expected_seq}))
        if entry.prev_hash != expected_prev:
            problems.append(ChainProblem(entry.seq, _("Der Verweis auf den vorigen Eintrag stimmt nicht.")))
        if entry_digest(entry) != entry.entry_hash:
            problems.append(ChainProblem(entry.seq, _("Der Inhalt wurde nach dem Eintragen verändert.")))
        expected_prev = entry.entry_hash
        expected_seq = entry.seq + 1
    return problems
