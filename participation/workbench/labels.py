"""Display labels for the statement channel (the model choices carry the message context)."""

from participation.models import Statement

CHANNEL_LABELS = dict(Statement.Channel.choices)
CHANNEL_CHOICES = list(CHANNEL_LABELS.items())


def channel_label(value: str) -> str:
    """Return the display label of a channel value."""
    return str(CHANNEL_LABELS.get(value, value))


def person_label(user) -> str:
    """Return a user's full name, else the user name (for selects and lists of assignees)."""
    return user.get_full_name() or user.get_username()
