"""Display labels for the statement channel.

`Statement.Channel.POST` is labelled with the bare msgid "Post", which Django's own German
catalogue translates as "Abschicken" (the verb); the workbench uses a message context.
"""

from django.utils.translation import pgettext_lazy

from participation.models import Statement

CHANNEL_LABELS = {
    Statement.Channel.ONLINE: pgettext_lazy("Eingangsweg", "Online"),
    Statement.Channel.POST: pgettext_lazy("Eingangsweg", "Post"),
    Statement.Channel.EMAIL: pgettext_lazy("Eingangsweg", "E-Mail"),
    Statement.Channel.IN_PERSON: pgettext_lazy("Eingangsweg", "Persönlich / zur Niederschrift"),
}
CHANNEL_CHOICES = list(CHANNEL_LABELS.items())


def channel_label(value: str) -> str:
    """Return the display label of a channel value."""
    return str(CHANNEL_LABELS.get(value, value))
