"""Background tasks of the plans app (django_tasks); services are imported inside the task (no cycle)."""

from django.core.exceptions import ValidationError
from django_tasks import task


@task()
def extract_sections(document_id: int) -> str:
    """Read the sections of document `document_id` from its PDF (after upload or on "neu einlesen")."""
    from . import rules
    from .models import Document
    from .section_services import extract_document_sections

    document = Document.objects.select_related("plan__municipality").filter(pk=document_id).first()
    if document is None:
        return "gone"
    try:
        return str(extract_document_sections(document=document, by=rules.SYSTEM))
    except ValidationError:
        return "unreadable"
