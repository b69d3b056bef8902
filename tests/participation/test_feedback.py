"""Feedback to submitters: success message and reference number, errors on the plan page, resend, text limit."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from participation.forms import StatementForm
from participation.models import Statement
from participation.my_statement import my_statement_path
from participation.receipts import reference_number
from participation.services.citizen import RESEND_LIMIT

from ..factories import ConsultationFactory, StatementFactory
from .test_views import form_data, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation():
    return ConsultationFactory(moderation="pre")


def _submit(client, consultation, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        return post(client, consultation, **overrides)


def test_guest_lands_on_the_plan_page_with_a_focused_message_and_reference(
    client, consultation, mailoutbox, django_capture_on_commit_callbacks
):
    response = _submit(client, consultation, django_capture_on_commit_callbacks)
    statement = Statement.objects.get()
    assert response.status_code == 302 and response["Location"] == consultation.plan.get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    reference = reference_number(statement)
    assert re.fullmatch(rf"{timezone.localtime(statement.submit_date):%Y}-\d{{5}}", reference)
    message = re.search(r'<p class="message message--success" tabindex="-1" data-autofocus>(.*?)</p>', page, re.S)
    assert message is not None, page[:2000]
    text = message.group(1)
    assert reference in text and "Erst mit der Bestätigung gilt sie als eingegangen" in text
    assert "gilt als heute eingegangen" not in page
    assert f'<a href="{my_statement_path(statement)}">Meine Stellungnahme ansehen</a>' in text
    assert f'<a href="{reverse("participation:confirm_resend")}">Bestätigungslink erneut senden</a>' in text
    assert "participation/autofocus.js" in page


def test_confirmation_mail_carries_text_reference_and_private_link(
    client, consultation, mailoutbox, django_capture_on_commit_callbacks
):
    _submit(client, consultation, django_capture_on_commit_callbacks, comment="Bitte den Baumbestand erhalten.")
    statement = Statement.objects.get()
    body = mailoutbox[0].body
    assert "Bitte den Baumbestand erhalten." in body and reference_number(statement) in body
    assert f"http://testserver{my_statement_path(statement)}" in body
    assert "Erst mit der Bestätigung gilt Ihre Stellungnahme als eingegangen" in body


def test_after_confirmation_the_message_states_when_it_was_received(
    client, consultation, mailoutbox, django_capture_on_commit_callbacks
):
    _submit(client, consultation, django_capture_on_commit_callbacks)
    link = re.search(r"http://testserver(/beteiligung/bestaetigen/\S+/)", mailoutbox[0].body).group(1)
    page = client.post(link, follow=True).content.decode()
    statement = Statement.objects.get()
    received = f"{timezone.localtime(statement.submit_date):%d.%m.%Y, %H:%M} Uhr"
    assert f"ist am {received} eingegangen" in page and reference_number(statement) in page
    assert "data-autofocus" in page and f'<a href="{my_statement_path(statement)}">' in page


def test_invalid_form_shows_the_plan_page_with_map_and_a_linked_error_summary(client, consultation):
    response = post(client, consultation, comment="", privacy_consent="")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="plan-map"' in page and 'id="plan-map-config"' in page  # the plan page, with its map
    summary = re.search(r'<div class="form-errors" id="statement-form-errors"(.*?)</div>', page, re.S).group(0)
    assert 'tabindex="-1"' in summary and "data-autofocus" in summary
    assert 'href="#id_comment"' in summary and 'href="#id_privacy_consent"' in summary
    assert "Bitte geben Sie Ihre Stellungnahme ein." in summary
    assert "Erika Mustermann" in page  # what the citizen typed is kept
    assert "no-store" in response["Cache-Control"]
    assert not Statement.objects.exists()


def test_text_limit_is_one_setting_for_maxlength_help_and_validation(client, consultation, settings):
    settings.PARTICIPATION_MAX_TEXT_LENGTH = 40
    form = StatementForm(consultation, feature_choices=[])
    html = str(form["comment"])
    assert 'maxlength="40"' in html and form.fields["comment"].help_text == "Höchstens 40 Zeichen."
    response = post(client, consultation, comment="x" * 41)
    assert response.status_code == 400 and "höchstens 40 Zeichen" in response.content.decode()
    assert not Statement.objects.exists()
    assert post(client, consultation, comment="x" * 40).status_code == 302


def test_default_text_limit_reads_the_same_everywhere(consultation):
    form = StatementForm(consultation, feature_choices=[])
    assert (
        'maxlength="10000"' in str(form["comment"]) and form.fields["comment"].help_text == "Höchstens 10.000 Zeichen."
    )
    assert form.fields["comment"].max_length == 10000  # not django_comments' COMMENT_MAX_LENGTH of 3000
    assert "3000" not in str(form["comment"].as_field_group())


def test_resend_gives_the_same_answer_for_any_address_and_mails_only_unconfirmed(
    client, consultation, django_capture_on_commit_callbacks
):
    mine = StatementFactory(consultation=consultation, user_email="erika@example.org", confirmed_at=None)
    StatementFactory(consultation=consultation, user_email="erika@example.org")  # confirmed: no new link
    url = reverse("participation:confirm_resend")
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url, {"email": "Erika@Example.org"})
        unknown = client.post(url, {"email": "niemand@example.org"})
    assert known.status_code == unknown.status_code == 200
    answer = "haben wir den Bestätigungslink erneut geschickt"
    assert answer in known.content.decode() and answer in unknown.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["erika@example.org"]
    assert "/beteiligung/bestaetigen/" in mail.outbox[0].body and reference_number(mine) in mail.outbox[0].body


def test_resend_is_rate_limited(client, consultation):
    url = reverse("participation:confirm_resend")
    for _ in range(RESEND_LIMIT):
        assert client.post(url, {"email": "a@example.org"}).status_code == 200
    response = client.post(url, {"email": "a@example.org"})
    assert response.status_code == 429 and "Zu viele Anfragen" in response.content.decode()


def test_resend_refuses_an_invalid_address(client):
    response = client.post(reverse("participation:confirm_resend"), {"email": "kein-at"})
    assert response.status_code == 400 and "gültige E-Mail-Adresse" in response.content.decode()


def test_logged_in_user_is_told_the_receipt_at_once_and_nothing_about_publishing_when_none_is_planned(client):
    from ..factories import UserFactory

    consultation = ConsultationFactory(moderation="none")
    client.force_login(UserFactory())
    data = form_data(consultation)
    del data["name"], data["email"]
    response = client.post(reverse("participation:statement_create", args=[consultation.pk]), data, follow=True)
    statement = Statement.objects.get()
    received = f"{timezone.localtime(statement.submit_date):%d.%m.%Y, %H:%M} Uhr"
    text = re.search(r"data-autofocus>(.*?)</p>", response.content.decode(), re.S).group(1)
    assert f"Eingangsnummer {reference_number(statement)} ist am {received} eingegangen." in text
    assert "veröffentlicht" not in text and "bestätigen" not in text
