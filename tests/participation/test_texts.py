"""German wording on the plan page and in the citizen's mails (issue 13, part 9)."""

import datetime as dt

import pytest
from django.utils import timezone

from plans.models import Plan

from ..factories import ConsultationFactory, PlanFactory
from .test_views import post

pytestmark = pytest.mark.django_db


def test_closed_consultation_is_stated_in_a_proper_sentence(client):
    today = timezone.localdate()
    end = today - dt.timedelta(days=20)
    consultation = ConsultationFactory(start_date=today - dt.timedelta(days=60), end_date=end)
    page = client.get(consultation.plan.get_absolute_url()).content.decode()
    assert (
        "Derzeit können keine Stellungnahmen online abgegeben werden. "
        f"Die Beteiligung wurde am {end:%d.%m.%Y} beendet." in page
    )
    assert "werden. beendet am" not in page


def test_open_consultation_sentence_has_one_full_stop(client):
    consultation = ConsultationFactory(moderation="post")
    page = client.get(consultation.plan.get_absolute_url()).content.decode()
    assert f"Beteiligung läuft bis {consultation.end_date:%d.%m.%Y}, 24:00 Uhr (noch 30 Tage). Klicken Sie" in page


def test_confirmation_mail_names_the_plan_kind_with_article_and_quotes_once(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    plan = PlanFactory(kind=Plan.Kind.BPLAN, number="Nr. 64", title="Wohngebiet „Am Riedborn“")
    consultation = ConsultationFactory(plan=plan, moderation="post")
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, consultation).status_code == 302
    (mail,) = mailoutbox
    assert "eine Stellungnahme zum Bebauungsplan Nr. 64 Wohngebiet „Am Riedborn“ abgegeben." in mail.body
    assert "zum Plan" not in mail.body and "„Nr." not in mail.body


def test_confirmation_mail_for_a_public_project(client, mailoutbox, django_capture_on_commit_callbacks):
    plan = PlanFactory(kind=Plan.Kind.PUBLIC_PROJECT, number="", title="Neue Kita")
    consultation = ConsultationFactory(plan=plan, moderation="post")
    with django_capture_on_commit_callbacks(execute=True):
        post(client, consultation)
    assert "eine Stellungnahme zum öffentlichen Bauvorhaben „Neue Kita“ abgegeben." in mailoutbox[0].body
