from django import template

from ..labels import channel_label as _channel_label
from ..models import ConsultationResult

register = template.Library()


@register.filter
def channel_label(value):
    """Return the display label of a statement channel value."""
    return _channel_label(value)


ATTACHMENT_KINDS = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
}


@register.filter
def attachment_kind(content_type: str) -> str:
    """Return a short file type name (PDF, JPEG, …) for a content type, else the content type itself."""
    return ATTACHMENT_KINDS.get(content_type, content_type)


@register.simple_tag
def consultation_result_url(consultation) -> str:
    """Return the public result page's URL of `consultation` if staff published it, else ''."""
    from django.urls import reverse

    published = ConsultationResult.objects.filter(consultation=consultation, published_at__isnull=False).exists()
    return reverse("workbench:public_result", args=[consultation.pk]) if published else ""
