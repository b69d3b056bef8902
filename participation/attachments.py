"""Attachments to statements: check uploads by their content, store them privately, read filled-in PDF forms.

The public API used by every statement form (citizens, authorities, paper statements):

- `AttachmentsField`: a multiple-file form field; `clean()` returns `list[CheckedUpload]`.
- `check_uploads(files)`: count, size and type by content (never by name); PDFs must parse with
  pypdf (password-protected PDFs are refused: nobody could read them, and their content cannot be
  checked; PDFs with only an owner password, i.e. permissions, open with the empty password and
  are accepted); DOCX/ODT: the ZIP's central directory is checked before anything is unpacked
  (geodata's archive checks plus a stricter unpacked size), then the members that make it a
  DOCX (``word/document.xml``) or ODT (``mimetype``); images are re-encoded with Pillow, which
  drops EXIF (GPS location), XMP, ICC and comments, after a pixel limit (decompression bombs).
- `store_attachments(statement, checked, by=...)`: write the files and rows inside the caller's
  transaction. Callers open that transaction with `atomic_with_attachments()`, which deletes the
  written files again when the block raises, so a refused or failed submission leaves no file.
- `form_text(checked)`: the text fields of filled-in PDF forms (AcroForm), as statement text.
"""

import contextlib
import contextvars
import dataclasses
import hashlib
import io
import os
import unicodedata
import zipfile
from collections.abc import Iterator

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from geodata.importers.errors import ImportRejected
from geodata.importers.files import check_archive
from plans import rules

from .models import Attachment, Statement

MB = 1024 * 1024
PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ALLOWED_TYPES = (PDF, JPEG, PNG, ODT, DOCX)
ACCEPT = ".pdf,.jpg,.jpeg,.png,.odt,.docx," + ",".join(ALLOWED_TYPES)
# Images: a 40-megapixel photo is plenty; a small file claiming more is a decompression bomb.
MAX_PIXELS = 40_000_000
# DOCX/ODT: what the archive may unpack to (text documents with photos stay far below this).
MAX_UNPACKED_FACTOR = 5
MAX_FORM_FIELDS = 200

_written: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("attachment_files", default=None)


@dataclasses.dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed `check_uploads`: what `store_attachments` writes."""

    name: str
    content_type: str
    file: File
    size: int
    sha256: str
    form_fields: dict[str, str] = dataclasses.field(default_factory=dict)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


def _help_text() -> str:
    return gettext("PDF, JPEG, PNG, ODT oder DOCX; höchstens %(count)d Dateien mit je höchstens %(size)d MB.") % {
        "count": settings.ATTACHMENT_MAX_COUNT,
        "size": settings.ATTACHMENT_MAX_SIZE_MB,
    }


class AttachmentsField(forms.FileField):
    """Optional attachments (several files at once); cleans to a list of `CheckedUpload`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Anhänge"))
        kwargs.setdefault("help_text", lazy(_help_text, str)())
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        uploads = [super(AttachmentsField, self).clean(item, initial) for item in files if item]
        return check_uploads(uploads)


def check_uploads(files) -> list[CheckedUpload]:
    """Check uploaded files (count, size, type by content, structure); raise a ValidationError naming each bad file."""
    files = [f for f in files if f]
    if not files:
        return []
    if len(files) > settings.ATTACHMENT_MAX_COUNT:
        raise ValidationError(
            _("Bitte hängen Sie höchstens %(limit)d Dateien an (ausgewählt: %(count)d)."),
            code="attachment_too_many",
            params={"limit": settings.ATTACHMENT_MAX_COUNT, "count": len(files)},
        )
    checked, errors = [], []
    for upload in files:
        try:
            checked.append(_check_one(upload))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)
    return checked


def _clean_name(name: str) -> str:
    name = os.path.basename((name or "").replace("\\", "/"))
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    return name.strip()[-255:] or "Anhang"


def _error(message, code: str, name: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params={"name": name, **params})


def _check_one(upload) -> CheckedUpload:
    name = _clean_name(getattr(upload, "name", ""))
    size = upload.size
    limit = settings.ATTACHMENT_MAX_SIZE_MB * MB
    if size > limit:
        raise _error(
            _("Die Datei „%(name)s“ ist zu groß (%(size).1f MB). Erlaubt sind höchstens %(limit)d MB je Datei."),
            "attachment_too_large",
            name,
            size=size / MB,
            limit=settings.ATTACHMENT_MAX_SIZE_MB,
        )
    if size == 0:
        raise _error(_("Die Datei „%(name)s“ ist leer."), "attachment_empty", name)
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if head.startswith(b"PK\x03\x04"):
        content_type = _check_document(upload, name)
        return _checked(name, content_type, upload)
    import filetype

    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime == PDF:
        return _checked(name, PDF, upload, form_fields=_check_pdf(upload, name))
    if mime in (JPEG, PNG):
        return _checked(name, mime, _reencode_image(upload, name, mime))
    raise _error(
        _(
            "Die Datei „%(name)s“ hat kein erlaubtes Format. Erlaubt sind PDF, JPEG, PNG, ODT und DOCX; "
            "geprüft wird der Inhalt der Datei, nicht ihre Endung."
        ),
        "attachment_type",
        name,
    )


def _checked(name: str, content_type: str, file, form_fields=None) -> CheckedUpload:
    digest = hashlib.sha256()
    file.seek(0)
    size = 0
    for chunk in iter(lambda: file.read(MB), b""):
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    if not isinstance(file, File):
        file = File(file, name=name)
    return CheckedUpload(name, content_type, file, size, digest.hexdigest(), form_fields or {})


def _check_pdf(upload, name: str) -> dict[str, str]:
    """Parse the PDF with pypdf; return the filled-in text fields of its form (AcroForm), if any."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _error(
                _(
                    "Die PDF-Datei „%(name)s“ ist mit einem Passwort geschützt. Bitte laden Sie sie ohne "
                    "Passwortschutz hoch."
                ),
                "attachment_pdf_encrypted",
                name,
            )
        len(reader.pages)  # walks the page tree: a broken file fails here
        fields = reader.get_form_text_fields() or {}
    except ValidationError:
        raise
    except Exception:  # pypdf raises many kinds of errors on broken input
        raise _error(
            _("Die Datei „%(name)s“ ist keine lesbare PDF-Datei. Bitte prüfen Sie die Datei."),
            "attachment_pdf_invalid",
            name,
        ) from None
    finally:
        upload.seek(0)
    text_fields = {}
    for key, value in list(fields.items())[:MAX_FORM_FIELDS]:
        if isinstance(value, str) and value.strip():
            text_fields[str(key)[:200]] = value.strip()[:10_000]
    return text_fields


def _check_document(upload, name: str) -> str:
    """Check a ZIP-based document before unpacking anything; return DOCX or ODT."""
    bad = _error(
        _("Die Datei „%(name)s“ ist kein lesbares Word- (DOCX) oder OpenDocument-Textdokument (ODT)."),
        "attachment_document_invalid",
        name,
    )
    try:
        with zipfile.ZipFile(upload) as archive:
            try:
                members = check_archive(archive)
            except ImportRejected:
                raise _bomb(name) from None
            files = [m for m in members if not m.is_dir()]
            if sum(m.file_size for m in files) > MAX_UNPACKED_FACTOR * settings.ATTACHMENT_MAX_SIZE_MB * MB:
                raise _bomb(name)
            content_type = _document_type(archive, {m.filename: m for m in files}, name)
            if content_type:
                return content_type
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        raise bad from None
    finally:
        upload.seek(0)
    raise _error(
        _(
            "Die Datei „%(name)s“ hat kein erlaubtes Format. Erlaubt sind PDF, JPEG, PNG, ODT und DOCX; "
            "geprüft wird der Inhalt der Datei, nicht ihre Endung."
        ),
        "attachment_type",
        name,
    )


def _document_type(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], name: str) -> str | None:
    """Return DOCX or ODT from the archive's members (None for any other ZIP); refuse documents with macros."""
    content_type: str | None
    if "word/document.xml" in members and "[Content_Types].xml" in members:
        content_type = DOCX
    else:
        mimetype = members.get("mimetype")
        is_odt = mimetype is not None and mimetype.file_size < 100 and archive.read(mimetype).strip() == ODT.encode()
        content_type = ODT if is_odt else None
    if content_type and any(n.endswith("vbaProject.bin") or n.startswith(("Basic/", "Scripts/")) for n in members):
        raise _error(
            _("Die Datei „%(name)s“ enthält Makros. Bitte speichern Sie sie ohne Makros (als DOCX, ODT oder PDF)."),
            "attachment_macros",
            name,
        )
    return content_type


def _bomb(name: str) -> ValidationError:
    return _error(
        _(
            "Die Datei „%(name)s“ wäre entpackt ungewöhnlich groß (möglicherweise eine ZIP-Bombe) und wird "
            "aus Sicherheitsgründen abgelehnt."
        ),
        "attachment_zip_bomb",
        name,
    )


def _reencode_image(upload, name: str, mime: str) -> ContentFile:
    """Decode the image and encode its pixels again: no EXIF (GPS), XMP, ICC or comments survive."""
    from PIL import Image, ImageOps

    unreadable = _error(
        _("Das Bild „%(name)s“ kann nicht gelesen werden. Bitte prüfen Sie die Datei."),
        "attachment_image_invalid",
        name,
    )
    try:
        with Image.open(upload) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _error(
                    _("Das Bild „%(name)s“ ist zu groß (%(pixels)d Megapixel, erlaubt sind höchstens %(limit)d)."),
                    "attachment_image_pixels",
                    name,
                    pixels=width * height // 1_000_000,
                    limit=MAX_PIXELS // 1_000_000,
                )
            image.load()
            clean = ImageOps.exif_transpose(image)  # keep the orientation the EXIF tag gave
    except ValidationError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, MemoryError):
        raise unreadable from None
    finally:
        upload.seek(0)
    clean.info = {}
    out = io.BytesIO()
    if mime == JPEG:
        if clean.mode not in ("L", "RGB", "CMYK"):
            clean = clean.convert("RGB")
        clean.save(out, "JPEG", quality=90, optimize=True)
    else:
        clean.save(out, "PNG", optimize=False)
    return ContentFile(out.getvalue(), name=name)


def form_text(checked: list[CheckedUpload]) -> str:
    """Return the filled-in PDF form fields of the uploads as statement text ("Feld: Wert" lines)."""
    lines = [f"{key}: {value}" for upload in checked for key, value in upload.form_fields.items()]
    return "\n".join(lines)[: settings.PARTICIPATION_MAX_TEXT_LENGTH]


@contextlib.contextmanager
def atomic_with_attachments() -> Iterator[None]:
    """Run a transaction in which `store_attachments` may write; if the block raises, delete those files.

    Nested blocks share the outermost block's list: files written in an inner block that succeeded
    are deleted when an enclosing block raises, so wrap the outermost transaction of an action.
    """
    outer = _written.get()
    written: list[str] = outer if outer is not None else []
    start = len(written)
    token = _written.set(written)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        _delete_files(written[start:])
        del written[start:]
        raise
    finally:
        _written.reset(token)


def _storage():
    return Attachment._meta.get_field("file").storage


def _delete_files(names) -> None:
    storage = _storage()
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # the storage is down: nothing more we can do here; orphans are reported by name
            import logging

            logging.getLogger(__name__).exception("attachment file %s could not be deleted", name)


def store_attachments(statement: Statement, checked: list[CheckedUpload], *, by=None) -> list[Attachment]:
    """Write the checked files and their rows for `statement`.

    Called by the statement services after their permission checks, inside
    `atomic_with_attachments()`; if a file or row fails here, the files already written are deleted.
    """
    if not checked:
        return []
    pending = _written.get()
    written: list[str] = []
    attachments = []
    user = rules.user_or_none(by)
    try:
        for upload in checked:
            attachment = Attachment(
                statement=statement,
                original_name=upload.name,
                content_type=upload.content_type,
                size=upload.size,
                sha256=upload.sha256,
                form_fields=upload.form_fields,
                uploaded_by=user,
            )
            upload.file.seek(0)
            attachment.file.save(upload.name, upload.file, save=False)
            name = str(attachment.file.name)
            written.append(name)
            if pending is not None:
                pending.append(name)
            attachment.save()
            attachments.append(attachment)
    except BaseException:
        _delete_files(written)
        raise
    return attachments


def delete_file_on_commit(sender, instance: Attachment, **kwargs) -> None:
    """Delete a deleted attachment's file once the deletion commits (post_delete receiver: purge, cascades)."""
    name = instance.file.name
    if name:
        transaction.on_commit(lambda: _delete_files([name]))
