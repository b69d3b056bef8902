"""The plan page's procedure timeline: the recorded steps, each with the council decisions on it."""

import dataclasses
import datetime as dt
from collections import defaultdict

from django.utils import timezone

from council.selectors import Decision
from plans.models import Plan, StageChange


@dataclasses.dataclass
class TimelineEntry:
    """One step of the procedure: its date, name, note and the council decisions taken on it."""

    date: dt.date | None
    label: str
    note: str = ""
    decisions: list[Decision] = dataclasses.field(default_factory=list)


def procedure_timeline(changes: list[StageChange], decisions: list[Decision]) -> list[TimelineEntry]:
    """Return the steps by date; a decision joins the last recorded change of its stage, or is a step of its own."""
    entries = [TimelineEntry(change.date, str(change.get_stage_display()), change.note) for change in changes]
    last_of_stage = {change.stage: entry for change, entry in zip(changes, entries, strict=True)}
    own: dict[str, TimelineEntry] = defaultdict(lambda: TimelineEntry(None, ""))
    for decision in decisions:
        entry = last_of_stage.get(decision.stage)
        if entry is None:
            entry = own[decision.stage]
            entry.label = str(Plan.Stage(decision.stage).label)
            if entry.date is None and decision.date is not None:
                entry.date = timezone.localdate(decision.date)
        entry.decisions.append(decision)
    entries.extend(own.values())
    return sorted(entries, key=lambda e: (e.date is None, e.date or dt.date.min))
