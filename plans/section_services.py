"""Actions on the sections of plan texts (Begründung, textliche Festsetzungen, Umweltbericht), and their reads.

Sections are read from the PDF by a task after upload (`extract_document_sections`, see plans.sections);
staff add, edit, delete and reorder them. Re-reading replaces only the automatically found sections;
one that staff edited counts as theirs from then on. Every action asks `rules.require(by, "manage", …)`.
"""

import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import Document, DocumentSection, Plan
from .sections import SectionReadError, read_sections
from .tasks import extract_sections
from .text_provisions import render_text_provisions_pdf

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


def xplan_text_document_title() -> str:
    return gettext("Textliche Festsetzungen (aus XPlanGML)")


def xplan_text_document(plan: Plan) -> Document | None:
    """Return the plan's current document of text sections read from XPlanGML, or None."""
    return (
        plan.documents.current()
        .filter(kind=Document.Kind.TEXT_PROVISIONS, sections__source=DocumentSection.Source.XPLAN)
        .order_by("pk")
        .first()
        or plan.documents.current()
        .filter(kind=Document.Kind.TEXT_PROVISIONS, title=xplan_text_document_title())
        .order_by("pk")
        .first()
    )


def _xplan_fields(item: dict) -> dict:
    """Return the stored fields of one text section read from XPlanGML, checked."""
    key = str(item.get("key") or "").strip()
    if not key or len(key) > 200:
        raise ValidationError(_("Ein Textabschnitt hat keine gültige gml:id."), code="invalid_section_key")
    text = str(item.get("text") or "").strip()
    title = " ".join(str(item.get("title") or "").split())[:300]
    return {
        "key": key,
        "number": " ".join(str(item.get("number") or "").split())[:30],
        "title": title or key[:300],
        "text": text,
        "legal_basis": " ".join(str(item.get("legal_basis") or "").split())[:300],
    }


@transaction.atomic
def xplan_text_document_save(*, plan: Plan, by, sections: list[dict], source_name: str) -> Document | None:
    """Make the plan's text sections from XPlanGML a document of textliche Festsetzungen with one section each.

    `sections` are dicts with key (the gml:id), number (schluessel), title, text and legal_basis. The
    document "Textliche Festsetzungen (aus XPlanGML)" is created, or updated in place on a re-import:
    sections are matched by their key, so statements referring to one keep the reference; sections no
    longer in the file are deleted. Its PDF is generated (tagged, PDF/UA). Without sections an existing
    document is withdrawn; returns the document, or None if there is none.
    """
    rules.require(by, "manage", plan.municipality)
    items = [_xplan_fields(item) for item in sections]
    keys = [item["key"] for item in items]
    if len(set(keys)) != len(keys):
        raise ValidationError(_("Zwei Textabschnitte haben dieselbe gml:id."), code="duplicate_section_key")
    document = xplan_text_document(plan)
    if document is not None:
        document = Document.objects.select_for_update().get(pk=document.pk)
    if not items:
        if document is not None:
            document.withdrawn_at = document.online_until = timezone.now()
            document.withdrawn_reason = gettext("Die neue XPlanGML-Datei enthält keine textlichen Festsetzungen.")
            document.save(update_fields=["withdrawn_at", "withdrawn_reason", "online_until"])
        return None
    # Sections staff added by hand (no key) stay, after the file's sections.
    existing = {s.key: s for s in document.sections.exclude(key="")} if document is not None else {}
    unchanged = set(existing) == set(keys) and all(
        all(getattr(existing[item["key"]], name) == value for name, value in item.items()) for item in items
    )
    if document is not None and unchanged and document.file:
        return document
    title = document.title if document is not None else xplan_text_document_title()
    pdf, pages = render_text_provisions_pdf(plan=plan, title=title, sections=items, source_name=source_name)
    if document is None:
        document = Document(
            plan=plan,
            title=title,
            kind=Document.Kind.TEXT_PROVISIONS,
            order=_next_document_order(plan),
            uploaded_by=rules.user_or_none(by),
        )
    document.file.save(f"textliche-festsetzungen-{plan.slug}.pdf", ContentFile(pdf), save=False)
    document.save()
    for position, (item, page) in enumerate(zip(items, pages, strict=True)):
        section = existing.pop(item["key"], None) or DocumentSection(document=document, key=item["key"])
        for name, value in item.items():
            setattr(section, name, value)
        section.page, section.order, section.level = page, position, 1
        section.source = DocumentSection.Source.XPLAN
        section.save()
    for section in existing.values():
        section.delete()
    for position, section in enumerate(document.sections.filter(key="").order_by("order", "pk"), start=len(items)):
        if section.order != position:
            section.order = position
            section.save(update_fields=["order"])
    return document


def _next_document_order(plan: Plan) -> int:
    highest = plan.documents.current().aggregate(highest=Max("order"))["highest"]
    return 0 if highest is None else highest + 1


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


def xplan_section_links(plan: Plan) -> dict[str, dict]:
    """Return the plan's text sections from XPlanGML by their reference ("#<gml:id>"): label and links.

    `url` opens the section in the reading view, `comment` the plan page with the section preselected.
    """
    links = {}
    sections = plan_sections(plan).filter(source=DocumentSection.Source.XPLAN).exclude(key="")
    args = [plan.municipality.slug, plan.slug]
    for section in sections:
        label = gettext("Textliche Festsetzung %(number)s: %(title)s") % {
            "number": section.number,
            "title": section.title,
        }
        links["#" + section.key] = {
            "id": section.pk,
            "label": " ".join(label.split()),
            "url": reverse("plans:document_read", args=[*args, section.document_id]) + f"#abschnitt-{section.pk}",
            "comment": plan.get_absolute_url() + f"?abschnitt={section.pk}#stellungnahme-abgeben",
        }
    return links


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
