from django import template

from ..labels import channel_label as _channel_label
from ..models import ConsultationResult

register = template.Library()


@register.filter
def channel_label(value):
    """Return the display label of a statement channel value."""
    return _channel_label(value)


@register.simple_tag
def consultation_result_url(consultation) -> str:
    """Return the public result page's URL of `consultation` if staff published it, else ''."""
    from django.urls import reverse

    published = ConsultationResult.objects.filter(consultation=consultation, published_at__isnull=False).exists()
    return reverse("workbench:public_result", args=[consultation.pk]) if published else ""
