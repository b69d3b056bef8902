"""Reads of the Abwägung's history: who changed what when, and a word diff of two versions of a response."""

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .models import Segment, Weighing

TRACKED = ("decision", "response", "state", "decided_on", "topic", "section", "feature", "organisation")
_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass
class Version:
    """One saved version of a weighing or segment, with what changed against the one before."""

    record: Any
    previous: Any
    changed: list[str] = field(default_factory=list)

    @property
    def who(self) -> str:
        user = self.record.history_user
        return (user.get_full_name() or user.get_username()) if user else _("System")

    @property
    def response_changed(self) -> bool:
        return "response" in self.changed


def _label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


def versions(instance: Weighing | Segment) -> list[Version]:
    """Return the versions of `instance`, newest first, each with the labels of the fields that changed."""
    records = list(instance.history.select_related("history_user").order_by("history_date", "history_id"))
    model = type(instance)
    tracked = [name for name in TRACKED if any(f.name == name for f in model._meta.fields)]
    result, previous = [], None
    for record in records:
        if previous is None:
            changed = [_("angelegt")]
        else:
            delta = record.diff_against(previous, included_fields=tracked)
            changed = [_label(model, change.field) for change in delta.changes]
        result.append(Version(record=record, previous=previous, changed=changed))
        previous = record
    return list(reversed(result))


def word_diff(old: str, new: str) -> SafeString:
    """Return `new` as HTML with the words removed since `old` in <del> and the added ones in <ins>."""
    before, after = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(before[a1:a2])))
            continue
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(''.join(before[a1:a2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(''.join(after[b1:b2]))}</ins>")
    return mark_safe("".join(parts))  # noqa: S308  # every piece of text is escaped above
