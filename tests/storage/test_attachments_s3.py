"""Statement attachments in an S3 bucket (moto server): stored under attachments/, downloaded by staff, none left
behind when a file is refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from storages.backends.s3 import S3Storage

from participation.models import Attachment, Statement
from tests.factories import ConsultationFactory, MembershipFactory, parseable_pdf
from tests.participation.test_views import form_data
from tests.storage.conftest import BUCKET, s3_options

pytestmark = pytest.mark.django_db


@pytest.fixture
def s3_attachments(s3, monkeypatch):
    """Point the attachment field at the bucket's attachments/ prefix, as config/settings.py does with S3_BUCKET."""
    storage = S3Storage(**s3_options(s3.endpoint, "attachments"))
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", storage)
    return s3


def submit(client, consultation, files):
    data = {**form_data(consultation), "attachments": files}
    return client.post(reverse("participation:statement_create", args=[consultation.pk]), data)


def test_attachment_is_stored_in_the_bucket_and_streamed_to_staff(client, s3_attachments):
    consultation = ConsultationFactory(moderation="pre")
    pdf = parseable_pdf()
    assert submit(client, consultation, [SimpleUploadedFile("gutachten.pdf", pdf)]).status_code == 302
    attachment = Attachment.objects.get()
    key = f"attachments/{attachment.file.name}"
    assert s3_attachments.keys("attachments/") == [key] and s3_attachments.read(key) == pdf
    assert s3_attachments.keys("media/") == []  # never in the public media prefix

    Statement.objects.update(confirmed_at=timezone.now())
    client.force_login(MembershipFactory(municipality=consultation.plan.municipality, role="moderator").user)
    response = client.get(reverse("participation:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff" and "gutachten.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == pdf


def test_refused_file_leaves_nothing_in_the_bucket(client, s3_attachments):
    consultation = ConsultationFactory(moderation="pre")
    files = [SimpleUploadedFile("gut.pdf", parseable_pdf()), SimpleUploadedFile("boese.pdf", b"MZ" + bytes(300))]
    response = submit(client, consultation, files)
    assert response.status_code == 400 and "„boese.pdf“ hat kein erlaubtes Format" in response.content.decode()
    assert s3_attachments.keys() == [] and not Attachment.objects.exists()


def test_failure_after_the_first_upload_deletes_it_from_the_bucket(client, s3_attachments, monkeypatch):
    from django.db import DatabaseError

    consultation = ConsultationFactory(moderation="pre")
    original_save = Attachment.save
    saved = []

    def failing_save(self, *args, **kwargs):
        if saved:
            raise DatabaseError("connection lost")
        saved.append(self)
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", failing_save)
    files = [SimpleUploadedFile("a.pdf", parseable_pdf()), SimpleUploadedFile("b.pdf", parseable_pdf(2))]
    with pytest.raises(DatabaseError):
        submit(client, consultation, files)
    assert saved and s3_attachments.keys() == [] and not Statement.objects.exists()


def test_orphan_sweep_lists_the_bucket(client, s3_attachments):
    import datetime as dt

    from participation.services import attachment_orphans_purge
    from plans.rules import SYSTEM

    consultation = ConsultationFactory(moderation="pre")
    assert submit(client, consultation, [SimpleUploadedFile("a.pdf", parseable_pdf())]).status_code == 302
    kept = f"attachments/{Attachment.objects.get().file.name}"
    s3_attachments.client.put_object(Bucket=BUCKET, Key="attachments/attachments/2026/01/orphan", Body=b"x")
    assert attachment_orphans_purge(by=SYSTEM, at=timezone.now()) == 0  # too young
    assert attachment_orphans_purge(by=SYSTEM, at=timezone.now() + dt.timedelta(days=2)) == 1
    assert s3_attachments.keys("attachments/") == [kept]
