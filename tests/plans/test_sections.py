"""Sections of plan texts: read from a PDF's outline or headings, kept by the services, edited by staff."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from plans import rules, sections
from plans.models import Document, DocumentSection, Membership
from plans.section_services import (
    document_sections_save,
    extract_document_sections,
    section_create,
    section_reorder,
    section_update,
)
from plans.tasks import extract_sections
from tests.factories import DocumentFactory, MembershipFactory, PlanFactory, StatementFactory

from .pdfs import JUSTIFICATION_OUTLINE, JUSTIFICATION_PAGES, PROVISIONS_PAGES, make_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def planner(client):
    membership = MembershipFactory(role=Membership.Role.PLANNER)
    client.force_login(membership.user)
    return membership


@pytest.fixture
def document(planner):
    pdf = make_pdf(JUSTIFICATION_PAGES, JUSTIFICATION_OUTLINE)
    return DocumentFactory(
        plan=PlanFactory(municipality=planner.municipality), file=ContentFile(pdf, name="begruendung.pdf")
    )


def titles(document):
    return [(s.number, s.title, s.level) for s in document.sections.all()]


# Reading the PDF


def test_outline_gives_sections_with_numbers_levels_pages_and_text():
    source, found = sections.read_sections(io.BytesIO(make_pdf(JUSTIFICATION_PAGES, JUSTIFICATION_OUTLINE)))
    assert source == "outline"
    assert [(s.number, s.title, s.level, s.page) for s in found] == [
        ("1", "Anlass der Planung", 1, 2),
        ("2", "Planinhalt", 1, 3),
        ("2.1", "Art der baulichen Nutzung", 2, 3),
        ("2.2", "Maß der baulichen Nutzung", 2, 3),
    ]
    assert found[0].text.startswith("Die Stadt beschloss am 12.03.2024")
    assert found[2].text.startswith("Festgesetzt wird ein allgemeines Wohngebiet.")
    assert "Grundflächenzahl" not in found[2].text  # ends where 2.2 begins, on the same page
    assert "Grundflächenzahl" in found[3].text


def test_numbered_headings_without_outline_skip_dates_list_items_page_numbers_and_contents():
    source, found = sections.read_sections(io.BytesIO(make_pdf(JUSTIFICATION_PAGES)))
    assert source == "headings"
    # Not headings: the contents page ("…… 2", "Planinhalt 3"), "12.03.2024 …", "1. Januar 2024",
    # a sentence ("2 Stellplätze … nachzuweisen."), "- 3 -" and a number out of sequence ("5 Zufällige Zeile").
    assert [(s.number, s.title, s.level, s.page) for s in found] == [
        ("1", "Anlass der Planung", 1, 2),
        ("2", "Planinhalt", 1, 3),
        ("2.1", "Art der baulichen Nutzung", 2, 3),
        ("2.2", "Maß der baulichen Nutzung", 2, 3),
    ]
    assert "12.03.2024 Aufstellungsbeschluss" in found[0].text and "1. Januar 2024" in found[0].text
    assert found[2].text == "Festgesetzt wird ein allgemeines Wohngebiet.\n- 3 -"


def test_paragraph_headings_of_textliche_festsetzungen_skip_legal_references():
    source, found = sections.read_sections(io.BytesIO(make_pdf(PROVISIONS_PAGES)))
    assert [(s.number, s.title) for s in found] == [
        ("§ 1", "Art der baulichen Nutzung"),
        ("§ 2", "Maß der baulichen Nutzung"),
    ]
    assert "§ 9 Abs. 1 Nr. 1 BauGB" in found[0].text


def test_heading_rule_cases():
    pages = ["\n".join(["1.1 Lage im Raum", "1.2. Bestand", "1.2.1 Gebäude", "2 Ziele", "3 ziele klein", "4 Ende"])]
    assert [s.number for s in sections.heading_sections(pages)] == ["1.1", "1.2", "1.2.1", "2"]


def test_section_text_is_bounded(monkeypatch):
    monkeypatch.setattr(sections, "MAX_TEXT", 50)
    long_page = ["1 Einleitung"] + ["Ein langer Satz über die Planung."] * 20
    _source, found = sections.read_sections(io.BytesIO(make_pdf([long_page])))
    assert len(found[0].text) <= 52 and found[0].text.endswith("…")


def test_a_file_that_is_no_pdf_is_refused_with_a_code(document):
    document.file.save("kaputt.pdf", ContentFile(b"not a pdf at all"), save=True)
    with pytest.raises(ValidationError) as error:
        extract_document_sections(document=document, by=rules.SYSTEM)
    assert error.value.code == "pdf_unreadable"
    assert extract_sections.enqueue(document.pk).return_value == "unreadable"
    assert not document.sections.exists()


# Upload and re-reading


def test_uploading_a_begruendung_reads_its_sections_after_commit(client, planner, django_capture_on_commit_callbacks):
    plan = PlanFactory(municipality=planner.municipality)
    upload = SimpleUploadedFile("b.pdf", make_pdf(JUSTIFICATION_PAGES, JUSTIFICATION_OUTLINE), "application/pdf")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("plans:staff_document_upload", args=[plan.pk]),
            {"title": "Begründung", "kind": Document.Kind.JUSTIFICATION, "file": upload},
        )
    assert response.status_code == 302 and callbacks
    document = plan.documents.get()
    assert titles(document)[:2] == [("1", "Anlass der Planung", 1), ("2", "Planinhalt", 1)]
    assert {s.source for s in document.sections.all()} == {DocumentSection.Source.OUTLINE}


def test_uploading_a_drawing_reads_no_sections(client, planner, django_capture_on_commit_callbacks):
    plan = PlanFactory(municipality=planner.municipality)
    upload = SimpleUploadedFile("p.pdf", make_pdf(JUSTIFICATION_PAGES), "application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("plans:staff_document_upload", args=[plan.pk]),
            {"title": "Planzeichnung", "kind": Document.Kind.DRAWING, "file": upload},
        )
    assert not DocumentSection.objects.exists()


def test_a_new_version_gets_its_own_sections(client, planner, document, django_capture_on_commit_callbacks):
    extract_document_sections(document=document, by=rules.SYSTEM)
    upload = SimpleUploadedFile("tf.pdf", make_pdf(PROVISIONS_PAGES), "application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("plans:staff_document_replace", args=[document.plan.pk, document.pk]), {"file": upload})
    new = document.plan.documents.current().get()
    assert [s.number for s in new.sections.all()] == ["§ 1", "§ 2"]
    assert document.sections.count() == 4  # the earlier version keeps its sections (statements may refer to them)


def test_reading_again_replaces_only_automatic_sections_and_keeps_references(document):
    extract_document_sections(document=document, by=rules.SYSTEM)
    first = {s.number: s for s in document.sections.all()}
    statement = StatementFactory(consultation__plan=document.plan, section=first["2.1"])
    section_update(section=first["2"], by=rules.SYSTEM, title="Inhalt des Plans")
    own = section_create(document=document, by=rules.SYSTEM, number="9", title="Hinweise")
    document.file.save("neu.pdf", ContentFile(make_pdf(JUSTIFICATION_PAGES, JUSTIFICATION_OUTLINE)), save=True)

    assert extract_document_sections(document=document, by=rules.SYSTEM) == 4
    after = list(document.sections.all())
    assert [(s.number, s.title, s.source) for s in after] == [
        ("1", "Anlass der Planung", "outline"),
        ("2", "Planinhalt", "outline"),
        ("2.1", "Art der baulichen Nutzung", "outline"),
        ("2.2", "Maß der baulichen Nutzung", "outline"),
        ("2", "Inhalt des Plans", "staff"),
        ("9", "Hinweise", "staff"),
    ]
    assert after[2].pk == first["2.1"].pk and after[5].pk == own.pk
    statement.refresh_from_db()
    assert statement.section_id == first["2.1"].pk


def test_refresh_button_reads_the_pdf_again(client, planner, document, django_capture_on_commit_callbacks):
    url = reverse("plans:staff_document_sections_refresh", args=[document.plan.pk, document.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "wird neu eingelesen" in response.content.decode()
    assert document.sections.count() == 4


# Services


def test_services_refuse_another_municipality(document):
    stranger = MembershipFactory(role=Membership.Role.PLANNER).user
    moderator = MembershipFactory(municipality=document.plan.municipality, role=Membership.Role.MODERATOR).user
    for actor in (stranger, moderator):
        with pytest.raises(PermissionDenied):
            section_create(document=document, by=actor, title="Fremd")
        with pytest.raises(PermissionDenied):
            extract_document_sections(document=document, by=actor)
    assert not document.sections.exists()


def test_service_validation_codes(document):
    with pytest.raises(ValidationError) as error:
        section_create(document=document, by=rules.SYSTEM, number="1", title="  ", level=9)
    assert {k: [e.code for e in v] for k, v in error.value.error_dict.items()} == {
        "title": ["required"],
        "level": ["invalid_level"],
    }
    one = section_create(document=document, by=rules.SYSTEM, number="1", title="Eins")
    with pytest.raises(ValidationError) as error:
        section_reorder(document=document, by=rules.SYSTEM, order=[one.pk, one.pk])
    assert error.value.code == "order_mismatch"
    document.online_until = timezone.now()
    document.save()
    with pytest.raises(ValidationError) as error:
        section_create(document=document, by=rules.SYSTEM, title="Zu spät")
    assert error.value.code == "document_not_current"


def test_save_refuses_a_section_of_another_document(document):
    other = DocumentFactory(plan=document.plan)
    foreign = section_create(document=other, by=rules.SYSTEM, title="Fremd")
    with pytest.raises(ValidationError) as error:
        document_sections_save(document=document, by=rules.SYSTEM, changed={}, deleted=[foreign.pk], added=[], order=[])
    assert error.value.code == "foreign_section"
    assert DocumentSection.objects.filter(pk=foreign.pk).exists()


# Staff page


def formset_data(sections, extra=None):
    data = {"s-TOTAL_FORMS": str(len(sections) + 1), "s-INITIAL_FORMS": str(len(sections)), "s-MIN_NUM_FORMS": "0"}
    data["s-MAX_NUM_FORMS"] = "300"
    for index, row in enumerate([*sections, extra or {}]):
        for name, value in row.items():
            data[f"s-{index}-{name}"] = value
    return data


def rows(document):
    return [
        {"id": s.pk, "number": s.number, "title": s.title, "level": s.level, "page": s.page or "", "ORDER": i + 1}
        for i, s in enumerate(document.sections.all())
    ]


def test_staff_edit_delete_add_and_reorder_sections(client, planner, document):
    extract_document_sections(document=document, by=rules.SYSTEM)
    url = reverse("plans:staff_document_sections", args=[document.plan.pk, document.pk])
    page = client.get(url).content.decode()
    assert "Art der baulichen Nutzung" in page and "Aus der PDF-Datei neu einlesen" in page
    cockpit = client.get(reverse("plans:staff_plan", args=[document.plan.pk])).content.decode()
    assert url in cockpit

    data = rows(document)
    data[0]["title"] = "Anlass und Ziel der Planung"
    data[1]["DELETE"] = "on"
    data[2]["ORDER"], data[3]["ORDER"] = 4, 3
    response = client.post(url, formset_data(data, {"number": "3", "title": "Hinweise", "level": "1", "ORDER": ""}))
    assert response.status_code == 302
    assert titles(document) == [
        ("1", "Anlass und Ziel der Planung", 1),
        ("2.2", "Maß der baulichen Nutzung", 2),
        ("2.1", "Art der baulichen Nutzung", 2),
        ("3", "Hinweise", 1),
    ]
    assert [s.source for s in document.sections.all()] == ["staff", "outline", "outline", "staff"]


def test_staff_bad_row_shows_an_error_and_writes_nothing(client, planner, document):
    extract_document_sections(document=document, by=rules.SYSTEM)
    before = titles(document)
    url = reverse("plans:staff_document_sections", args=[document.plan.pk, document.pk])
    data = rows(document)
    data[0]["title"] = "Geändert"
    response = client.post(url, formset_data(data, {"number": "3", "title": "", "level": "1"}))
    assert response.status_code == 400
    assert "Bitte geben Sie die Überschrift an." in response.content.decode()
    data[0]["level"] = "1"
    response = client.post(url, formset_data(data, {"number": "3", "title": "Neu", "level": "12"}))
    assert response.status_code == 400
    assert titles(document) == before


def test_staff_pages_refuse_other_municipalities_and_moderators(client, document):
    plan = document.plan
    urls = [
        reverse("plans:staff_document_sections", args=[plan.pk, document.pk]),
        reverse("plans:staff_document_sections_refresh", args=[plan.pk, document.pk]),
    ]
    client.force_login(MembershipFactory(role=Membership.Role.PLANNER).user)
    for url in urls:
        assert client.get(url).status_code == 404
        assert client.post(url, formset_data([], {"title": "Fremd", "level": "1"})).status_code == 404
    client.force_login(MembershipFactory(municipality=plan.municipality, role=Membership.Role.MODERATOR).user)
    for url in urls:
        assert client.post(url, formset_data([], {"title": "Fremd", "level": "1"})).status_code == 403
    assert not document.sections.exists()
    # A document of another plan under this plan's URL is not found either.
    other = DocumentFactory()
    client.force_login(MembershipFactory(municipality=plan.municipality).user)
    assert client.get(reverse("plans:staff_document_sections", args=[plan.pk, other.pk])).status_code == 404
