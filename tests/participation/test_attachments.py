"""Attachments on statements over HTTP: bad files refused with nothing left behind, images without EXIF,
filled-in PDF forms read, staff-only download, paper statements, purge removes the files."""

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject

from participation.attachments import DOCX, ODT, check_uploads
from participation.models import Attachment, Statement

from ..factories import ConsultationFactory, MembershipFactory, StatementFactory, parseable_pdf
from .test_views import form_data

pytestmark = pytest.mark.django_db


def stored_files(location: Path) -> list[Path]:
    return [p for p in location.rglob("*") if p.is_file()] if location.exists() else []


@pytest.fixture
def consultation():
    return ConsultationFactory(moderation="pre")


def submit(client, consultation, files, **overrides):
    data = form_data(consultation, **overrides)
    data["attachments"] = files
    return client.post(reverse("participation:statement_create", args=[consultation.pk]), data)


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Telefon"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (50.0, 19.0, 12.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (8.0, 31.0, 5.0),
    }
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 10, 10)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(color=(0, 90, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), color).save(out, "PNG")
    return out.getvalue()


def acroform_pdf(fields: dict[str, str]) -> bytes:
    """Return a PDF with a filled-in form (AcroForm text fields)."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    refs = []
    for index, (name, value) in enumerate(fields.items()):
        rect = ArrayObject([FloatObject(50), FloatObject(700 - 40 * index), FloatObject(400), FloatObject(720)])
        refs.append(
            writer._add_object(
                DictionaryObject(
                    {
                        NameObject("/Type"): NameObject("/Annot"),
                        NameObject("/Subtype"): NameObject("/Widget"),
                        NameObject("/FT"): NameObject("/Tx"),
                        NameObject("/T"): TextStringObject(name),
                        NameObject("/V"): TextStringObject(value),
                        NameObject("/Rect"): rect,
                    }
                )
            )
        )
    page[NameObject("/Annots")] = ArrayObject(refs)
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): ArrayObject(refs)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


DOCX_MEMBERS = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}
ODT_MEMBERS = {"mimetype": ODT.encode(), "content.xml": b"<office:document-content/>"}


def docx() -> bytes:
    return zip_bytes(DOCX_MEMBERS)


def odt() -> bytes:
    return zip_bytes(ODT_MEMBERS)


EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + bytes(200)
BROKEN_PDF = b"%PDF-1.7\n1 0 obj <</Type /Catalog /Pages 9 0 R" + b"\x00garbage" * 50


def assert_refused(response, attachment_dir, message: str):
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "Die Zufahrt über den Riedweg ist zu eng." in page  # the text the citizen typed is kept
    assert not Statement.objects.exists() and not Attachment.objects.exists()
    assert stored_files(attachment_dir) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("gutachten.pdf", EXECUTABLE, "„gutachten.pdf“ hat kein erlaubtes Format"),
        ("brief.pdf", BROKEN_PDF, "keine lesbare PDF-Datei"),
        ("stellungnahme.docx", zip_bytes({"word/document.xml": b"\x00" * (20 * 1024 * 1024)}), "ZIP-Bombe"),
        ("archiv.docx", zip_bytes({"readme.txt": b"kein Dokument"}), "„archiv.docx“ hat kein erlaubtes Format"),
        ("foto.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100, "„foto.jpg“ kann nicht gelesen werden"),
        ("leer.pdf", b"", "Die Datei „leer.pdf“ ist leer."),
        ("makro.docx", zip_bytes({**DOCX_MEMBERS, "word/vbaProject.bin": b"Attribute VB_Name"}), "enthält Makros"),
        ("makro.odt", zip_bytes({**ODT_MEMBERS, "Basic/Standard/Module1.xml": b"<script/>"}), "enthält Makros"),
        ("pfad.docx", zip_bytes({**DOCX_MEMBERS, "../../etc/cron.d/x": b"*"}), "kein lesbares Word- (DOCX)"),
        ("kaputt.docx", b"PK\x03\x04" + bytes(100), "„kaputt.docx“ ist kein lesbares Word- (DOCX)"),
    ],
    ids=[
        "executable-as-pdf",
        "broken-pdf",
        "zip-bomb-as-docx",
        "zip-as-docx",
        "broken-jpeg",
        "empty",
        "docx-with-macros",
        "odt-with-macros",
        "docx-with-path-traversal",
        "truncated-zip",
    ],
)
def test_bad_file_is_refused_and_nothing_is_stored(client, consultation, attachment_dir, name, content, message):
    response = submit(client, consultation, [SimpleUploadedFile(name, content)])
    assert_refused(response, attachment_dir, message)


def test_password_protected_pdf_is_refused_and_owner_password_only_accepted(client, consultation, attachment_dir):
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.encrypt("geheim")
    locked = io.BytesIO()
    writer.write(locked)
    response = submit(client, consultation, [SimpleUploadedFile("geschuetzt.pdf", locked.getvalue())])
    assert_refused(response, attachment_dir, "mit einem Passwort geschützt")

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.encrypt(user_password="", owner_password="amt")  # only permissions: anyone can open it
    permissions_only = io.BytesIO()
    writer.write(permissions_only)
    response = submit(client, consultation, [SimpleUploadedFile("rechte.pdf", permissions_only.getvalue())])
    assert response.status_code == 302
    assert Attachment.objects.get().content_type == "application/pdf"


@override_settings(ATTACHMENT_MAX_SIZE_MB=1)
def test_file_above_the_configured_size_is_refused(client, consultation, attachment_dir):
    big = parseable_pdf() + b"\n%" + b"x" * (2 * 1024 * 1024)
    response = submit(client, consultation, [SimpleUploadedFile("gutachten.pdf", big)])
    assert_refused(response, attachment_dir, "„gutachten.pdf“ ist zu groß (2.0 MB). Erlaubt sind höchstens 1 MB")


def test_30_mb_file_is_refused_with_the_default_limit(client, consultation, attachment_dir):
    big = parseable_pdf() + b"\n%" + b"x" * (30 * 1024 * 1024)
    response = submit(client, consultation, [SimpleUploadedFile("plan.pdf", big)])
    assert_refused(response, attachment_dir, "Erlaubt sind höchstens 20 MB je Datei")


def test_six_files_are_refused(client, consultation, attachment_dir):
    files = [SimpleUploadedFile(f"foto{i}.png", png()) for i in range(6)]
    response = submit(client, consultation, files)
    assert_refused(response, attachment_dir, "höchstens 5 Dateien an (ausgewählt: 6)")


def test_one_bad_file_among_good_ones_refuses_all(client, consultation, attachment_dir):
    files = [SimpleUploadedFile("foto.png", png()), SimpleUploadedFile("virus.pdf", EXECUTABLE)]
    response = submit(client, consultation, files)
    assert_refused(response, attachment_dir, "„virus.pdf“ hat kein erlaubtes Format")


def test_error_codes():
    cases = {
        "attachment_type": [SimpleUploadedFile("a.pdf", EXECUTABLE)],
        "attachment_pdf_invalid": [SimpleUploadedFile("a.pdf", b"%PDF-1.4\nkaputt")],
        "attachment_too_many": [SimpleUploadedFile(f"{i}.png", png()) for i in range(6)],
    }
    for code, files in cases.items():
        with pytest.raises(Exception) as caught:
            check_uploads(files)
        assert [e.code for e in caught.value.error_list] == [code]


def test_citizen_statement_with_attachments_stores_them_privately(client, consultation, attachment_dir):
    files = [
        SimpleUploadedFile("gutachten.pdf", parseable_pdf(2)),
        SimpleUploadedFile("einwendung.docx", docx()),
        SimpleUploadedFile("brief.odt", odt()),
        SimpleUploadedFile("lageplan.png", png()),
        SimpleUploadedFile("C:\\Users\\erika\\foto.jpg", jpeg_with_gps()),
    ]
    response = submit(client, consultation, files)
    assert response.status_code == 302
    statement = Statement.objects.get()
    attachments = list(statement.attachments.order_by("id"))
    assert [(a.original_name, a.content_type) for a in attachments] == [
        ("gutachten.pdf", "application/pdf"),
        ("einwendung.docx", DOCX),
        ("brief.odt", ODT),
        ("lageplan.png", "image/png"),
        ("foto.jpg", "image/jpeg"),
    ]
    assert len(stored_files(attachment_dir)) == 5
    assert all(a.uploaded_by is None and len(a.sha256) == 64 and a.size > 0 for a in attachments)
    assert not any(path.suffix for path in stored_files(attachment_dir))  # stored under unguessable names
    assert attachments[0].file.read() == parseable_pdf(2)


def test_jpeg_is_stored_without_gps_exif(client, consultation, attachment_dir):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert submit(client, consultation, [SimpleUploadedFile("foto.jpg", original)]).status_code == 302
    attachment = Attachment.objects.get()
    with attachment.file.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert stored.format == "JPEG" and stored.size == (64, 48)
    assert dict(stored.getexif()) == {} and "exif" not in stored.info
    assert attachment.size == attachment.file.size


def test_filled_in_pdf_form_becomes_the_statement_text_when_the_box_is_empty(client, consultation, attachment_dir):
    pdf = acroform_pdf({"Anliegen": "Der Spielplatz am Riedweg fehlt.", "Ort": "Flurstück 12"})
    response = submit(client, consultation, [SimpleUploadedFile("formular.pdf", pdf)], comment="")
    assert response.status_code == 302
    statement = Statement.objects.get()
    assert statement.comment == "Anliegen: Der Spielplatz am Riedweg fehlt.\nOrt: Flurstück 12"
    attachment = statement.attachments.get()
    assert attachment.form_fields == {"Anliegen": "Der Spielplatz am Riedweg fehlt.", "Ort": "Flurstück 12"}
    assert attachment.file.read() == pdf  # staff see the original file


def test_typed_text_wins_over_the_pdf_form(client, consultation):
    pdf = acroform_pdf({"Anliegen": "Aus dem Formular"})
    assert submit(client, consultation, [SimpleUploadedFile("formular.pdf", pdf)]).status_code == 302
    statement = Statement.objects.get()
    assert statement.comment == "Die Zufahrt über den Riedweg ist zu eng."
    assert statement.attachments.get().form_fields == {"Anliegen": "Aus dem Formular"}


def test_empty_text_without_a_filled_in_form_is_refused(client, consultation, attachment_dir):
    response = submit(client, consultation, [SimpleUploadedFile("leer.pdf", parseable_pdf())], comment="")
    assert response.status_code == 400 and "Bitte geben Sie Ihre Stellungnahme ein." in response.content.decode()
    assert not Statement.objects.exists() and stored_files(attachment_dir) == []


def test_failure_while_storing_leaves_no_file(client, consultation, attachment_dir, monkeypatch):
    saved = []
    original_save = Attachment.save

    def failing_save(self, *args, **kwargs):
        if saved:
            raise DatabaseError("disk full")
        saved.append(self)
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", failing_save)
    files = [SimpleUploadedFile("a.png", png()), SimpleUploadedFile("b.png", png((1, 2, 3)))]
    with pytest.raises(DatabaseError):
        submit(client, consultation, files)
    assert saved and stored_files(attachment_dir) == []
    assert not Statement.objects.exists() and not Attachment.objects.exists()


def test_form_shows_the_attachments_field_and_sends_multipart(client, consultation):
    page = client.get(consultation.plan.get_absolute_url()).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert re.search(r'<input type="file" name="attachments" accept="[^"]*application/pdf[^"]*" multiple', page)
    assert "Anhänge" in page
    assert "PDF, JPEG, PNG, ODT oder DOCX; höchstens 5 Dateien mit je höchstens 20 MB." in page


def staff(consultation, role="planner"):
    return MembershipFactory(municipality=consultation.plan.municipality, role=role).user


@pytest.fixture
def stored_attachment(client, consultation):
    assert submit(client, consultation, [SimpleUploadedFile("Gutachten Lärm.pdf", parseable_pdf())]).status_code == 302
    client.logout()
    Statement.objects.update(confirmed_at=timezone.now())  # the guest clicked the e-mailed link
    return Attachment.objects.get()


def test_staff_of_the_municipality_download_the_attachment(client, consultation, stored_attachment):
    url = reverse("participation:attachment_download", args=[stored_attachment.pk])
    assert url == f"/verwaltung/anhaenge/{stored_attachment.pk}/"
    for role in ("planner", "moderator"):
        client.force_login(staff(consultation, role))
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "Gutachten" in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == parseable_pdf()


def test_download_refused_for_other_municipality_and_anonymous(client, stored_attachment):
    url = reverse("participation:attachment_download", args=[stored_attachment.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/verwaltung/anmelden/" in response["Location"]
    client.force_login(MembershipFactory(role="planner").user)  # other municipality
    assert client.get(url).status_code == 404
    assert client.get(reverse("participation:attachment_download", args=[stored_attachment.pk + 99])).status_code == 404


def test_moderation_shows_attachments_the_public_page_does_not(client, consultation, stored_attachment):
    url = reverse("participation:attachment_download", args=[stored_attachment.pk])
    client.force_login(staff(consultation, "moderator"))
    queue = client.get(reverse("participation:staff_moderation", args=[consultation.pk])).content.decode()
    assert "Gutachten Lärm.pdf" in queue and url in queue
    statement = stored_attachment.statement
    Statement.objects.filter(pk=statement.pk).update(is_public=True)
    client.logout()
    page = client.get(consultation.plan.get_absolute_url()).content.decode()
    assert statement.comment in page
    assert "Gutachten" not in page and "/verwaltung/anhaenge/" not in page


def test_planner_enters_paper_statement_with_attachment(client, consultation, attachment_dir):
    planner = staff(consultation)
    client.force_login(planner)
    url = reverse("participation:staff_paper", args=[consultation.pk])
    page = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="attachments"' in page
    data = {"received_on": timezone.localdate().isoformat(), "channel": "post", "topic": "noise", "text": ""}
    scan = SimpleUploadedFile("brief.pdf", acroform_pdf({"Einwendung": "Lärmschutzwand fehlt."}))
    assert client.post(url, {**data, "attachments": [scan]}).status_code == 302
    statement = Statement.objects.get()
    assert statement.channel == "post" and statement.comment == "Einwendung: Lärmschutzwand fehlt."
    attachment = statement.attachments.get()
    assert attachment.uploaded_by == planner and attachment.original_name == "brief.pdf"

    bad = SimpleUploadedFile("x.pdf", EXECUTABLE)
    response = client.post(url, {**data, "text": "Zweiter Brief", "attachments": [bad]})
    assert response.status_code == 200 and "„x.pdf“ hat kein erlaubtes Format" in response.content.decode()
    assert Statement.objects.count() == 1 and len(stored_files(attachment_dir)) == 1


def test_purge_deletes_citizen_attachments_and_their_files(
    client, consultation, attachment_dir, django_capture_on_commit_callbacks
):
    assert submit(client, consultation, [SimpleUploadedFile("foto.png", png())]).status_code == 302
    authority = StatementFactory(consultation=consultation, channel=Statement.Channel.AUTHORITY, organisation="Kreis")
    authority_file = Attachment(statement=authority, original_name="stellungnahme.pdf", content_type="application/pdf")
    authority_file.file.save("x", SimpleUploadedFile("x", parseable_pdf()))
    assert len(stored_files(attachment_dir)) == 2
    # The plan took effect two years ago: the one-year window of § 215 BauGB / § 47 Abs. 2 VwGO has passed.
    from plans.models import StageChange

    plan = consultation.plan
    StageChange.objects.create(plan=plan, stage="in_force", date=timezone.localdate() - dt.timedelta(days=730))
    plan.__class__.objects.filter(pk=plan.pk).update(stage="in_force")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_personal_data", stdout=io.StringIO())
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["stellungnahme.pdf"]
    assert stored_files(attachment_dir) == [Path(attachment_dir / authority_file.file.name)]


def test_deleting_a_statement_deletes_its_files_after_commit(
    client, consultation, attachment_dir, django_capture_on_commit_callbacks
):
    assert submit(client, consultation, [SimpleUploadedFile("foto.png", png())]).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        Statement.objects.get().delete()
    assert not Attachment.objects.exists() and stored_files(attachment_dir) == []


def test_enclosing_action_that_fails_after_storing_deletes_the_files(consultation, attachment_dir):
    """An action that stores a statement with attachments and then fails (e.g. the authority round) leaves no file."""
    from participation.attachments import atomic_with_attachments
    from participation.services import paper_statement_create

    planner = staff(consultation)
    checked = check_uploads([SimpleUploadedFile("brief.png", png())])
    with pytest.raises(RuntimeError), atomic_with_attachments():
        paper_statement_create(
            consultation=consultation,
            by=planner,
            text="Brief",
            channel="post",
            received_on=timezone.localdate(),
            attachments=checked,
        )
        assert len(stored_files(attachment_dir)) == 1
        raise RuntimeError("the invitation could not be marked as answered")
    assert stored_files(attachment_dir) == [] and not Attachment.objects.exists()


def test_orphaned_files_are_swept_by_the_command(client, consultation, attachment_dir):
    """A file no row refers to (the process died before the commit) is deleted once it is old enough."""
    import os
    import time

    assert submit(client, consultation, [SimpleUploadedFile("foto.png", png())]).status_code == 302
    kept = attachment_dir / Attachment.objects.get().file.name
    orphan = attachment_dir / "2026/01/0123456789abcdef"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left behind")
    fresh_orphan = attachment_dir / "2026/01/fedcba9876543210"
    fresh_orphan.write_bytes(b"transaction still running")
    two_days_ago = time.time() - 2 * 24 * 3600
    for path in (kept, orphan):
        os.utime(path, (two_days_ago, two_days_ago))
    out = io.StringIO()
    call_command("purge_orphaned_attachments", stdout=out)
    assert "Orphaned attachment files deleted: 1." in out.getvalue()
    assert sorted(stored_files(attachment_dir)) == sorted([kept, fresh_orphan])


def test_confirmation_mail_lists_the_attachments(client, consultation, mailoutbox, django_capture_on_commit_callbacks):
    files = [SimpleUploadedFile("gutachten.pdf", parseable_pdf()), SimpleUploadedFile("foto.png", png())]
    with django_capture_on_commit_callbacks(execute=True):
        assert submit(client, consultation, files).status_code == 302
    (mail,) = mailoutbox
    assert "Mit Ihrer Stellungnahme sind diese Anhänge eingegangen:\n- gutachten.pdf\n- foto.png\n" in mail.body


def test_confirmation_mail_without_attachments_does_not_mention_them(
    client, consultation, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert submit(client, consultation, []).status_code == 302
    (mail,) = mailoutbox
    assert "Anhänge" not in mail.body and "/beteiligung/bestaetigen/" in mail.body


def test_image_with_too_many_pixels_is_refused_before_decoding(client, consultation, attachment_dir):
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, "PNG")  # 48 megapixels in a few kilobytes
    assert len(out.getvalue()) < 100_000
    response = submit(client, consultation, [SimpleUploadedFile("bombe.png", out.getvalue())])
    assert_refused(response, attachment_dir, "„bombe.png“ ist zu groß (48 Megapixel, erlaubt sind höchstens 40)")
