"""Privacy over HTTP: the notice is acknowledged, publication is a separate opt-in, the Art. 13 page, the purge rule."""

import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from participation import services
from participation.models import Statement
from participation.services.purge import challenge_window_end
from plans.models import StageChange
from plans.rules import SYSTEM

from ..factories import ConsultationFactory, MembershipFactory, MunicipalityFactory, StatementFactory, UserFactory
from .test_views import form_data

pytestmark = pytest.mark.django_db


def submit(client, consultation, **overrides):
    return client.post(
        reverse("participation:statement_create", args=[consultation.pk]), form_data(consultation, **overrides)
    )


def confirm(client, mailoutbox):
    link = re.search(r"http://testserver(/beteiligung/bestaetigen/\S+/)", mailoutbox[-1].body).group(1)
    return client.post(link, follow=True)


def test_form_acknowledges_the_notice_and_offers_a_separate_opt_in(client):
    consultation = ConsultationFactory()
    page = client.get(consultation.plan.get_absolute_url()).content.decode()
    assert "Ich habe die Datenschutzhinweise zur Kenntnis genommen." in page
    assert "einverstanden" not in page
    assert 'name="public_opt_in"' in page and "Kürzel (z. B. Erika M.)" in page
    assert 'id="id_public_opt_in" checked' not in page  # never pre-ticked
    assert reverse("plans:privacy", args=[consultation.plan.municipality.slug]) in page


def test_without_opt_in_a_confirmed_statement_is_never_public(client, mailoutbox, django_capture_on_commit_callbacks):
    consultation = ConsultationFactory(moderation="post")
    data = form_data(consultation)
    del data["public_opt_in"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("participation:statement_create", args=[consultation.pk]), data)
    response = confirm(client, mailoutbox)
    assert "Sie wird nicht öffentlich angezeigt." in response.content.decode()
    statement = Statement.objects.get()
    assert statement.confirmed_at and statement.privacy_consent and not statement.public_opt_in
    assert not statement.is_public and not Statement.objects.published().exists()
    page = client.get(consultation.plan.get_absolute_url()).content.decode()
    assert "Die Zufahrt über den Riedweg ist zu eng." not in page and "Erika Mustermann" not in page
    assert "0 veröffentlichte Stellungnahmen" in page


def test_with_opt_in_the_statement_is_shown_with_its_pseudonym(client, mailoutbox, django_capture_on_commit_callbacks):
    consultation = ConsultationFactory(moderation="post")
    with django_capture_on_commit_callbacks(execute=True):
        submit(client, consultation)
    confirm(client, mailoutbox)
    statement = Statement.objects.get()
    assert statement.public_opt_in and statement.is_public
    page = client.get(consultation.plan.get_absolute_url()).content.decode()
    assert "Erika M." in page and "Mustermann" not in page


def test_missing_acknowledgement_is_refused_with_a_clear_message(client):
    consultation = ConsultationFactory()
    data = form_data(consultation)
    del data["privacy_consent"]
    response = client.post(reverse("participation:statement_create", args=[consultation.pk]), data)
    assert response.status_code == 400
    assert "dass Sie die Datenschutzhinweise zur Kenntnis genommen haben" in response.content.decode()
    assert not Statement.objects.exists()


def test_service_refuses_a_statement_without_acknowledgement():
    consultation = ConsultationFactory()
    with pytest.raises(Exception) as exc:
        services.statement_submit(
            consultation=consultation, text="Text", name="A B", email="a@example.org", privacy_consent=False
        )
    assert exc.value.error_dict["privacy_consent"][0].code == "privacy_consent_required"


def test_moderation_approval_respects_the_missing_opt_in(client):
    consultation = ConsultationFactory(moderation="pre")
    private = StatementFactory(consultation=consultation, public_opt_in=False, is_public=False, comment="Privat")
    opted_in = StatementFactory(consultation=consultation, public_opt_in=True, is_public=False, comment="Öffentlich")
    moderator = MembershipFactory(municipality=consultation.plan.municipality, role="moderator").user
    client.force_login(moderator)
    queue = client.get(reverse("participation:staff_moderation", args=[consultation.pk])).content.decode()
    assert "Veröffentlichung mit Kürzel erlaubt" in queue
    assert list(Statement.objects.awaiting_moderation()) == [opted_in]  # nothing to approve for a private one
    for statement in (private, opted_in):
        client.post(reverse("participation:staff_moderate", args=[statement.pk]), {"action": "approve"})
    private.refresh_from_db()
    opted_in.refresh_from_db()
    assert not private.is_public and opted_in.is_public
    assert list(Statement.objects.published()) == [opted_in]
    client.logout()
    page = client.get(consultation.plan.get_absolute_url()).content.decode()
    assert "Öffentlich" in page and "Privat" not in page


def test_staff_see_that_a_statement_is_not_for_publication(client):
    consultation = ConsultationFactory(moderation="pre")
    StatementFactory(consultation=consultation, public_opt_in=False, is_public=False, flag_count=1)
    client.force_login(MembershipFactory(municipality=consultation.plan.municipality, role="moderator").user)
    queue = client.get(reverse("participation:staff_moderation", args=[consultation.pk])).content.decode()
    assert "nicht zur Veröffentlichung freigegeben" in queue


def test_official_answer_is_public_without_an_opt_in(client):
    consultation = ConsultationFactory(moderation="post")
    parent = StatementFactory(consultation=consultation)
    planner = MembershipFactory(municipality=consultation.plan.municipality).user
    result = services.statement_submit(
        consultation=consultation,
        text="Antwort der Stadt",
        user=planner,
        parent=parent,
        privacy_consent=True,
        official=True,
    )
    assert result.statement.public_opt_in and result.statement.is_public


def test_privacy_page_composes_the_art_13_notice(client):
    municipality = MunicipalityFactory(
        name="Stadt Usingen",
        privacy_controller="Magistrat der Stadt Usingen\nMarktplatz 1",
        privacy_officer="Datenschutzbeauftragte: dsb@usingen.example",
        privacy_recipients="Planungsbüro Beispiel GmbH",
        privacy_storage="Die Verfahrensakte wird dem Stadtarchiv angeboten.",
        council_body="Stadtverordnetenversammlung",
    )
    page = client.get(reverse("plans:privacy", args=[municipality.slug])).content.decode()
    for text in (
        "Magistrat der Stadt Usingen",
        "dsb@usingen.example",
        "Art. 6 Abs. 1 Buchst. e",
        "§ 3",
        "Planungsbüro Beispiel GmbH",
        "Stadtverordnetenversammlung",
        "§ 215 Abs. 1 BauGB",
        "§ 47 Abs. 2 VwGO",
        "Inkrafttreten",
        "Stadtarchiv",
        "Art. 15 DSGVO",
        "Art. 21 DSGVO",
        "Art. 77 DSGVO",
        "Der Hessische Beauftragte für Datenschutz und Informationsfreiheit",
        "weder gesetzlich noch vertraglich verpflichtet",
    ):
        assert text in page, text


def test_privacy_page_without_entries_says_what_is_missing(client):
    municipality = MunicipalityFactory(contact="Rathaus, Hauptstraße 1", privacy_authority="")
    page = client.get(reverse("plans:privacy", args=[municipality.slug])).content.decode()
    assert "Rathaus, Hauptstraße 1" in page  # the controller falls back to name and contact
    assert "noch nicht hinterlegt" in page
    assert "Der Hessische Beauftragte für Datenschutz" in page


def in_force(plan, on):
    StageChange.objects.create(plan=plan, stage="in_force", date=on)
    plan.stage = "in_force"
    plan.save()


def test_purge_counts_from_the_plans_inkrafttreten_not_from_the_consultations_end():
    long_ended = ConsultationFactory(start_date=dt.date(2020, 1, 6), end_date=dt.date(2020, 2, 14))
    not_in_force = StatementFactory(consultation=long_ended)  # ended six years ago, plan still in the procedure
    recent = ConsultationFactory(start_date=dt.date(2024, 1, 8), end_date=dt.date(2024, 2, 16))
    in_force(recent.plan, dt.date.today() - dt.timedelta(days=300))  # window still open
    within_window = StatementFactory(consultation=recent)
    old = ConsultationFactory(start_date=dt.date(2023, 1, 9), end_date=dt.date(2023, 2, 17))
    in_force(old.plan, dt.date(2024, 3, 1))
    past_window = StatementFactory(consultation=old, postal_address="Weg 1", ip_address="10.0.0.1")
    out = io.StringIO()
    call_command("purge_personal_data", stdout=out)
    assert "Personal data removed from 1 statements." in out.getvalue()
    for statement in (not_in_force, within_window, past_window):
        statement.refresh_from_db()
    assert not_in_force.user_email and within_window.user_email
    assert (past_window.user_name, past_window.user_email, past_window.postal_address, past_window.ip_address) == (
        "",
        "",
        "",
        None,
    )
    assert past_window.comment and past_window.pseudonym == "Bürger/in"


def test_purge_waits_for_the_last_day_of_the_window_and_the_grace_days():
    consultation = ConsultationFactory(start_date=dt.date(2024, 1, 8), end_date=dt.date(2024, 2, 16))
    in_force(consultation.plan, dt.date(2025, 3, 10))
    statement = StatementFactory(consultation=consultation)
    last_day = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)
    assert services.personal_data_purge(by=SYSTEM, at=last_day) == 0
    assert services.personal_data_purge(by=SYSTEM, at=last_day + dt.timedelta(days=1), older_than_days=30) == 0
    assert services.personal_data_purge(by=SYSTEM, at=last_day + dt.timedelta(days=1)) == 1
    statement.refresh_from_db()
    assert statement.user_email == ""


def test_plan_back_in_procedure_keeps_personal_data():
    consultation = ConsultationFactory(start_date=dt.date(2020, 1, 6), end_date=dt.date(2020, 2, 14))
    in_force(consultation.plan, dt.date(2021, 1, 4))
    # An ergänzendes Verfahren (§ 214 Abs. 4 BauGB) reopens the procedure: the plan is no longer "in force" here.
    StageChange.objects.create(plan=consultation.plan, stage="publication", date=dt.date(2022, 5, 2))
    consultation.plan.stage = "publication"
    consultation.plan.save()
    StatementFactory(consultation=consultation)
    assert services.personal_data_purge(by=SYSTEM) == 0


def test_purge_of_one_consultation_explains_why_not_yet():
    consultation = ConsultationFactory(start_date=dt.date(2024, 1, 8), end_date=dt.date(2024, 2, 16))
    StatementFactory(consultation=consultation)
    with pytest.raises(CommandError, match="nicht in Kraft getreten"):
        call_command("purge_personal_data", "--consultation", consultation.pk)
    in_force(consultation.plan, dt.date.today() - dt.timedelta(days=10))
    end = challenge_window_end(dt.date.today() - dt.timedelta(days=10))
    with pytest.raises(CommandError, match=f"Bis {end:%d.%m.%Y} können Fehler"):
        call_command("purge_personal_data", "--consultation", consultation.pk)
    with pytest.raises(Exception) as exc:
        services.personal_data_purge(by=SYSTEM, consultation=consultation)
    assert exc.value.code == "challenge_window_open"


def test_purge_is_refused_to_planners():
    from django.core.exceptions import PermissionDenied

    planner = MembershipFactory().user
    with pytest.raises(PermissionDenied):
        services.personal_data_purge(by=planner)
    with pytest.raises(PermissionDenied):
        services.personal_data_purge(by=UserFactory())


def test_window_end_of_a_leap_day():
    assert challenge_window_end(dt.date(2024, 2, 29)) == dt.date(2025, 3, 1)
    assert challenge_window_end(dt.date(2025, 6, 30)) == dt.date(2026, 6, 30)
