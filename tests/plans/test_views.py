import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from plans.models import Plan
from tests.factories import ConsultationFactory, DocumentFactory, MunicipalityFactory, PlanFactory

pytestmark = pytest.mark.django_db


def test_start_page_lists_published_plans_only(client):
    plan = PlanFactory(title="Am Riedborn")
    PlanFactory(title="Geheimer Entwurf", status=Plan.Status.DRAFT)
    content = client.get(reverse("plans:map")).content.decode()
    assert "Am Riedborn" in content
    assert plan.get_absolute_url() in content
    assert "Geheimer Entwurf" not in content


def test_start_page_filters_without_javascript(client):
    plan = PlanFactory(title="Wohnen am Bach", kind=Plan.Kind.BPLAN)
    PlanFactory(title="Flächennutzung Nord", kind=Plan.Kind.FNP)
    content = client.get(reverse("plans:map"), {"art": "bplan"}).content.decode()
    assert plan.title in content
    assert "Flächennutzung Nord" not in content


def test_municipality_switcher_shown_with_several_municipalities(client):
    PlanFactory(municipality=MunicipalityFactory(name="Usingen"))
    PlanFactory(municipality=MunicipalityFactory(name="Neu-Anspach"))
    content = client.get(reverse("plans:map")).content.decode()
    assert 'name="gemeinde"' in content


def test_plan_detail_shows_documents_timeline_and_open_consultation(client):
    document = DocumentFactory(title="Begründung zum Entwurf")
    plan = document.plan
    plan.stage_changes.create(stage=Plan.Stage.INITIATED, date=dt.date(2025, 3, 1))
    end = timezone.localdate() + dt.timedelta(days=12)
    ConsultationFactory(plan=plan, end_date=end)
    response = client.get(plan.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert "Begründung zum Entwurf" in content
    assert "01.03.2025" in content
    assert f"Beteiligung läuft bis {end:%d.%m.%Y}, 24:00 Uhr (noch 12 Tage)" in content


def test_plan_detail_shows_scheduled_and_closed_states(client):
    plan = PlanFactory()
    today = timezone.localdate()
    ConsultationFactory(plan=plan, start_date=today + dt.timedelta(days=3), end_date=today + dt.timedelta(days=40))
    ConsultationFactory(
        plan=plan, kind="early", start_date=today - dt.timedelta(days=60), end_date=today - dt.timedelta(days=20)
    )
    content = client.get(plan.get_absolute_url()).content.decode()
    assert f"beginnt am {today + dt.timedelta(days=3):%d.%m.%Y}" in content
    assert f"beendet am {today - dt.timedelta(days=20):%d.%m.%Y}" in content


def test_draft_plan_page_is_404(client):
    plan = PlanFactory(status=Plan.Status.DRAFT)
    assert client.get(plan.get_absolute_url()).status_code == 404


def test_document_download_serves_pdf_of_published_plan_only(client):
    document = DocumentFactory()
    url = reverse("plans:document", args=[document.plan.municipality.slug, document.plan.slug, document.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    document.plan.status = Plan.Status.DRAFT
    document.plan.save()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["imprint", "privacy", "accessibility", "easy_language"])
def test_legal_pages_per_municipality(client, name):
    municipality = MunicipalityFactory(
        imprint="Impressumstext", privacy="Datenschutztext", accessibility="BITV-Text", easy_language="Leichter Text"
    )
    response = client.get(reverse(f"plans:{name}", args=[municipality.slug]))
    assert response.status_code == 200
    text = {
        "imprint": "Impressumstext",
        "privacy": "Datenschutztext",
        "accessibility": "BITV-Text",
        "easy_language": "Leichter Text",
    }[name]
    assert text in response.content.decode()


def test_pages_send_strict_csp_with_nonce(client):
    plan = PlanFactory()
    response = client.get(plan.get_absolute_url())
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_english_translation_is_available(client):
    PlanFactory()
    response = client.get(reverse("plans:map"), HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="en"' in response.content.decode()
    assert "Skip to content" in response.content.decode()
