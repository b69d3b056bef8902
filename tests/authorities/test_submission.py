"""Submitting behind the access link over HTTP: statements, "keine Bedenken", receipt (page, PDF, mail), lateness."""

# The fixtures come from access_setup (tests/authorities/conftest.py belongs to the address-book tests).
# ruff: noqa: F811

import datetime as dt
import io
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from participation.authorities.models import InvitationAction
from participation.authorities.receipt import reference_number
from participation.models import Statement

from ..factories import FeatureFactory, LayerFactory, parseable_pdf
from .access_setup import (  # noqa: F401  (fixtures)
    _immediate_tasks,
    access_url,
    attachment_dir,
    invitation,
    round_,
    stored_files,
)

pytestmark = [pytest.mark.django_db]


def statement_data(invitation, **overrides):
    point = invitation.consultation.plan.area.point_on_surface
    data = {
        "action": "statement",
        "clerk_name": "Jana Grünberg",
        "file_reference": "UWB 66.2-4711",
        "email": "j.gruenberg@hochtaunuskreis.example",
        "topic": "environment",
        "comment": (
            "Das Plangebiet liegt im Wasserschutzgebiet Zone III.\n\nVersickerung nur über die belebte Bodenzone."
        ),
        "lat": f"{point.y:.7f}",
        "lon": f"{point.x:.7f}",
        "form_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def no_objections_data(**overrides):
    data = {
        "action": "no_objections",
        "keine-clerk_name": "",
        "keine-file_reference": "",
        "keine-email": "wasser@hochtaunuskreis.example",
        "keine-form_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def submit(client, invitation, data, capture):
    with capture(execute=True):
        return client.post(access_url(invitation), data)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_statement_is_stored_as_the_authoritys_and_confirmed_with_a_receipt_page_pdf_and_mail(
    client, invitation, mailoutbox, django_capture_on_commit_callbacks
):
    url = access_url(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, statement_data(invitation))
    statement = Statement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{url}eingang/{statement.pk}/"
    assert statement.channel == Statement.Channel.AUTHORITY
    assert statement.organisation == "Wasserbehörde Hochtaunuskreis – Untere Wasserbehörde"
    assert statement.user_name == "Jana Grünberg" and statement.file_reference == "UWB 66.2-4711"
    assert statement.user_email == "j.gruenberg@hochtaunuskreis.example"
    assert statement.invitation == invitation and statement.consultation == invitation.consultation
    assert statement.confirmed_at is not None and not statement.is_public and not statement.no_objections
    assert statement.topic == "environment" and statement.location is not None and not statement.is_late
    assert statement.comment.startswith("Das Plangebiet liegt im Wasserschutzgebiet")
    invitation.refresh_from_db()
    assert invitation.answered_at == statement.submit_date
    answer = invitation.actions.get(kind=InvitationAction.Kind.ANSWER)
    assert answer.details == {"statement": statement.pk, "late": False}

    reference = reference_number(statement)
    receipt = client.get(response["Location"])
    page = receipt.content.decode()
    assert receipt.status_code == 200 and reference in page and "Wasserschutzgebiet Zone III" in page
    assert "UWB 66.2-4711" in page and receipt["Referrer-Policy"] == "same-origin"

    pdf = client.get(f"{response['Location']}pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert f"eingangsbestaetigung-{reference}.pdf" in pdf["Content-Disposition"]
    text = pdf_text(pdf.content)
    assert "Eingangsbestätigung" in text and reference in text and "Wasserbehörde Hochtaunuskreis" in text
    assert "Jana Grünberg" in text and "Wasserschutzgebiet Zone III" in text

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["j.gruenberg@hochtaunuskreis.example"] and reference in mail.subject
    assert "Wasserschutzgebiet Zone III" in mail.body and "/behoerden/zugang/" not in mail.body
    (name, content, mimetype) = mail.attachments[0]
    assert name == f"eingangsbestaetigung-{reference}.pdf" and mimetype == "application/pdf"
    assert reference in pdf_text(content)


def test_authority_statements_are_not_published_on_the_plan_page(
    client, invitation, django_capture_on_commit_callbacks
):
    submit(client, invitation, statement_data(invitation), django_capture_on_commit_callbacks)
    plan_page = client.get(invitation.consultation.plan.get_absolute_url()).content.decode()
    assert "Wasserschutzgebiet" not in plan_page


def test_several_statements_are_allowed_one_per_submit_and_all_are_listed(
    client, invitation, django_capture_on_commit_callbacks
):
    submit(client, invitation, statement_data(invitation), django_capture_on_commit_callbacks)
    submit(
        client,
        invitation,
        statement_data(invitation, comment="Zweitens: Regenrückhaltebecken vorsehen.", lat="", lon=""),
        django_capture_on_commit_callbacks,
    )
    assert Statement.objects.filter(invitation=invitation).count() == 2
    page = client.get(access_url(invitation)).content.decode()
    assert "Wasserschutzgebiet" in page and "Regenrückhaltebecken" in page
    assert invitation.actions.filter(kind=InvitationAction.Kind.ANSWER).count() == 2


def test_statement_may_refer_to_a_plan_feature_chosen_from_the_list(
    client, invitation, django_capture_on_commit_callbacks
):
    feature = FeatureFactory(layer=LayerFactory(plan=invitation.consultation.plan))
    data = statement_data(invitation, feature=str(feature.pk), lat="", lon="")
    assert submit(client, invitation, data, django_capture_on_commit_callbacks).status_code == 302
    assert Statement.objects.get().feature == feature


def test_statement_may_refer_to_a_section_of_the_plan_texts_and_a_foreign_one_is_refused(
    client, invitation, django_capture_on_commit_callbacks
):
    from plans.rules import SYSTEM
    from plans.section_services import section_create

    from ..factories import DocumentFactory

    provisions = DocumentFactory(plan=invitation.consultation.plan, title="Textliche Festsetzungen", kind="provisions")
    section = section_create(document=provisions, by=SYSTEM, number="§ 3", title="Niederschlagswasser")
    foreign = section_create(document=DocumentFactory(), by=SYSTEM, number="1", title="Fremd")
    page = client.get(access_url(invitation)).content.decode()
    assert "§ 3 Niederschlagswasser" in page and 'name="section"' in page

    refused = submit(
        client, invitation, statement_data(invitation, section=str(foreign.pk)), django_capture_on_commit_callbacks
    )
    assert refused.status_code == 400 and "aktuellen Dokumenten dieses Plans" in refused.content.decode()
    assert not Statement.objects.exists()

    data = statement_data(invitation, section=str(section.pk))
    assert submit(client, invitation, data, django_capture_on_commit_callbacks).status_code == 302
    assert Statement.objects.get().section == section


def test_no_objections_is_one_click_with_the_fixed_text(
    client, invitation, mailoutbox, django_capture_on_commit_callbacks
):
    response = submit(client, invitation, no_objections_data(), django_capture_on_commit_callbacks)
    statement = Statement.objects.get()
    assert response.status_code == 302
    assert statement.no_objections and statement.channel == Statement.Channel.AUTHORITY
    assert statement.comment == "Zu der Planung bestehen aus Sicht unserer Behörde keine Anregungen oder Bedenken."
    assert statement.user_email == "wasser@hochtaunuskreis.example" and not statement.is_public
    assert invitation.actions.filter(kind=InvitationAction.Kind.NO_OBJECTIONS).count() == 1
    receipt = client.get(response["Location"]).content.decode()
    assert "Keine Anregungen oder Bedenken" in receipt
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["wasser@hochtaunuskreis.example"]


def test_late_answer_is_accepted_stamped_and_flagged(
    client, invitation, mailoutbox, django_capture_on_commit_callbacks
):
    invitation.deadline = timezone.localdate() - dt.timedelta(days=1)
    invitation.save()
    response = submit(client, invitation, statement_data(invitation), django_capture_on_commit_callbacks)
    statement = Statement.objects.get()
    assert response.status_code == 302 and statement.is_late
    assert invitation.actions.get(kind=InvitationAction.Kind.ANSWER).details["late"] is True
    receipt = client.get(response["Location"]).content.decode()
    assert "Nach Ablauf der Frist eingegangen" in receipt
    assert "verspätet" in client.get(access_url(invitation)).content.decode()
    assert "als verspätet gekennzeichnet" in pdf_text(client.get(f"{response['Location']}pdf/").content)


def test_lateness_follows_the_authoritys_own_deadline_not_the_round(
    client, invitation, django_capture_on_commit_callbacks
):
    """The round's period still runs, the invitation's deadline passed: late. An extended deadline: not late."""
    invitation.deadline = timezone.localdate() - dt.timedelta(days=1)
    invitation.save()
    submit(client, invitation, statement_data(invitation), django_capture_on_commit_callbacks)
    assert invitation.consultation.end_date > timezone.localdate() and Statement.objects.get().is_late

    period = invitation.consultation
    period.end_date = timezone.localdate() - dt.timedelta(days=3)
    period.save()
    invitation.deadline = timezone.localdate() + dt.timedelta(days=7)  # extended for this authority
    invitation.save()
    submit(client, invitation, statement_data(invitation, comment="Nachtrag."), django_capture_on_commit_callbacks)
    assert not Statement.objects.get(comment="Nachtrag.").is_late


def test_second_submit_with_the_same_form_token_is_refused_and_stores_nothing(
    client, invitation, mailoutbox, django_capture_on_commit_callbacks
):
    data = statement_data(invitation)
    assert submit(client, invitation, data, django_capture_on_commit_callbacks).status_code == 302
    again = submit(client, invitation, data, django_capture_on_commit_callbacks)
    assert again.status_code == 400
    page = again.content.decode()
    assert "Formular bereits abgeschickt" in page
    assert Statement.objects.count() == 1 and len(mailoutbox) == 1
    fresh = re.search(r'name="form_token" value="([0-9a-f-]+)"', page).group(1)
    assert fresh != data["form_token"]  # sending the form once more (deliberately) works
    assert (
        submit(client, invitation, {**data, "form_token": fresh}, django_capture_on_commit_callbacks).status_code == 302
    )
    assert Statement.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"comment": "  "}, "Bitte geben Sie Ihre Stellungnahme ein."),
        ({"clerk_name": ""}, "Bitte geben Sie den Namen der Sachbearbeitung an."),
        ({"email": "keine-adresse"}, "Bitte geben Sie eine gültige E-Mail-Adresse für die Eingangsbestätigung an."),
        ({"lat": "10.0", "lon": "10.0"}, "Der markierte Ort liegt außerhalb des Geltungsbereichs des Plans."),
        ({"lat": "abc", "lon": "8"}, "Die Koordinaten des Ortes sind keine Zahlen."),
    ],
)
def test_bad_input_gets_a_clear_error_and_nothing_is_written(
    client, invitation, mailoutbox, django_capture_on_commit_callbacks, overrides, message
):
    response = submit(client, invitation, statement_data(invitation, **overrides), django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Statement.objects.exists() and mailoutbox == []
    invitation.refresh_from_db()
    assert invitation.answered_at is None and not invitation.actions.exclude(kind="open").exists()


def test_foreign_feature_is_refused(client, invitation, django_capture_on_commit_callbacks):
    FeatureFactory(layer=LayerFactory(plan=invitation.consultation.plan))
    foreign = FeatureFactory()  # a feature of another plan
    response = submit(
        client, invitation, statement_data(invitation, feature=str(foreign.pk)), django_capture_on_commit_callbacks
    )
    assert response.status_code == 400 and not Statement.objects.exists()


def test_field_errors_are_linked_to_their_fields(client, invitation, django_capture_on_commit_callbacks):
    page = submit(
        client, invitation, statement_data(invitation, clerk_name=""), django_capture_on_commit_callbacks
    ).content.decode()
    field = re.search(r"<input[^>]*name=\"clerk_name\"[^>]*>", page).group(0)
    assert 'aria-invalid="true"' in field and "id_clerk_name_error" in field
    assert 'id="id_clerk_name_error"' in page


def test_revoked_link_cannot_submit(client, invitation, django_capture_on_commit_callbacks):
    data = statement_data(invitation)
    url = access_url(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 410 and not Statement.objects.exists()


def test_statement_with_attachments_lists_them_on_the_receipt_pdf_and_mail(
    client, invitation, attachment_dir, mailoutbox, django_capture_on_commit_callbacks
):
    files = [
        SimpleUploadedFile("Gutachten Grundwasser.pdf", parseable_pdf(2), content_type="application/pdf"),
        SimpleUploadedFile("Lageplan.pdf", parseable_pdf(), content_type="application/pdf"),
    ]
    data = {**statement_data(invitation), "attachments": files}
    response = submit(client, invitation, data, django_capture_on_commit_callbacks)
    statement = Statement.objects.get()
    assert response.status_code == 302
    assert sorted(statement.attachments.values_list("original_name", flat=True)) == [
        "Gutachten Grundwasser.pdf",
        "Lageplan.pdf",
    ]
    assert len(stored_files(attachment_dir)) == 2
    assert "Gutachten Grundwasser.pdf" in client.get(response["Location"]).content.decode()
    assert "Gutachten Grundwasser.pdf" in pdf_text(client.get(f"{response['Location']}pdf/").content)
    assert "Gutachten Grundwasser.pdf" in mailoutbox[0].body


def test_bad_attachment_is_refused_and_nothing_is_stored(
    client, invitation, attachment_dir, mailoutbox, django_capture_on_commit_callbacks
):
    program = SimpleUploadedFile("stellungnahme.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
    data = {**statement_data(invitation), "attachments": [program]}
    response = submit(client, invitation, data, django_capture_on_commit_callbacks)
    assert response.status_code == 400 and "stellungnahme.pdf" in response.content.decode()
    assert not Statement.objects.exists() and stored_files(attachment_dir) == [] and mailoutbox == []


def test_authority_statements_do_not_wait_in_the_moderation_queue(
    client, invitation, django_capture_on_commit_callbacks
):
    assert submit(client, invitation, statement_data(invitation), django_capture_on_commit_callbacks).status_code == 302
    assert Statement.objects.submitted().count() == 1
    assert not Statement.objects.awaiting_moderation().exists()
