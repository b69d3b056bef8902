"""Text blocks (Textbausteine): placeholders, rendering, the services that write blocks and record their use.

Placeholders in a block's text, replaced when the block is inserted into a response:

    {plan}        the plan's title
    {plan_nummer} the plan's number (e.g. "Nr. 64")
    {kommune}     the municipality's name
    {gremium}     the municipality's council body (Municipality.council_body)
    {datum}       today's date (dd.mm.yyyy)
    {frist_ende}  the consultation's last day (dd.mm.yyyy)

Any other ``{...}`` is refused when the block is saved. Replacement is plain text (no format
string evaluation); templates escape the result.

A use (TextBlockUse) is recorded when a response is *saved* still containing the inserted
block's rendered text, once per block and weighing (or group); an insertion that is removed
again before saving is not counted.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.models import Consultation, Statement
from plans import rules

from .access import require_review
from .models import StatementGroup, TextBlock, TextBlockUse, Weighing

PLACEHOLDERS = ("plan", "plan_nummer", "kommune", "gremium", "datum", "frist_ende")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def check_placeholders(text: str) -> None:
    """Raise a ValidationError naming each unknown placeholder in `text`."""
    unknown = sorted({name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            _("Unbekannter Platzhalter: %(names)s. Erlaubt sind: %(allowed)s.")
            % {
                "names": ", ".join("{" + name + "}" for name in unknown),
                "allowed": ", ".join("{" + name + "}" for name in PLACEHOLDERS),
            },
            code="unknown_placeholder",
        )


def placeholder_values(consultation: Consultation) -> dict[str, str]:
    """Return each placeholder's value for answers in `consultation`."""
    plan = consultation.plan
    return {
        "plan": plan.title,
        "plan_nummer": plan.number,
        "kommune": plan.municipality.name,
        "gremium": plan.municipality.council_body,
        "datum": timezone.localdate().strftime("%d.%m.%Y"),
        "frist_ende": consultation.end_date.strftime("%d.%m.%Y"),
    }


def render(text: str, values: dict[str, str]) -> str:
    """Return `text` with its known placeholders replaced by `values` (unknown ones are left as they are)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def blocks_for(consultation: Consultation, topic: str = ""):
    """Return the municipality's blocks, those of `topic` first, then general ones, then other topics."""
    blocks = list(TextBlock.objects.filter(municipality=consultation.plan.municipality))
    rank = {topic: 0, "": 1} if topic else {"": 0}
    return sorted(blocks, key=lambda b: (rank.get(b.topic, 2), b.topic, b.title.lower(), b.pk))


def blocks_with_use_counts(municipality):
    """Return the municipality's blocks annotated with `use_count`."""
    return TextBlock.objects.filter(municipality=municipality).annotate(use_count=Count("uses"))


def _clean(title: str, text: str, topic: str) -> None:
    errors = {}
    if not title.strip():
        errors["title"] = ValidationError(_("Bitte geben Sie einen Titel an."), code="required")
    if not text.strip():
        errors["text"] = ValidationError(_("Bitte geben Sie den Text des Bausteins an."), code="required")
    else:
        try:
            check_placeholders(text)
        except ValidationError as error:
            errors["text"] = error
    if topic and topic not in Statement.Topic.values:
        errors["topic"] = ValidationError(_("Unbekanntes Thema."), code="invalid_choice")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def text_block_create(*, municipality, by, title: str, text: str, topic: str = "") -> TextBlock:
    """Create a text block of `municipality`."""
    rules.require(by, "manage", municipality)
    _clean(title, text, topic)
    return TextBlock.objects.create(municipality=municipality, title=title.strip(), text=text, topic=topic)


@transaction.atomic
def text_block_update(*, block: TextBlock, by, title: str, text: str, topic: str = "") -> TextBlock:
    """Change a text block's title, text and topic."""
    rules.require(by, "manage", block.municipality)
    _clean(title, text, topic)
    block.title, block.text, block.topic = title.strip(), text, topic
    block.save()
    return block


@transaction.atomic
def text_block_delete(*, block: TextBlock, by) -> None:
    """Delete a text block (its use records go with it)."""
    rules.require(by, "manage", block.municipality)
    block.delete()


def parse_block_ids(value: str) -> list[int]:
    """Return the ids in a comma-separated list (the form's hidden field), ignoring anything else."""
    return [int(part) for part in (value or "").split(",") if part.strip().isdigit()]


@transaction.atomic
def text_block_uses_record(
    *,
    consultation: Consultation,
    by,
    block_ids: list[int],
    response: str,
    weighing: Weighing | None = None,
    group: StatementGroup | None = None,
    segment=None,
) -> int:
    """Record the blocks of `block_ids` whose rendered text `response` contains; return how many were new.

    The planning office, or the assignee of an open assignment of `weighing` (an external reviewer).
    """
    if weighing is not None:
        require_review(by, weighing, segment)
    else:
        rules.require(by, "manage", consultation.plan.municipality)
    values = placeholder_values(consultation)
    blocks = TextBlock.objects.filter(municipality=consultation.plan.municipality, pk__in=block_ids)
    created = 0
    for block in blocks:
        if render(block.text, values).strip() not in response:
            continue
        _use, new = TextBlockUse.objects.get_or_create(
            block=block, weighing=weighing, group=group, defaults={"by": rules.user_or_none(by)}
        )
        created += new
    return created
