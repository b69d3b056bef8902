"""A municipality's own Word templates for the council documents: check, upload, download, delete.

An upload is refused, and nothing stored, unless it is a DOCX without macros (the attachment
checks: content, ZIP structure, size) that renders with sample data in every placeholder
(reports/council.py, listed in docs/council-documents.md); unknown placeholders are named.
"""

import hashlib
import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from jinja2 import TemplateSyntaxError

from participation.attachments import DOCX, check_uploads
from plans import rules

from .models import CouncilTemplate
from .reports import council, docx

MAX_SIZE = 10 * 1024 * 1024


def _check_kind(kind: str) -> None:
    if kind not in CouncilTemplate.Kind.values:
        raise ValidationError({"kind": ValidationError(_("Unbekannte Art der Vorlage."), code="unknown_kind")})


def check_template(content: bytes, name: str) -> None:
    """Raise a ValidationError unless `content` is a DOCX template that renders with sample data."""
    if len(content) > MAX_SIZE:
        raise ValidationError(
            _("Die Vorlage ist zu groß (höchstens %(limit)d MB)."), code="template_too_large", params={"limit": 10}
        )
    not_docx = ValidationError(
        _("Die Datei „%(name)s“ ist keine Word-Datei (DOCX). Bitte laden Sie eine DOCX-Vorlage hoch."),
        code="template_not_docx",
        params={"name": name},
    )
    if not content.startswith(b"PK\x03\x04"):
        raise not_docx
    checked = check_uploads([ContentFile(content, name=name)])  # ZIP structure, size, macros; names the file
    if checked[0].content_type != DOCX:
        raise not_docx
    try:
        docx.render(content, council.sample_context(), io.BytesIO())
    except docx.UnknownPlaceholders as unknown:
        raise ValidationError(
            _("Die Vorlage enthält unbekannte Platzhalter: %(names)s. Erlaubt sind die in der Anleitung genannten.")
            % {"names": ", ".join("{{ " + name + " }}" for name in unknown.names)},
            code="unknown_placeholder",
        ) from None
    except TemplateSyntaxError as error:
        raise ValidationError(
            _("Die Vorlage enthält einen fehlerhaften Platzhalter oder Befehl: %(message)s")
            % {"message": error.message},
            code="template_syntax",
        ) from None
    except Exception:  # python-docx, lxml and Jinja raise many kinds of errors on broken templates
        raise ValidationError(
            _("Die Vorlage „%(name)s“ lässt sich nicht ausfüllen. Bitte prüfen Sie die Datei und ihre Platzhalter."),
            code="template_invalid",
            params={"name": name},
        ) from None


@transaction.atomic
def council_template_upload(*, municipality, kind: str, file, by) -> CouncilTemplate:
    """Store `file` as the municipality's template of `kind` (replacing an earlier one) after checking it."""
    rules.require(by, "manage", municipality)
    _check_kind(kind)
    if file is None or not getattr(file, "size", 0):
        raise ValidationError({"file": ValidationError(_("Bitte wählen Sie eine Datei aus."), code="required")})
    if file.size > MAX_SIZE:
        raise ValidationError(
            _("Die Vorlage ist zu groß (höchstens %(limit)d MB)."), code="template_too_large", params={"limit": 10}
        )
    file.seek(0)
    content = file.read()
    name = (getattr(file, "name", "") or "vorlage.docx").replace("\\", "/").rsplit("/", 1)[-1][:255]
    check_template(content, name)
    template, _created = CouncilTemplate.objects.update_or_create(
        municipality=municipality,
        kind=kind,
        defaults={
            "content": content,
            "original_name": name,
            "size": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
            "uploaded_by": rules.user_or_none(by),
            "uploaded_at": timezone.now(),
        },
    )
    return template


@transaction.atomic
def council_template_delete(*, municipality, kind: str, by) -> int:
    """Delete the municipality's own template of `kind` (the default applies again); return how many."""
    rules.require(by, "manage", municipality)
    _check_kind(kind)
    return CouncilTemplate.objects.filter(municipality=municipality, kind=kind).delete()[0]


def council_template_file(*, municipality, kind: str, by, default: bool = False) -> tuple[str, bytes]:
    """Return the file name and content of the municipality's template of `kind` (or the default)."""
    rules.require(by, "moderate", municipality)
    _check_kind(kind)
    own = None if default else CouncilTemplate.objects.filter(municipality=municipality, kind=kind).first()
    if own is not None:
        return own.original_name, bytes(own.content)
    return f"{kind}-standardvorlage.docx", docx.default_template(kind)


def templates_of(municipality) -> list[dict]:
    """Return each kind with the municipality's own template (or None)."""
    own = {t.kind: t for t in CouncilTemplate.objects.filter(municipality=municipality).defer("content")}
    return [{"kind": value, "label": label, "own": own.get(value)} for value, label in CouncilTemplate.Kind.choices]
