"""Text sections read from XPlanGML (XP_/BP_/FP_TextAbschnitt) as the plan's document of textliche Festsetzungen.

geodata's XPlanGML import calls `xplan_text_document_save`; the plan page links a feature's
`refTextInhalt` to the sections through `xplan_section_links`.
"""

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
from .section_services import plan_sections
from .text_provisions import render_text_provisions_pdf


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
