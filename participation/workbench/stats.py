"""Counts for the workbench and the PDF: per day over the period, per topic, per decision, per channel."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils.translation import gettext as _

from participation.models import Consultation, Statement
from participation.periods import local_date

from .labels import CHANNEL_CHOICES
from .models import Decision
from .selectors import weighed_statements


@dataclass
class Statistics:
    total: int = 0
    late: int = 0
    with_location: int = 0
    grouped: int = 0
    per_day: list[tuple[dt.date, int]] = field(default_factory=list)
    per_topic: list[tuple[str, int]] = field(default_factory=list)
    per_decision: list[tuple[str, int]] = field(default_factory=list)
    per_channel: list[tuple[str, int]] = field(default_factory=list)


def consultation_statistics(consultation: Consultation) -> Statistics:
    """Return the statistics of the weighed statements of `consultation`."""
    rows = (
        weighed_statements(consultation)
        .annotate(
            located=ExpressionWrapper(
                Q(location__isnull=False) | Q(drawn_area__isnull=False) | Q(drawn_line__isnull=False), BooleanField()
            )
        )
        .values_list(
            "received_on",
            "submit_date",
            "topic",
            "channel",
            "weighing__decision",
            "late",
            "located",
            "weighing__group_id",
        )
    )
    days, topics, decisions, channels = Counter[dt.date](), Counter[str](), Counter[str](), Counter[str]()
    stats = Statistics()
    for received_on, submit_date, topic, channel, decision, late, location, group_id in rows.iterator(chunk_size=2000):
        stats.total += 1
        stats.late += bool(late)
        stats.with_location += bool(location)
        stats.grouped += group_id is not None
        days[received_on or local_date(submit_date)] += 1
        topics[topic] += 1
        decisions[decision or ""] += 1
        channels[channel] += 1
    first = min([consultation.start_date, *days])
    last = max([consultation.end_date, *days])
    stats.per_day = [
        (first + dt.timedelta(days=i), days.get(first + dt.timedelta(days=i), 0))
        for i in range((last - first).days + 1)
    ]
    stats.per_topic = [(str(label), topics.get(value, 0)) for value, label in Statement.Topic.choices]
    stats.per_decision = [(str(label), decisions.get(value, 0)) for value, label in Decision.choices] + [
        (_("noch offen"), decisions.get("", 0))
    ]
    stats.per_channel = [(str(label), channels.get(value, 0)) for value, label in CHANNEL_CHOICES]
    return stats
