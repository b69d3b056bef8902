"""The private "Meine Stellungnahme" page: status, published result, withdrawal, erasure request, PDF receipt."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from participation.models import CitizenRequest, Statement
from participation.my_statement import my_statement_path, my_statement_token
from participation.receipts import reference_number
from participation.workbench import services as workbench
from participation.workbench.models import Decision, Weighing
from participation.workbench.selectors import weighed_statements
from plans.models import Membership
from plans.rules import SYSTEM
from tests.factories import ConsultationFactory, MembershipFactory, StatementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def statement():
    return StatementFactory(consultation=ConsultationFactory(moderation="post"), comment="Mehr Bäume an der Straße.")


def _closed_statement():
    today = timezone.localdate()
    consultation = ConsultationFactory(
        start_date=today - dt.timedelta(days=60),
        end_date=today - dt.timedelta(days=20),
        bekanntmachung_date=today - dt.timedelta(days=70),
    )
    consultation.plan.municipality.council_body = "Stadtverordnetenversammlung"
    consultation.plan.municipality.save()
    return StatementFactory(
        consultation=consultation, submit_date=timezone.now() - dt.timedelta(days=40), comment="Zu wenig Parkplätze."
    )


def test_page_shows_text_reference_status_and_is_private(client, statement):
    response = client.get(my_statement_path(statement))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mehr Bäume an der Straße." in page and reference_number(statement) in page
    assert "Aktueller Stand: <strong>Bestätigt</strong>" in page
    assert "Stellungnahme zurückziehen" in page and "Art. 17 DSGVO" in page and "Verfahrensakte" in page
    assert response["Referrer-Policy"] == "same-origin" and "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex, nofollow">' in page


def test_forged_or_foreign_token_is_not_found(client, statement):
    assert client.get(reverse("plans:my_statement", args=[f"{statement.pk}:forged"])).status_code == 404
    authority = StatementFactory(consultation=statement.consultation, channel=Statement.Channel.AUTHORITY)
    assert client.get(my_statement_path(authority)).status_code == 404


def test_unconfirmed_statement_is_only_received_and_has_no_receipt(client, statement):
    statement.confirmed_at = None
    statement.save()
    page = client.get(my_statement_path(statement)).content.decode()
    assert "Aktueller Stand: <strong>Eingegangen</strong>" in page and "noch nicht bestätigt" in page
    assert client.get(reverse("plans:my_statement_receipt", args=[my_statement_token(statement)])).status_code == 404


def test_confirmed_statement_has_a_pdf_receipt(client, statement):
    response = client.get(reverse("plans:my_statement_receipt", args=[my_statement_token(statement)]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and reference_number(statement) in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]


def test_withdrawal_marks_unpublishes_logs_and_leaves_the_abwaegung(client, statement):
    token = my_statement_token(statement)
    response = client.post(reverse("plans:my_statement_withdraw", args=[token]), follow=True)
    page = response.content.decode()
    assert "Ihre Stellungnahme ist zurückgezogen" in page and "Zurückgezogen am" in page
    statement.refresh_from_db()
    assert statement.withdrawn_at is not None and not statement.is_public
    assert CitizenRequest.objects.get(statement=statement).kind == CitizenRequest.Kind.WITHDRAW
    assert not weighed_statements(statement.consultation).filter(pk=statement.pk).exists()
    assert (
        "Mehr Bäume an der Straße." not in client.get(statement.consultation.plan.get_absolute_url()).content.decode()
    )
    # A second attempt changes nothing and says why.
    again = client.post(reverse("plans:my_statement_withdraw", args=[token]), follow=True).content.decode()
    assert "bereits zurückgezogen" in again and CitizenRequest.objects.count() == 1


def test_withdrawal_after_the_period_is_refused(client):
    statement = _closed_statement()
    page = client.get(my_statement_path(statement)).content.decode()
    assert "kann nicht mehr zurückgezogen werden" in page and "Stellungnahme zurückziehen</button>" not in page
    response = client.post(reverse("plans:my_statement_withdraw", args=[my_statement_token(statement)]), follow=True)
    assert "Die Beteiligung ist beendet" in response.content.decode()
    statement.refresh_from_db()
    assert statement.withdrawn_at is None and not CitizenRequest.objects.exists()


def test_erasure_of_a_weighed_statement_is_logged_and_deferred(client, statement):
    response = client.post(reverse("plans:my_statement_erasure", args=[my_statement_token(statement)]), follow=True)
    assert "Ihr Antrag ist vermerkt" in response.content.decode()
    statement.refresh_from_db()
    assert statement.erasure_requested_at is not None and statement.user_email  # still needed for the result
    request = CitizenRequest.objects.get()
    assert (request.kind, request.outcome) == (CitizenRequest.Kind.ERASURE, CitizenRequest.Outcome.DEFERRED)


def test_erasure_after_withdrawal_removes_personal_data_at_once(client, statement):
    token = my_statement_token(statement)
    client.post(reverse("plans:my_statement_withdraw", args=[token]))
    response = client.post(reverse("plans:my_statement_erasure", args=[token]), follow=True)
    assert "sind gelöscht" in response.content.decode()
    statement.refresh_from_db()
    assert (statement.user_name, statement.user_email, statement.ip_address) == ("", "", None)
    assert statement.personal_data_purged_at is not None
    assert statement.comment == "Mehr Bäume an der Straße."  # the text stays in the procedure file
    assert CitizenRequest.objects.filter(outcome=CitizenRequest.Outcome.DONE).count() == 2


def test_page_shows_the_decision_only_once_the_result_is_published(client, django_capture_on_commit_callbacks):
    statement = _closed_statement()
    consultation = statement.consultation
    workbench.weighings_ensure(consultation=consultation, by=SYSTEM)
    Weighing.objects.update(decision=Decision.CONSIDERED, response="Wir prüfen eine Tiefgarage.")
    page = client.get(my_statement_path(statement)).content.decode()
    assert "Aktueller Stand: <strong>In Abwägung</strong>" in page and "Tiefgarage" not in page
    with django_capture_on_commit_callbacks(execute=True):
        workbench.result_publish(
            consultation=consultation,
            by=SYSTEM,
            council_body="Stadtverordnetenversammlung",
            decided_on=consultation.end_date + dt.timedelta(days=3),
        )
    page = client.get(my_statement_path(statement)).content.decode()
    assert "Aktueller Stand: <strong>Ergebnis</strong>" in page and "Wir prüfen eine Tiefgarage." in page
    assert str(Decision.CONSIDERED.label) in page
    assert reverse("workbench:public_result", args=[consultation.pk]) in page
    # The result mail links to the same page.
    assert any(f"http://testserver{my_statement_path(statement)}" in message.body for message in mail.outbox)


def test_staff_see_citizens_requests_on_the_consultation_page(client, statement):
    client.post(reverse("plans:my_statement_withdraw", args=[my_statement_token(statement)]))
    moderator = MembershipFactory(
        municipality=statement.consultation.plan.municipality, role=Membership.Role.MODERATOR
    ).user
    client.force_login(moderator)
    page = client.get(reverse("participation:staff_detail", args=[statement.consultation.pk])).content.decode()
    assert "Anliegen von Einsendenden" in page and "Stellungnahme zurückgezogen" in page


def test_a_withdrawn_statement_is_never_published_again(client, statement, django_capture_on_commit_callbacks):
    from participation.services import confirmation_token, statement_moderate

    statement.confirmed_at, statement.is_public = None, False
    statement.save()
    client.post(reverse("plans:my_statement_withdraw", args=[my_statement_token(statement)]))
    assert client.post(reverse("participation:confirm", args=[confirmation_token(statement)])).status_code == 302
    statement.refresh_from_db()
    assert statement.confirmed_at is not None and not statement.is_public
    assert not Statement.objects.awaiting_moderation().filter(pk=statement.pk).exists()
    statement_moderate(statement=statement, by=SYSTEM, action="approve")
    statement.refresh_from_db()
    assert not statement.is_public and not Statement.objects.published().filter(pk=statement.pk).exists()
