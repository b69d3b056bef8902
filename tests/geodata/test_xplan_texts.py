"""Text sections of XPlanGML (BP_TextAbschnitt) become sections of a generated document that statements refer to."""

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from geodata.models import Feature
from geodata.services import xplan_import
from participation.models import Statement
from plans.models import Document, DocumentSection, Plan
from plans.rules import SYSTEM
from plans.section_services import section_create
from tests.factories import ConsultationFactory, MunicipalityFactory, square
from tests.participation.test_views import form_data

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data" / "xplan"
TEXTS = DATA / "bplan_texte_6_0.gml"


@pytest.fixture
def usingen(db):
    return MunicipalityFactory(name="Stadt Usingen", slug="usingen", ags="06434011", boundary=square(8.45, 50.28, 0.2))


def json_script(page: str, element_id: str):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', page, re.S)
    assert match, element_id
    return json.loads(match.group(1))


def imported(path=TEXTS) -> Plan:
    return Plan.objects.get(pk=xplan_import(by=SYSTEM, path=path).plan_id)


def test_text_sections_become_a_document_with_sections_and_a_readable_pdf(usingen):
    plan = imported()
    document = Document.objects.get(plan=plan, kind=Document.Kind.TEXT_PROVISIONS)
    assert document.title == "Textliche Festsetzungen (aus XPlanGML)" and document.is_current
    sections = list(document.sections.order_by("order"))
    assert [(s.number, s.key, s.source) for s in sections] == [
        ("1.1", "GML_text_1_1", "xplan"),
        ("1.2", "GML_text_1_2", "xplan"),
        ("2.1", "GML_text_2_1", "xplan"),
    ]
    assert sections[1].title == "Höhe baulicher Anlagen"
    assert sections[0].legal_basis == "BauNVO § 4 Abs. 3"
    assert sections[0].text.endswith("Anlagen für Verwaltungen sind nur ausnahmsweise zulässig.")
    assert "\n\n" in sections[0].text  # paragraphs kept
    assert all(s.page == 1 for s in sections)
    with document.file.open("rb") as handle:
        reader = PdfReader(handle)
        text = "".join(page.extract_text() for page in reader.pages)
        assert "Textliche Festsetzung 1.2: Höhe baulicher Anlagen" in text
        assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged PDF (PDF/UA)
        assert reader.metadata.title.startswith("Textliche Festsetzungen (aus XPlanGML)")


def test_features_keep_their_text_references_and_the_plan_page_links_the_sections(client, usingen):
    plan = imported()
    plan.status, plan.published_at = Plan.Status.PUBLISHED, timezone.now()
    plan.save()
    wa = Feature.objects.get(source_id="GML_wa_nord")
    assert wa.properties["refTextInhalt"] == ["#GML_text_1_1", "#GML_text_1_2"]
    section = DocumentSection.objects.get(key="GML_text_1_2")
    page = client.get(plan.get_absolute_url()).content.decode()
    links = json_script(page, "plan-text-sections")
    read = reverse("plans:document_read", args=[plan.municipality.slug, plan.slug, section.document_id])
    assert links["#GML_text_1_2"] == {
        "id": section.pk,
        "label": "Textliche Festsetzung 1.2: Höhe baulicher Anlagen",
        "url": f"{read}#abschnitt-{section.pk}",
        "comment": f"{plan.get_absolute_url()}?abschnitt={section.pk}#stellungnahme-abgeben",
    }
    assert set(links) == {"#GML_text_1_1", "#GML_text_1_2", "#GML_text_2_1"}
    reading = client.get(read).content.decode()
    assert f'id="abschnitt-{section.pk}"' in reading and "Die Traufhöhe darf 7,50 m" in reading


def test_statement_form_lists_the_sections_and_stores_the_chosen_one(client, usingen):
    plan = imported()
    plan.status, plan.published_at = Plan.Status.PUBLISHED, timezone.now()
    plan.save()
    consultation = ConsultationFactory(plan=plan)
    section = DocumentSection.objects.get(key="GML_text_2_1")
    page = client.get(plan.get_absolute_url()).content.decode()
    assert '<optgroup label="Textliche Festsetzungen (aus XPlanGML)">' in page
    assert f'<option value="{section.pk}">2.1 Je angefangene 300 m² Grünfläche' in page
    # A feature's section is preselected through the link in its popup.
    page = client.get(plan.get_absolute_url() + f"?abschnitt={section.pk}").content.decode()
    assert f'<option value="{section.pk}" selected>' in page
    response = client.post(
        reverse("participation:statement_create", args=[consultation.pk]),
        form_data(consultation, section=str(section.pk), comment="Bitte mehr Bäume je Fläche.", topic="other"),
    )
    assert response.status_code == 302
    assert Statement.objects.get().section == section


def test_reimport_updates_sections_in_place_and_statements_keep_them(tmp_path, usingen):
    plan = imported()
    section = DocumentSection.objects.get(key="GML_text_1_2")
    note = section_create(document=section.document, by=SYSTEM, title="Hinweis der Verwaltung")
    changed = tmp_path / "plan.gml"
    changed.write_text(
        TEXTS.read_text(encoding="utf-8")
        .replace("Die Traufhöhe darf 7,50 m", "Die Traufhöhe darf 8,00 m")
        .replace('<xplan:texte xlink:href="#GML_text_2_1"/>', ""),
        encoding="utf-8",
    )
    text = changed.read_text(encoding="utf-8")
    start = text.index('<gml:featureMember>\n    <xplan:XP_TextAbschnitt gml:id="GML_text_2_1">')
    end = text.index("</gml:featureMember>", start) + len("</gml:featureMember>")
    changed.write_text(text[:start] + text[end:], encoding="utf-8")
    assert imported(changed) == plan
    document = Document.objects.get(plan=plan, kind=Document.Kind.TEXT_PROVISIONS)
    assert list(document.sections.values_list("key", flat=True)) == ["GML_text_1_1", "GML_text_1_2", ""]
    assert document.sections.last() == note  # added by staff: kept, after the file's sections
    section.refresh_from_db()
    assert "8,00 m" in section.text
    assert Document.objects.filter(plan=plan).count() == 1


def test_plan_without_text_sections_gets_no_document(tmp_path, usingen):
    shutil.copy(
        Path(__file__).resolve().parents[1] / "data" / "geodata" / "bplan_5_4_epsg25832.gml", tmp_path / "a.gml"
    )
    plan = imported(tmp_path / "a.gml")
    assert not plan.documents.exists()


def test_text_sections_are_read_from_a_zip_too(tmp_path, usingen):
    archive = tmp_path / "plan.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(TEXTS, "plan.gml")
    plan = imported(archive)
    assert plan.documents.get().sections.count() == 3
