"""Render the textliche Festsetzungen read from an XPlanGML file as an accessible, tagged PDF (PDF/UA)."""

from django.template.loader import render_to_string

from .models import Plan


def render_text_provisions_pdf(*, plan: Plan, title: str, sections: list[dict], source_name: str) -> tuple[bytes, list]:
    """Return the PDF of `sections` (dicts with number, title, text, legal_basis) and each section's page (1-based)."""
    # Imported here: WeasyPrint takes ~3 s to import, which every process importing the section services would pay.
    from weasyprint import HTML

    items = [
        dict(section, paragraphs=[p.strip() for p in (section.get("text") or "").split("\n\n") if p.strip()])
        for section in sections
    ]
    html = render_to_string(
        "plans/pdf/text_provisions.html",
        {"plan": plan, "title": title, "sections": items, "source_name": source_name},
    )
    document = HTML(string=html).render()
    pages: list[int | None] = [None] * len(items)
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            if anchor.startswith("section-"):
                index = int(anchor.removeprefix("section-")) - 1
                if pages[index] is None:
                    pages[index] = number
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=False), pages
