"""Statements refer to a section of a plan text: the select on the plan page, the reading view, the checks."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from participation import services
from participation.models import Statement
from plans import rules
from plans.models import Plan
from plans.page_cache import plan_page_version
from plans.section_services import section_create

from ..factories import ConsultationFactory, DocumentFactory, PlanFactory
from ..plans.pdfs import make_pdf
from .test_views import form_data as shared_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation():
    return ConsultationFactory(moderation="post")


@pytest.fixture
def plan(consultation):
    return consultation.plan


@pytest.fixture
def texts(plan):
    """A Begründung with two sections and textliche Festsetzungen with one."""
    justification = DocumentFactory(plan=plan, title="Begründung", order=0)
    provisions = DocumentFactory(plan=plan, title="Textliche Festsetzungen", kind="provisions", order=1)
    return {
        "2": section_create(document=justification, by=rules.SYSTEM, number="2", title="Planinhalt"),
        "2.1": section_create(
            document=justification, by=rules.SYSTEM, number="2.1", title="Art der baulichen Nutzung", level=2
        ),
        "§ 1": section_create(document=provisions, by=rules.SYSTEM, number="§ 1", title="Art der Nutzung"),
    }


def form_data(consultation, **overrides):
    """The plan page's form data (tests/participation/test_views.py) with a text about a section."""
    return shared_form_data(
        consultation, **{"comment": "Die Gebäudehöhe in Abschnitt 2.1 ist zu hoch.", "topic": "other", **overrides}
    )


def post(client, consultation, **overrides):
    return client.post(
        reverse("participation:statement_create", args=[consultation.pk]), form_data(consultation, **overrides)
    )


def test_plan_page_offers_sections_grouped_by_document_and_preselects_one(client, plan, texts):
    page = client.get(plan.get_absolute_url()).content.decode()
    assert '<label for="id_section">Abschnitt (optional)</label>' in page
    assert '<optgroup label="Begründung">' in page and '<optgroup label="Textliche Festsetzungen">' in page
    assert f'<option value="{texts["2.1"].pk}">2.1 Art der baulichen Nutzung</option>' in page
    page = client.get(plan.get_absolute_url() + f"?abschnitt={texts['2.1'].pk}").content.decode()
    assert f'<option value="{texts["2.1"].pk}" selected>2.1 Art der baulichen Nutzung</option>' in page


def test_plan_page_without_sections_has_no_select(client, plan):
    DocumentFactory(plan=plan)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert 'name="section"' not in page and "Lesefassung" not in page


def test_submitted_statement_stores_its_section_and_the_list_shows_it(client, consultation, texts):
    response = post(client, consultation, section=str(texts["2.1"].pk))
    assert response.status_code == 302
    statement = Statement.objects.get()
    assert statement.section == texts["2.1"]
    statement.confirmed_at = statement.submit_date
    statement.is_public = True
    statement.save()
    page = client.get(consultation.plan.get_absolute_url()).content.decode()
    assert "zu Abschnitt 2.1 Art der baulichen Nutzung" in page


def test_section_of_another_plan_or_an_old_version_is_refused_and_nothing_stored(client, consultation, texts):
    foreign = section_create(document=DocumentFactory(), by=rules.SYSTEM, number="1", title="Fremd")
    for value in (str(foreign.pk), "abc", "999999"):
        response = post(client, consultation, section=value)
        assert response.status_code == 400
        assert (
            "Bitte wählen Sie einen Abschnitt aus den aktuellen Dokumenten dieses Plans." in response.content.decode()
        )
    old = texts["§ 1"].document
    old.online_until = timezone.now()
    old.save()
    assert post(client, consultation, section=str(texts["§ 1"].pk)).status_code == 400
    assert not Statement.objects.exists()


def test_the_service_refuses_a_foreign_section(consultation, texts):
    foreign = section_create(document=DocumentFactory(), by=rules.SYSTEM, title="Fremd")
    with pytest.raises(ValidationError) as error:
        services.statement_submit(
            consultation=consultation,
            text="Text",
            name="Erika",
            email="erika@example.org",
            section=foreign,
            privacy_consent=True,
            public_opt_in=True,
        )
    assert error.value.error_dict["section"][0].code == "foreign_section"
    assert not Statement.objects.exists()


def test_section_changes_make_the_cached_plan_page_stale(plan, texts):
    before = plan_page_version(plan.pk)
    section_create(document=texts["2"].document, by=rules.SYSTEM, title="Neu")
    assert plan_page_version(plan.pk) != before


# Reading view


def read_url(document):
    plan = document.plan
    return reverse("plans:document_read", args=[plan.municipality.slug, plan.slug, document.pk])


def test_reading_view_shows_sections_with_anchors_escaped_text_and_comment_links(client, plan, texts):
    section = texts["2.1"]
    section.text = "<script>alert('x')</script> Erster Absatz.\n\nZweiter Absatz."
    section.save()
    plan_page = client.get(plan.get_absolute_url()).content.decode()
    assert read_url(section.document) in plan_page and "Lesefassung" in plan_page
    response = client.get(read_url(section.document))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<h2 id="abschnitt-{texts["2"].pk}">2 Planinhalt</h2>' in html
    assert f'<h3 id="abschnitt-{section.pk}">2.1 Art der baulichen Nutzung</h3>' in html
    assert (
        "<script>alert" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Erster Absatz.</p>" in html
    )
    assert "<p>Zweiter Absatz.</p>" in html
    link = f"{plan.get_absolute_url()}?abschnitt={section.pk}#stellungnahme-abgeben"
    assert f'href="{link}"' in html and "Abschnitt kommentieren" in html
    assert 'name="section"' in client.get(link).content.decode()


def test_reading_view_without_open_consultation_has_no_comment_links(client, texts):
    plan = PlanFactory()
    document = DocumentFactory(plan=plan)
    section_create(document=document, by=rules.SYSTEM, number="1", title="Anlass")
    html = client.get(read_url(document)).content.decode()
    assert "1 Anlass" in html and "Abschnitt kommentieren" not in html


def test_reading_view_only_for_current_documents_of_published_plans(client, plan, texts):
    document = texts["2"].document
    url = read_url(document)
    assert client.get(url).status_code == 200
    other = PlanFactory()
    assert client.get(url.replace(f"/{plan.municipality.slug}/", f"/{other.municipality.slug}/")).status_code == 404
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.WITHDRAWN)
    assert client.get(url).status_code == 404
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.PUBLISHED)
    document.withdrawn_at = timezone.now()
    document.online_until = timezone.now()
    document.save()
    assert client.get(url).status_code == 404


def test_reading_view_of_extracted_pdf(client, plan):
    from plans.section_services import extract_document_sections

    from ..plans.pdfs import JUSTIFICATION_OUTLINE, JUSTIFICATION_PAGES

    document = DocumentFactory(
        plan=plan, file=ContentFile(make_pdf(JUSTIFICATION_PAGES, JUSTIFICATION_OUTLINE), "b.pdf")
    )
    extract_document_sections(document=document, by=rules.SYSTEM)
    html = client.get(read_url(document)).content.decode()
    assert "Festgesetzt wird ein allgemeines Wohngebiet." in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html


def test_cached_plan_page_shows_new_sections_and_a_preselection(client, settings, plan, texts):
    settings.PLAN_PAGE_CACHE = "on"
    settings.PLAN_PAGE_CACHE_SECONDS = 600
    for _ in range(2):  # the first request only learns the plan's id; the second stores the rendering
        client.get(plan.get_absolute_url())
    assert client.get(plan.get_absolute_url())["X-Page-Cache"] == "hit"
    new = section_create(document=texts["2"].document, by=rules.SYSTEM, number="3", title="Hinweise")
    response = client.get(plan.get_absolute_url())
    assert (
        response["X-Page-Cache"] == "miss"
        and f'<option value="{new.pk}">3 Hinweise</option>' in response.content.decode()
    )
    response = client.get(plan.get_absolute_url() + f"?abschnitt={new.pk}")
    assert response["X-Page-Cache"] == "bypass"
    assert f'<option value="{new.pk}" selected>3 Hinweise</option>' in response.content.decode()
