"""Actions on the sections of plan texts (Begründung, textliche Festsetzungen, Umweltbericht), and their reads.

Sections are read from the PDF by a task after upload (`extract_document_sections`, see plans.sections);
staff add, edit, delete and reorder them. Re-reading replaces only the automatically found sections;
one that staff edited counts as theirs from then on. Every action asks `rules.require(by, "manage", …)`.
"""

import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import Document, DocumentSection, Plan
from .sections import SectionReadError, read_sections
from .tasks import extract_sections

logger = logging.getLogger(__name__)

SECTION_KINDS = (Document.Kind.JUSTIFICATION, Document.Kind.TEXT_PROVISIONS, Document.Kind.ENVIRONMENTAL_REPORT)
AUTOMATIC = (DocumentSection.Source.OUTLINE, DocumentSection.Source.HEADINGS)
EDITABLE = ("number", "title", "level", "page")
MAX_LEVEL = 6


def schedule_section_extraction(document: Document) -> bool:
    """Queue reading the sections of `document` once the transaction commits, if its kind has sections."""
    if document.kind not in SECTION_KINDS:
        return False
    document_id = document.pk
    transaction.on_commit(lambda: extract_sections.enqueue(document_id))
    return True


def document_sections_refresh(*, document: Document, by) -> None:
    """Queue reading the sections of `document` again ("neu einlesen"); staff-made sections stay."""
    rules.require(by, "manage", document.plan.municipality)
    if not document.is_current:
        raise ValidationError(
            _("Nur die aktuelle Fassung eines Dokuments kann neu eingelesen werden."), code="document_not_current"
        )
    document_id = document.pk
    transaction.on_commit(lambda: extract_sections.enqueue(document_id))


def extract_document_sections(*, document: Document, by) -> int:
    """Read the sections of `document`'s PDF and replace its automatically found ones; return how many were found.

    A section found again (same number and title) keeps its row, so statements referring to it keep the reference.
    """
    rules.require(by, "manage", document.plan.municipality)
    try:
        with document.file.open("rb") as file:
            source, found = read_sections(file)
    except (SectionReadError, OSError) as exc:
        raise ValidationError(
            _("Das Inhaltsverzeichnis der PDF-Datei konnte nicht gelesen werden."), code="pdf_unreadable"
        ) from exc
    with transaction.atomic():
        Document.objects.select_for_update().filter(pk=document.pk).first()  # one reading at a time per document
        sections = list(DocumentSection.objects.filter(document=document))
        automatic = {(s.number, s.title): s for s in sections if s.source in AUTOMATIC}
        keep = []
        for position, item in enumerate(found):
            section = automatic.pop((item.number, item.title), None) or DocumentSection(document=document)
            section.number, section.title, section.level = item.number, item.title, min(item.level, MAX_LEVEL)
            section.page, section.text, section.source, section.order = item.page, item.text, source, position
            section.save()
            keep.append(section.pk)
        for section in automatic.values():
            section.delete()
        staff = [s for s in sections if s.source == DocumentSection.Source.STAFF]
        for position, section in enumerate(staff, start=len(found)):
            if section.order != position:
                section.order = position
                section.save(update_fields=["order"])
    logger.info("document %s: %s sections read (%s)", document.pk, len(found), source)
    return len(found)


def _clean_fields(fields: dict) -> dict:
    """Return the editable fields of a section, stripped and checked (errors keyed by field, with codes)."""
    errors: dict[str, ValidationError] = {}
    cleaned: dict = {
        "number": str(fields.get("number") or "").strip(),
        "title": " ".join(str(fields.get("title") or "").split()),
        "level": fields.get("level") or 1,
        "page": fields.get("page") or None,
    }
    if not cleaned["title"]:
        errors["title"] = ValidationError(_("Bitte geben Sie die Überschrift an."), code="required")
    for name, limit in (("number", 30), ("title", 300)):
        if len(cleaned[name]) > limit:
            errors[name] = ValidationError(
                _("Höchstens %(limit)d Zeichen."), code="max_length", params={"limit": limit}
            )
    if not isinstance(cleaned["level"], int) or not 1 <= cleaned["level"] <= MAX_LEVEL:
        errors["level"] = ValidationError(
            _("Die Ebene ist eine Zahl von 1 bis %(max)d."), code="invalid_level", params={"max": MAX_LEVEL}
        )
    if cleaned["page"] is not None and (not isinstance(cleaned["page"], int) or cleaned["page"] < 1):
        errors["page"] = ValidationError(_("Die Seite ist eine Zahl ab 1."), code="invalid_page")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_current(document: Document) -> None:
    if not document.is_current:
        raise ValidationError(
            _("Abschnitte lassen sich nur bei der aktuellen Fassung eines Dokuments ändern."),
            code="document_not_current",
        )


@transaction.atomic
def section_create(*, document: Document, by, **fields) -> DocumentSection:
    """Add a section by hand at the end of `document`'s sections."""
    rules.require(by, "manage", document.plan.municipality)
    _check_current(document)
    cleaned = _clean_fields(fields)
    highest = document.sections.aggregate(highest=Max("order"))["highest"]
    return DocumentSection.objects.create(
        document=document,
        order=0 if highest is None else highest + 1,
        source=DocumentSection.Source.STAFF,
        **cleaned,
    )


@transaction.atomic
def section_update(*, section: DocumentSection, by, **fields) -> DocumentSection:
    """Change a section's number, title, level or page; an edited section is kept when the PDF is read again."""
    rules.require(by, "manage", section.document.plan.municipality)
    _check_current(section.document)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"section_update() cannot change {sorted(unknown)}.")
    cleaned = _clean_fields({name: getattr(section, name) for name in EDITABLE} | fields)
    if all(getattr(section, name) == value for name, value in cleaned.items()):
        return section
    for name, value in cleaned.items():
        setattr(section, name, value)
    section.source = DocumentSection.Source.STAFF
    section.save()
    return section


@transaction.atomic
def section_delete(*, section: DocumentSection, by) -> None:
    """Delete a section; statements that referred to it keep their text, without the reference."""
    rules.require(by, "manage", section.document.plan.municipality)
    _check_current(section.document)
    section.delete()


@transaction.atomic
def section_reorder(*, document: Document, by, order: Iterable[int]) -> None:
    """Set the order of `document`'s sections to the given list of their ids."""
    rules.require(by, "manage", document.plan.municipality)
    _check_current(document)
    order = list(order)
    sections = {s.pk: s for s in document.sections.all()}
    if sorted(order) != sorted(sections):
        raise ValidationError(
            _("Die neue Reihenfolge muss jeden Abschnitt des Dokuments genau einmal enthalten."),
            code="order_mismatch",
        )
    for position, pk in enumerate(order):
        if sections[pk].order != position:
            sections[pk].order = position
            sections[pk].save(update_fields=["order"])


@transaction.atomic
def document_sections_save(
    *, document: Document, by, changed: dict, deleted: Iterable[int], added: list[dict], order: list[int]
) -> None:
    """Apply one edit of the sections page: changes by id, deletions, additions, then the order of the rest.

    `order` lists the kept section ids in their new order; added sections go to the end.
    """
    rules.require(by, "manage", document.plan.municipality)
    sections = {s.pk: s for s in document.sections.select_for_update()}
    deleted = set(deleted)
    if not (set(changed) | deleted) <= set(sections):
        raise ValidationError(_("Dieser Abschnitt gehört nicht zu diesem Dokument."), code="foreign_section")
    for pk in deleted:
        section_delete(section=sections.pop(pk), by=by)
    for pk, fields in changed.items():
        if pk in sections:
            section_update(section=sections[pk], by=by, **fields)
    section_reorder(document=document, by=by, order=[pk for pk in order if pk in sections])
    for fields in added:
        section_create(document=document, by=by, **fields)


# Reads


def plan_sections(plan: Plan):
    """Return the sections of `plan`'s current documents, in document and section order."""
    return (
        DocumentSection.objects.filter(document__in=plan.documents.current())
        .select_related("document")
        .order_by("document__order", "document_id", "order", "id")
    )


def plan_section_choices(plan: Plan) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return the sections a statement on `plan` may refer to, grouped by document: [(title, [(id, label)])]."""
    groups: dict[int, tuple[str, list[tuple[str, str]]]] = {}
    for section in plan_sections(plan).only("id", "number", "title", "document__title", "document__order"):
        groups.setdefault(section.document_id, (section.document.title, []))[1].append((str(section.pk), str(section)))
    return list(groups.values())


def plan_section(plan_id: int, pk) -> DocumentSection | None:
    """Return section `pk` if it belongs to a current document of plan `plan_id`, else None."""
    if not str(pk).isdigit():
        return None
    return (
        DocumentSection.objects.filter(
            pk=int(pk),
            document__plan_id=plan_id,
            document__online_until__isnull=True,
            document__withdrawn_at__isnull=True,
        )
        .select_related("document")
        .first()
    )
