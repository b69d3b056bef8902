"""A planner uploads a Begründung whose sections are read in the background and edits them; a citizen reads
the document section by section and comments on one, picking it with the keyboard."""

import pytest

from participation.models import Statement
from plans.models import DocumentSection

from ..factories import ConsultationFactory, MembershipFactory
from ..plans.pdfs import JUSTIFICATION_OUTLINE, JUSTIFICATION_PAGES, make_pdf
from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_sections_from_upload_to_a_statement(page):
    consultation = ConsultationFactory(moderation="post")
    plan = consultation.plan
    MembershipFactory(user__username="planerin", municipality=plan.municipality)
    page.goto(f"/verwaltung/anmelden/?next=/verwaltung/plaene/{plan.pk}/")
    page.fill("#id_username", "planerin")
    page.fill("#id_password", "secret-pass")
    page.click("input[type=submit]")
    page.wait_for_selector("#upload-form")
    page.fill("#id_title", "Begründung")
    page.select_option("#id_kind", "justification")
    pdf = make_pdf(JUSTIFICATION_PAGES, JUSTIFICATION_OUTLINE)
    page.set_input_files("#id_file", files=[{"name": "b.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector(".message--success")
    assert DocumentSection.objects.count() == 4

    document = plan.documents.get()
    page.click(f"a[href='/verwaltung/plaene/{plan.pk}/dokumente/{document.pk}/abschnitte/']")
    page.wait_for_selector("#sections-form")
    assert run_axe(page) == []
    page.get_by_label("Überschrift (Zeile 5)").fill("Hinweise")
    page.get_by_label("Nummer (Zeile 5)").fill("3")
    page.click("#sections-form button[type=submit]")
    page.wait_for_selector(".message--success")
    added = DocumentSection.objects.get(title="Hinweise")
    page.context.clear_cookies()

    page.goto(plan.get_absolute_url())
    page.click(f"a[href$='/dokumente/{document.pk}/lesen/']")
    page.wait_for_selector("h1:has-text('Begründung')")
    assert run_axe(page) == []
    assert "Festgesetzt wird ein allgemeines Wohngebiet." in page.inner_text("main")
    section = DocumentSection.objects.get(number="2.1")
    page.click(f"a[href$='?abschnitt={section.pk}#stellungnahme-abgeben']")
    page.wait_for_selector("#statement-form")
    assert page.input_value("#id_section") == str(section.pk)
    assert run_axe(page) == []

    page.focus("#id_section")
    page.keyboard.press("End")  # the last option: the section staff added
    assert page.input_value("#id_section") == str(added.pk)
    page.fill("#id_comment", "Bitte die Hinweise zum Lärmschutz ergänzen.")
    page.fill("#id_name", "Berta Browser")
    page.fill("#id_email", "berta@example.org")
    page.check("#id_privacy_consent")
    page.click("#statement-form button[type=submit]")
    page.wait_for_selector(".message--success")
    assert Statement.objects.get().section == added
    assert page.csp_violations == []
