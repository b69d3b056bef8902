"""Mirror a municipality's council system: organisations, meetings with agenda items, papers (OParl).

`oparl_sync` reads each list completely (all pages) before it writes that list in one transaction,
so a failed read leaves the list as it was. The `modified_since` watermark moves only after every
list was written: the next sync asks for what changed since this sync started, minus an overlap
for clocks and for objects saved while the lists were read.
"""

import datetime as dt
from collections import Counter
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from plans import rules
from plans.page_cache import bump_plan_pages

from .matching import stage_links_suggest
from .models import AgendaItem, Meeting, OParlSource, Organization, Paper, StageLink
from .oparl import OParlClient, OParlError

KINDS = ("organizations", "meetings", "agenda_items", "papers")


def _text(value: Any, limit: int) -> str:
    return str(value).strip()[:limit] if isinstance(value, str | int | float) and value is not None else ""


def _url(value: Any) -> str:
    """Return `value` if it is an http(s) URL (never a javascript: link on our pages), else ''."""
    if isinstance(value, str) and value.startswith(("https://", "http://")) and len(value) <= 500:
        return value
    return ""


def _datetime(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_date(value[:10])
    except ValueError:
        return None


def _file(value: Any) -> dict | None:
    """Return the parts of an OParl File shown on the plan page: name, accessUrl, mimeType."""
    if not isinstance(value, dict) or value.get("deleted") or not _url(value.get("accessUrl")):
        return None
    return {
        "name": _text(value.get("name") or value.get("fileName") or value.get("accessUrl"), 300),
        "accessUrl": _url(value.get("accessUrl")),
        "mimeType": _text(value.get("mimeType"), 100),
    }


def _ids(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def organization_fields(item: dict) -> dict:
    return {
        "name": _text(item.get("name"), 300) or _text(item.get("id"), 300),
        "short_name": _text(item.get("shortName"), 100),
    }


def meeting_fields(item: dict) -> dict:
    return {
        "name": _text(item.get("name"), 300),
        "start": _datetime(item.get("start")),
        "end": _datetime(item.get("end")),
        "cancelled": bool(item.get("cancelled", False)),
        "web_url": _url(item.get("web")),
        "organization_ids": _ids(item.get("organization")),
    }


def agenda_item_fields(item: dict) -> dict:
    return {
        "number": _text(item.get("number"), 50),
        "name": _text(item.get("name"), 1000),
        "public": item.get("public") is not False,
        "result": _text(item.get("result"), 300),
        "resolution_text": _text(item.get("resolutionText"), 100_000),
    }


def paper_fields(item: dict) -> dict:
    consultations = [
        {
            "agendaItem": _url(c.get("agendaItem")),
            "meeting": _url(c.get("meeting")),
            "role": _text(c.get("role"), 200),
            "authoritative": bool(c.get("authoritative", False)),
        }
        for c in item.get("consultation") or []
        if isinstance(c, dict) and not c.get("deleted")
    ]
    return {
        "name": _text(item.get("name"), 1000) or _text(item.get("reference"), 1000),
        "reference": _text(item.get("reference"), 100),
        "date": _date(item.get("date")),
        "paper_type": _text(item.get("paperType"), 200),
        "web_url": _url(item.get("web")),
        "main_file": _file(item.get("mainFile")),
        "auxiliary_files": [f for f in map(_file, item.get("auxiliaryFile") or []) if f],
        "consultations": consultations,
    }


def _upsert(model: type[models.Model], source: OParlSource, item: dict, fields: dict, counts: Counter, **extra):
    """Create or update the row for OParl object `item`; count it as new, changed or deleted."""
    deleted = bool(item.get("deleted", False))
    values = {**fields, **extra, "modified": _datetime(item.get("modified")), "deleted": deleted}
    row = model._default_manager.filter(source=source, oparl_id=item["id"]).first()
    if row is not None and deleted:  # a deleted object carries only id, type and dates: keep what we knew
        values = {"modified": values["modified"], "deleted": True}
    if row is None:
        row = model._default_manager.create(source=source, oparl_id=item["id"], **values)
        counts["deleted" if deleted else "new"] += 1
        return row
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if changed:
        for name in changed:
            setattr(row, name, values[name])
        row.save(update_fields=[*changed, "synced_at"])
        counts["deleted" if "deleted" in changed and deleted else "changed"] += 1
    return row


def _valid(items):
    return [item for item in items if isinstance(item.get("id"), str) and _url(item["id"])]


def _write_organizations(source, items, counts):
    with transaction.atomic():
        for item in items:
            _upsert(Organization, source, item, organization_fields(item), counts["organizations"])


def _write_meetings(source, items, counts):
    with transaction.atomic():
        for item in items:
            gone = bool(item.get("deleted"))
            fields = meeting_fields(item)
            meeting = _upsert(Meeting, source, item, fields, counts["meetings"])
            if not gone:
                meeting.organizations.set(
                    Organization.objects.filter(source=source, oparl_id__in=fields["organization_ids"])
                )
            agenda = item.get("agendaItem")
            if not gone and not (isinstance(agenda, list) and all(isinstance(i, dict) for i in agenda)):
                continue  # no embedded agenda (yet): keep the items we know
            embedded = _valid(agenda or []) if not gone else []
            for agenda_item in embedded:
                _upsert(
                    AgendaItem,
                    source,
                    agenda_item,
                    agenda_item_fields(agenda_item),
                    counts["agenda_items"],
                    meeting=meeting,
                )
            # An item no longer on the agenda was removed from the meeting (all of them if the meeting is deleted).
            dropped = meeting.items.exclude(oparl_id__in=[i["id"] for i in embedded]).filter(deleted=False)
            counts["agenda_items"]["deleted"] += dropped.update(deleted=True)


def _write_papers(source, items, counts):
    with transaction.atomic():
        for item in items:
            paper = _upsert(Paper, source, item, paper_fields(item), counts["papers"])
            agenda_ids = [c["agendaItem"] for c in paper.consultations if c["agendaItem"]]
            if agenda_ids:
                AgendaItem.objects.filter(source=source, oparl_id__in=agenda_ids).exclude(paper=paper).update(
                    paper=paper
                )
        # Agenda items synced before their paper: find the paper that names them.
        orphans = set(AgendaItem.objects.filter(source=source, paper=None).values_list("oparl_id", flat=True))
        if orphans:
            for paper_pk, consultations in Paper.objects.filter(source=source).values_list("pk", "consultations"):
                named = {c.get("agendaItem") for c in consultations or []} & orphans
                if named:
                    AgendaItem.objects.filter(source=source, oparl_id__in=named).update(paper_id=paper_pk)


def oparl_sync(*, source: OParlSource, by) -> dict:
    """Mirror the source's body: organisations, meetings (with agenda items) and papers changed since the last sync.

    Return counts per kind ({'new', 'changed', 'deleted'}) and the number of new suggestions; raise
    OParlError (recorded on the source) if the server cannot be read.
    """
    rules.require(by, "manage", source.municipality)
    started = timezone.now()
    since = source.modified_since
    counts: dict[str, Counter] = {kind: Counter() for kind in KINDS}
    try:
        with OParlClient() as client:
            body = client.body(source.system_url, source.body_url)
            lists = {kind: body.get(kind) for kind in ("organization", "meeting", "paper")}
            for kind, url in lists.items():
                if not isinstance(url, str):
                    raise OParlError(f"The body names no {kind} list.", code="no_list")
            _write_organizations(source, _valid(client.pages(lists["organization"], since=since)), counts)
            _write_meetings(source, _valid(client.pages(lists["meeting"], since=since)), counts)
            _write_papers(source, _valid(client.pages(lists["paper"], since=since)), counts)
    except OParlError as error:
        OParlSource.objects.filter(pk=source.pk).update(last_error=str(error)[:1000], last_error_at=timezone.now())
        raise
    overlap = dt.timedelta(minutes=settings.OPARL_OVERLAP_MINUTES)
    source.body_url = source.body_url or _url(body.get("id"))
    source.body_name = _text(body.get("name"), 300)
    source.last_sync_at = timezone.now()
    source.modified_since = started - overlap
    source.last_error = ""
    source.last_error_at = None
    source.save(
        update_fields=["body_url", "body_name", "last_sync_at", "modified_since", "last_error", "last_error_at"]
    )
    if any(sum(c.values()) for c in counts.values()):
        bump_plan_pages(
            StageLink.objects.filter(paper__source=source, status=StageLink.Status.CONFIRMED).values_list(
                "plan_id", flat=True
            )
        )
    result: dict[str, Any] = {kind: {k: counts[kind][k] for k in ("new", "changed", "deleted")} for kind in KINDS}
    result["suggested"] = stage_links_suggest(source=source, by=by)
    return result
