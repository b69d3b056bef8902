from django import template

from ..labels import channel_label as _channel_label

register = template.Library()


@register.filter
def channel_label(value):
    """Return the display label of a statement channel value."""
    return _channel_label(value)
