"""Suggest links between council papers and plan stages: the plan's number in the paper's title.

A plan numbered "Nr. 12/3" matches "Bebauungsplan Nr. 12/3 „Am Bach“ – Satzungsbeschluss",
"B-Plan 12/3" or "Nr.12 / 3", but not "Nr. 12/34" or "Nr. 123". The stage is guessed from the
decision the title names; staff confirm or reject every suggestion (docs/oparl.md).
"""

import re

from django.db import transaction

from plans import rules
from plans.models import Plan

from .models import OParlSource, Paper, StageLink

# The number proper of a plan number: digits, an optional letter, and further parts after / . or -.
NUMBER = re.compile(r"\d+[a-z]?(?:\s*[/.\-]\s*\d+[a-z]?)*", re.IGNORECASE)
# What may stand before a plan number in a paper's title.
PREFIX = (
    r"(?:nr\.?|nummer|b-?plan(?:es|s)?|bebauungsplan(?:es|s)?|bplan|fnp|"
    r"flächennutzungsplan(?:es|s)?|vep|vorhaben-?\s*und\s*erschließungsplan(?:es|s)?)"
)

# First match wins: a title naming several decisions is about the later one it leads to
# ("Abwägung und Satzungsbeschluss" is the Satzungsbeschluss).
STAGE_WORDS: list[tuple[str, str]] = [
    (r"einstellung|aufhebung des aufstellungsbeschlusses", Plan.Stage.DISCONTINUED),
    (r"satzungsbeschluss|feststellungsbeschluss|als satzung", Plan.Stage.ADOPTED),
    (r"aufstellungsbeschluss|aufstellung", Plan.Stage.INITIATED),
    (r"erneute\w*\s+(?:veröffentlichung|offenlage|auslegung|beteiligung)", Plan.Stage.REPUBLICATION),
    (r"entwurf|veröffentlichung|offenlage|auslegung", Plan.Stage.PUBLICATION),
    (r"frühzeitig", Plan.Stage.EARLY_PARTICIPATION),
    (r"abwägung", Plan.Stage.WEIGHING),
    (r"genehmigung", Plan.Stage.APPROVED),
    (r"inkrafttreten|bekanntmachung", Plan.Stage.IN_FORCE),
]


def number_core(number: str) -> str:
    """Return the number proper of a plan number ('Nr. 12 / 3' → '12/3'), or '' if it has none."""
    found = NUMBER.search(number or "")
    return re.sub(r"\s+", "", found.group(0)).lower() if found else ""


def number_pattern(core: str) -> re.Pattern:
    """Return the pattern that finds plan number `core` after a prefix in a title."""
    parts = re.split(r"([/.\-])", core)
    body = "".join(r"\s*" + re.escape(part) + r"\s*" if part in "/.-" else re.escape(part) for part in parts)
    # Not followed by a further digit, letter or number part: "12" must not match "123", "12a" or "12/3".
    return re.compile(PREFIX + r"\s*(?:nr\.?\s*)?" + body + r"(?![0-9a-zäöüß])(?!\s*[/\-]\s*\d)(?!\.\d)", re.IGNORECASE)


def mentions_number(title: str, number: str) -> bool:
    """Return whether `title` names the plan number `number` (after 'Nr.', 'B-Plan', 'Bebauungsplan' …)."""
    core = number_core(number)
    return bool(core) and bool(number_pattern(core).search(title or ""))


def guess_stage(title: str, default: str) -> str:
    """Return the procedure step the paper `title` decides, or `default` if it names none."""
    text = (title or "").casefold()
    for words, stage in STAGE_WORDS:
        if re.search(words, text):
            return stage
    return default


def stage_links_suggest(*, source: OParlSource, by) -> int:
    """Suggest a stage link for every paper whose title names a plan's number; return how many are new."""
    rules.require(by, "manage", source.municipality)
    plans = [
        p for p in Plan.objects.filter(municipality=source.municipality).exclude(number="") if number_core(p.number)
    ]
    if not plans:
        return 0
    patterns = [(plan, number_pattern(number_core(plan.number))) for plan in plans]
    known = set(StageLink.objects.filter(plan__in=plans).values_list("plan_id", "paper_id"))
    created = 0
    with transaction.atomic():
        for paper in Paper.objects.filter(source=source, deleted=False).prefetch_related("agenda_items__meeting"):
            for plan, pattern in patterns:
                if (plan.pk, paper.pk) in known or not pattern.search(paper.name):
                    continue
                StageLink.objects.create(
                    plan=plan,
                    paper=paper,
                    agenda_item=decisive_item(paper),
                    stage=guess_stage(paper.name, plan.stage),
                    status=StageLink.Status.SUGGESTED,
                    created_by=rules.user_or_none(by),
                )
                known.add((plan.pk, paper.pk))
                created += 1
    return created


def decisive_item(paper: Paper):
    """Return the agenda item that decided `paper`: the latest meeting's, preferring one with a result."""
    items = [item for item in paper.agenda_items.all() if not item.deleted and not item.meeting.deleted]
    if not items:
        return None
    return max(items, key=lambda item: (bool(item.result), item.meeting.start is not None, item.meeting.start or 0))
