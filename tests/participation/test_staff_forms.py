"""Staff forms: create a consultation within the period law, edit it before the start, record the Bekanntmachung."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from participation.models import Consultation

from ..factories import ConsultationFactory, DocumentFactory, MembershipFactory, PlanFactory

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.localdate().year + 1


@pytest.fixture
def planner_plan(client):
    plan = PlanFactory()
    client.force_login(MembershipFactory(municipality=plan.municipality).user)
    return plan


def form_data(**overrides):
    data = {
        "kind": "publication",
        "round": "1",
        "title": "Entwurf",
        "start_date": f"{NEXT_YEAR}-03-01",
        "end_date": f"{NEXT_YEAR}-03-31",
        "moderation": "pre",
        "access_routes": "Auslegung im Rathaus, Zimmer 12",
        "contact": "Frau Muster",
    }
    data.update(overrides)
    return data


def test_create_form_refuses_1_to_30_march_naming_31_march(client, planner_plan):
    url = reverse("participation:staff_create", args=[planner_plan.pk])
    page = client.get(url).content.decode()
    assert 'name="start_date"' in page and 'aria-describedby="id_end_date_helptext"' in page
    response = client.post(url, form_data(end_date=f"{NEXT_YEAR}-03-30"))
    assert response.status_code == 200
    text = response.content.decode()
    assert f"Frühestes zulässiges Ende: 31.03.{NEXT_YEAR}." in text
    assert 'id="id_end_date_error"' in text and 'aria-invalid="true"' in text
    assert not Consultation.objects.exists()


def test_create_form_accepts_1_to_31_march(client, planner_plan):
    url = reverse("participation:staff_create", args=[planner_plan.pk])
    response = client.post(url, form_data())
    consultation = Consultation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "participation:staff_detail", args=[consultation.pk]
    )
    assert (consultation.start_date, consultation.end_date, consultation.plan) == (
        dt.date(NEXT_YEAR, 3, 1),
        dt.date(NEXT_YEAR, 3, 31),
        planner_plan,
    )
    assert consultation.actions.get().kind == "schedule"
    detail = client.get(response["Location"]).content.decode()
    assert "Noch nicht erfasst" in detail  # the Bekanntmachung is still missing


def test_create_form_republication_shorter_needs_reason(client, planner_plan):
    url = reverse("participation:staff_create", args=[planner_plan.pk])
    data = form_data(kind="republication", round="2", end_date=f"{NEXT_YEAR}-03-14")
    response = client.post(url, data)
    assert response.status_code == 200 and "§ 4a Abs. 3 BauGB" in response.content.decode()
    assert client.post(url, {**data, "reason": "Nur die Baugrenze geändert"}).status_code == 302
    assert Consultation.objects.get().short_period_reason == "Nur die Baugrenze geändert"


def test_edit_before_start_and_not_after(client, planner_plan):
    consultation = ConsultationFactory(
        plan=planner_plan, start_date=dt.date(NEXT_YEAR, 3, 1), end_date=dt.date(NEXT_YEAR, 3, 31)
    )
    url = reverse("participation:staff_update", args=[consultation.pk])
    page = client.get(url).content.decode()
    assert f'value="{NEXT_YEAR}-03-31"' in page and 'name="kind"' not in page
    data = form_data(start_date=f"{NEXT_YEAR}-03-15", end_date=f"{NEXT_YEAR}-04-13")
    del data["kind"], data["round"]
    response = client.post(url, data)
    assert f"Frühestes zulässiges Ende: 14.04.{NEXT_YEAR}." in response.content.decode()
    response = client.post(url, {**data, "end_date": f"{NEXT_YEAR}-04-14"})
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.end_date == dt.date(NEXT_YEAR, 4, 14) and consultation.contact == "Frau Muster"
    running = ConsultationFactory(plan=planner_plan)
    response = client.get(reverse("participation:staff_update", args=[running.pk]), follow=True)
    assert "bereits begonnen" in response.content.decode()


def test_bekanntmachung_form_prefills_the_draft_and_shows_on_plan_page(client, planner_plan):
    DocumentFactory(plan=planner_plan, title="Umweltbericht", kind="environmental")
    consultation = ConsultationFactory(
        plan=planner_plan,
        start_date=dt.date(NEXT_YEAR, 3, 1),
        end_date=dt.date(NEXT_YEAR, 3, 31),
        bekanntmachung_date=None,
        access_routes="Auslegung im Rathaus",
    )
    url = reverse("participation:staff_bekanntmachung", args=[consultation.pk])
    page = client.get(url).content.decode()
    assert f"01.03.{NEXT_YEAR} bis 31.03.{NEXT_YEAR}" in page and "Umweltbericht" in page
    assert "unberücksichtigt bleiben" in page and "<legend>" in page
    response = client.post(url, {"date": f"{NEXT_YEAR}-02-20", "text": "Amtliche Bekanntmachung"})
    assert response.status_code == 200 and 'id="id_media_error"' in response.content.decode()
    assert not consultation.actions.exists()
    response = client.post(
        url, {"date": f"{NEXT_YEAR}-02-20", "media": ["gazette", "notice_board"], "text": "Amtliche Bekanntmachung"}
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.bekanntmachung_media == ["gazette", "notice_board"]
    assert consultation.actions.get().kind == "bekanntmachung"
    public = client.get(planner_plan.get_absolute_url()).content.decode()
    assert "Amtliche Bekanntmachung" in public and f"bekannt gemacht am 20.02.{NEXT_YEAR}" in public
    assert "Amtsblatt, Aushang (Bekanntmachungstafel)" in public and "Bekanntmachung erfasst" in public


def test_publication_without_bekanntmachung_stays_closed_on_its_start(client, planner_plan):
    today = timezone.localdate()
    consultation = ConsultationFactory(
        plan=planner_plan, start_date=today, end_date=today + dt.timedelta(days=60), bekanntmachung_date=None
    )
    planner_plan.status, planner_plan.published_at = "published", timezone.now()
    planner_plan.save()
    page = client.get(planner_plan.get_absolute_url()).content.decode()
    assert 'id="statement-form"' not in page and "sobald die Bekanntmachung erfasst ist" in page
    assert not consultation.is_open_at()
