"""Display labels for the statement channel (the model choices carry the message context)."""

from participation.models import Statement

CHANNEL_LABELS = dict(Statement.Channel.choices)
CHANNEL_CHOICES = list(CHANNEL_LABELS.items())


def channel_label(value: str) -> str:
    """Return the display label of a channel value."""
    return str(CHANNEL_LABELS.get(value, value))
