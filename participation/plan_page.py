"""The participation part of the public plan page: consultation, statement form, published statements, markers.

The composed plan page (`portal.views.PlanDetailView`) calls `plan_page_participation`; the
statement list's HTML is cached by the `statement_list` template tag under `list_key`. For the
full-page cache the statement form renders markers instead of its per-request security fields
(`statement_form_markers`), and `statement_form_values` fills them in for each response.
"""

import datetime as dt
import hashlib
import time
import uuid
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils import formats, timezone, translation

from accounts.bundid import bundid_enabled, citizen_identity
from plans.models import Plan
from plans.page_cache import marker

from .forms import StatementForm
from .models import Consultation, Statement

# The statement form's fields that differ per visitor: the double-submit token and the signed timestamp.
FORM_MARKERS = ("form_token", "timestamp", "security_hash")

# Threads (a statement with its replies) per page of the public statement list.
STATEMENTS_PER_PAGE = 20
# Pages beyond this are rendered, but not cached (portal.views.PlanDetailView): no cache flooding by page numbers.
MAX_CACHED_PAGE = 500


def statement_page_number(params) -> int:
    """Return the requested page of the statement list (`?seite=`); anything that is not a number is page 1."""
    raw = str(params.get("seite", "") or "")
    return int(raw) if raw.isdigit() and 0 < len(raw) <= 6 and int(raw) > 0 else 1


def plan_page_participation(*, plan: Plan, request: HttpRequest | None) -> dict[str, Any]:
    """Return what the plan page shows of participation: the open consultation and its form, statements, markers."""
    now = timezone.now()
    consultations = list(
        Consultation.objects.public().filter(plan=plan).order_by("start_date", "round").prefetch_related("actions")
    )
    for consultation in consultations:
        consultation.plan = plan  # reuse the page's plan (and its municipality) instead of refetching
    open_consultation = next((c for c in consultations if c.is_open_at(now)), None)
    started = [c for c in consultations if c.state_at(now) != Consultation.State.SCHEDULED]
    current = open_consultation or (started[-1] if started else None)
    form = None
    params = request.GET if request is not None else {}
    user = getattr(request, "user", None)
    citizen = None if request is None or (user is not None and user.is_authenticated) else citizen_identity(request)
    reply_to = None
    if open_consultation is not None:
        initial = {}
        if str(params.get("antwort", "")).isdigit():
            reply_to = (
                Statement.objects.published().filter(consultation=open_consultation, pk=int(params["antwort"])).first()
            )
            if reply_to is not None and reply_to.level < settings.COMMENTS_XTD_MAX_THREAD_LEVEL:
                initial["reply_to"] = reply_to.pk
            else:
                reply_to = None
        if str(params.get("abschnitt", "")).isdigit():  # "Abschnitt kommentieren" in a document's reading view
            initial["section"] = params["abschnitt"]
        form = StatementForm(open_consultation, user=user, citizen=citizen, initial=initial)
    topic = params.get("thema", "")
    order = params.get("sortierung", "neueste")
    topics = dict(Statement.Topic.choices)
    statements = list(
        Statement.objects.published()
        .filter(consultation__in=[c.pk for c in consultations])
        .select_related("feature__layer", "section")
        .order_by("thread_id", "order")
    )
    roots: list[Statement] = []
    children: dict[int, list[Statement]] = {}
    for statement in statements:
        if statement.level == 0:
            roots.append(statement)
        else:
            children.setdefault(statement.thread_id, []).append(statement)
    if topic in topics:
        roots = [s for s in roots if s.topic == topic]
    else:
        topic = ""
    roots.sort(key=lambda s: (s.submit_date, s.pk), reverse=(order != "aelteste"))
    order = "aelteste" if order == "aelteste" else "neueste"
    page = Paginator(roots, STATEMENTS_PER_PAGE).get_page(statement_page_number(params))
    threads = [{"statement": s, "replies": children.get(s.pk, [])} for s in page.object_list]
    list_key = _statement_list_key(threads, open_consultation)
    all_threads = [{"statement": s, "replies": []} for s in roots]
    markers_key = _statement_list_key(all_threads, open_consultation) + f":markers:{topic}:{order}"
    markers = cache.get(markers_key)
    if markers is None:
        markers = [
            {
                "id": s.pk,
                # A statement on another page of the list: its marker links there.
                "href": _page_url(index // STATEMENTS_PER_PAGE + 1, topic, order) + f"#stellungnahme-{s.pk}",
                "lat": round(s.location.y, 6),
                "lon": round(s.location.x, 6),
                "topic": s.get_topic_display(),
                "author": s.pseudonym,
                "date": formats.date_format(timezone.localtime(s.submit_date), "d.m.Y"),
                "text": s.comment[:200],
            }
            for index, s in enumerate(roots)
            if s.location is not None
        ]
        cache.set(markers_key, markers, settings.PARTICIPATION_STATEMENT_LIST_CACHE_SECONDS)
    return {
        "consultations": consultations,
        "consultation": current,
        "open_consultation": open_consultation,
        "form": form,
        "citizen": citizen,
        "bundid_enabled": bundid_enabled(),
        "reply_to": reply_to,
        "threads": threads,
        "count": len(roots),
        "markers": markers,
        "list_key": list_key,
        "topics": Statement.Topic.choices,
        "selected_topic": topic,
        "order": order,
        "page": page,
        "page_links": _page_links(page, topic, order),
    }


def _page_url(number: int, topic: str, order: str) -> str:
    """Return the query string of page `number` of the statement list with its filter (only what the cache knows)."""
    query = {"thema": topic, "sortierung": order if order != "neueste" else "", "seite": number if number > 1 else ""}
    encoded = urlencode({k: v for k, v in query.items() if v})
    return f"?{encoded}" if encoded else "?"


def _page_links(page, topic: str, order: str) -> list[dict[str, Any]]:
    """Return the statement list's page links: number, URL, whether current; None for a gap (…)."""
    if page.paginator.num_pages <= 1:
        return []
    links: list[dict[str, Any]] = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if number == page.paginator.ELLIPSIS:
            links.append({"gap": True})
        else:
            links.append({"number": number, "url": _page_url(number, topic, order), "current": number == page.number})
    return links


def statement_form_markers(form: StatementForm) -> tuple[str, str]:
    """Put markers into `form`'s per-visitor fields; return (content type, object pk) to fill them later."""
    for name in FORM_MARKERS:
        form.initial[name] = marker(name)
    return str(form.target_object._meta), str(form.target_object.pk)


def statement_form_values(target: tuple[str, str]) -> dict[str, str]:
    """Return a fresh form token, timestamp and security hash for the form of `target` (see statement_form_markers)."""
    content_type, object_pk = target
    timestamp = str(int(time.time()))
    # django_comments' hash ignores `self`: the same HMAC a freshly built form would carry.
    security_hash = StatementForm.generate_security_hash(None, content_type, object_pk, timestamp)
    return {"form_token": str(uuid.uuid4()), "timestamp": timestamp, "security_hash": security_hash}


def next_state_change(consultations, now: dt.datetime) -> dt.datetime | None:
    """Return the next moment after `now` at which one of `consultations` opens or closes."""
    moments = [m for c in consultations for m in (c.starts_at, c.ends_at) if m > now]
    return min(moments, default=None)


def _statement_list_key(threads, open_consultation) -> str:
    """Return a cache key from everything the statement list and its map markers show (any change, new key)."""
    parts = [translation.get_language(), timezone.get_current_timezone_name(), getattr(open_consultation, "pk", 0)]
    for thread in threads:
        for s in (thread["statement"], *thread["replies"]):
            parts.append(
                (
                    s.pk,
                    s.consultation_id,
                    s.level,
                    s.user_name,
                    s.is_official,
                    s.submit_date.isoformat(),
                    s.topic,
                    s.feature.layer.name if s.feature_id else None,
                    str(s.section) if s.section_id else None,
                    s.location.coords if s.location is not None else None,
                    s.comment,
                )
            )
        parts.append(None)  # thread boundary
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()
    return f"pb:statement-list:{digest}"
