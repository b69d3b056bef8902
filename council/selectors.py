"""Reads for the plan page and the staff pages: a plan's council decisions, paper search."""

import dataclasses
import datetime as dt

from django.db.models import Prefetch, Q, QuerySet

from plans.models import Plan

from .matching import decisive_item
from .models import AgendaItem, OParlSource, Paper, StageLink

SEARCH_LIMIT = 25


@dataclasses.dataclass(frozen=True)
class Decision:
    """A council decision on a plan stage as the plan page shows it."""

    link_id: int
    stage: str
    stage_label: str
    date: dt.datetime | None
    bodies: list[str]
    result: str
    cancelled: bool
    meeting_url: str
    reference: str
    name: str
    web_url: str
    files: list[dict]


def _links(plan: Plan) -> QuerySet[StageLink]:
    items = AgendaItem.objects.select_related("meeting").prefetch_related("meeting__organizations")
    return (
        StageLink.objects.filter(plan=plan)
        .select_related("paper")
        .prefetch_related(
            Prefetch("paper__agenda_items", queryset=items),
            Prefetch("agenda_item", queryset=items),
        )
    )


def decision_of(link: StageLink) -> Decision:
    """Return what the plan page shows of `link`: the meeting of its agenda item, or of the paper's decisive one."""
    item = (
        link.agenda_item if link.agenda_item is not None and not link.agenda_item.deleted else decisive_item(link.paper)
    )
    meeting = item.meeting if item is not None else None
    paper = link.paper
    return Decision(
        link_id=link.pk,
        stage=link.stage,
        stage_label=str(link.get_stage_display()),
        date=meeting.start if meeting else None,
        bodies=[o.name for o in meeting.organizations.all() if not o.deleted] if meeting else [],
        result=item.result if item is not None and item.public else "",  # nichtöffentlich: no result shown
        cancelled=bool(meeting and meeting.cancelled),
        meeting_url=meeting.web_url if meeting else "",
        reference=paper.reference,
        name=paper.name,
        web_url=paper.web_url,
        files=paper.files,
    )


def plan_decisions(plan: Plan) -> list[Decision]:
    """Return the confirmed decisions on `plan`'s stages whose paper still exists, by meeting date."""
    links = _links(plan).filter(status=StageLink.Status.CONFIRMED, paper__deleted=False)
    decisions = [decision_of(link) for link in links]
    return sorted(decisions, key=lambda d: (d.date is None, d.date or dt.datetime.min.replace(tzinfo=dt.UTC)))


def plan_links(plan: Plan) -> dict[str, list[tuple[StageLink, Decision]]]:
    """Return the plan's suggested and confirmed links, each with its decision."""
    found: dict[str, list[tuple[StageLink, Decision]]] = {"suggested": [], "confirmed": []}
    for link in _links(plan).exclude(status=StageLink.Status.REJECTED).order_by("stage", "-paper__date"):
        found[link.status].append((link, decision_of(link)))
    return found


def source_of(plan: Plan) -> OParlSource | None:
    """Return the OParl source of the plan's municipality, if it has one."""
    return OParlSource.objects.filter(municipality_id=plan.municipality_id).first()


def paper_search(source: OParlSource, query: str) -> list[Paper]:
    """Return up to SEARCH_LIMIT papers of `source` whose title or reference (Drucksache) contains `query`."""
    query = query.strip()
    if not query:
        return []
    papers = (
        Paper.objects.filter(source=source, deleted=False)
        .filter(Q(name__icontains=query) | Q(reference__icontains=query))
        .prefetch_related(
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.filter(deleted=False).select_related("meeting").order_by("meeting__start"),
            )
        )
        .order_by("-date", "reference")
    )
    return list(papers[:SEARCH_LIMIT])
