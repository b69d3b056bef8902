"""What an invited authority does behind its access link: open it, submit statements, answer "keine Bedenken".

No account is involved: the signed token of the link is the credential. Every service here takes the
token and checks it itself (`invitation_for_token`), so no entry point can skip the check.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import LineString, Point, Polygon
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participation.attachments import CheckedUpload, atomic_with_attachments, form_text, store_attachments
from participation.models import Consultation, Statement
from participation.periods import end_of_day
from participation.services import check_statement_place, check_statement_section
from plans.models import Municipality

from .models import Invitation, InvitationAction
from .receipt import send_receipt_mail
from .tokens import read_token

# The fixed text of a "keine Anregungen oder Bedenken" answer (stored as the statement text).
NO_OBJECTIONS_TEXT = gettext_lazy("Zu der Planung bestehen aus Sicht unserer Behörde keine Anregungen oder Bedenken.")


class AccessRefused(Exception):
    """The access link does not (or no longer) lead to an invitation; `code` says why, `status` is the HTTP status."""

    STATUS = {"invalid": 404, "foreign_domain": 404, "revoked": 410, "unpublished": 410}

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code
        self.status = self.STATUS[code]


def invitation_for_token(token: str, *, municipality: Municipality | None = None) -> Invitation:
    """Return the invitation of an access link, or raise AccessRefused.

    Refused: a tampered or unknown token; a revoked or replaced link (key mismatch); a request on another
    municipality's own domain (`municipality`, see portal.middleware); a plan that is not (or no longer) public.
    """
    value = read_token(token)
    if value is None:
        raise AccessRefused("invalid")
    pk, key = value
    invitation = (
        Invitation.objects.select_related("authority", "consultation__plan__municipality").filter(pk=pk).first()
    )
    if invitation is None or invitation.consultation.kind != Consultation.Kind.AUTHORITIES:
        raise AccessRefused("invalid")
    if municipality is not None and municipality.pk != invitation.consultation.plan.municipality_id:
        raise AccessRefused("foreign_domain")
    if invitation.revoked_at is not None or not _same_key(invitation.key, key):
        raise AccessRefused("revoked")
    if not invitation.consultation.plan.is_public:
        raise AccessRefused("unpublished")
    return invitation


def _same_key(stored: str, given: str) -> bool:
    import hmac

    return bool(stored) and hmac.compare_digest(stored.encode(), given.encode())


def deadline_end(invitation: Invitation) -> dt.datetime:
    """Return the end of the invitation's deadline: 24:00 Europe/Berlin on the deadline day."""
    return end_of_day(invitation.deadline)


def invitation_open(*, token: str, municipality: Municipality | None = None, at: dt.datetime | None = None):
    """Return the invitation of `token`; record the first opening of the link (opened_at, one OPEN log entry)."""
    invitation = invitation_for_token(token, municipality=municipality)
    if invitation.opened_at is None:
        at = at or timezone.now()
        with transaction.atomic():
            # The conditional update lets exactly one of two simultaneous first requests log the opening.
            if Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=at):
                InvitationAction.objects.create(invitation=invitation, kind=InvitationAction.Kind.OPEN, at=at)
                invitation.opened_at = at
    return invitation


def authority_statement_submit(
    *,
    token: str,
    municipality: Municipality | None = None,
    clerk_name: str,
    email: str,
    text: str = "",
    file_reference: str = "",
    topic: str = Statement.Topic.OTHER,
    location: Point | None = None,
    drawn_area: Polygon | None = None,
    drawn_line: LineString | None = None,
    feature=None,
    section=None,
    no_objections: bool = False,
    form_token: uuid.UUID | None = None,
    attachments: list[CheckedUpload] | None = None,
    ip_address: str | None = None,
    at: dt.datetime | None = None,
) -> Statement:
    """Store a statement of the invited authority (or its "keine Anregungen oder Bedenken") and mail the receipt.

    The statement is confirmed at once (the personal link is the proof), never public, and late when it
    arrives after the invitation's deadline (accepted, stamped, flagged). `attachments` are the files already
    checked by the form (participation.attachments.check_uploads), stored in the same transaction; without
    text, the text fields of a filled-in PDF form among them become the statement text.
    """
    invitation = invitation_for_token(token, municipality=municipality)
    at = at or timezone.now()
    consultation = invitation.consultation
    errors: dict[str, ValidationError] = {}
    clerk_name = (clerk_name or "").strip()
    email = (email or "").strip()
    file_reference = (file_reference or "").strip()
    if no_objections:
        text, topic, feature, section = str(NO_OBJECTIONS_TEXT), Statement.Topic.OTHER, None, None
        location = drawn_area = drawn_line = None
    text = (text or "").strip() or (form_text(attachments) if attachments else "")
    if not clerk_name and not no_objections:
        errors["clerk_name"] = ValidationError(
            _("Bitte geben Sie den Namen der Sachbearbeitung an."), code="clerk_name_required"
        )
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = ValidationError(
            _("Bitte geben Sie eine gültige E-Mail-Adresse für die Eingangsbestätigung an."), code="invalid_email"
        )
    if not text:
        errors["comment"] = ValidationError(_("Bitte geben Sie Ihre Stellungnahme ein."), code="text_required")
    elif len(text) > settings.PARTICIPATION_MAX_TEXT_LENGTH:
        errors["comment"] = ValidationError(_("Der Text ist zu lang."), code="text_too_long")
    if len(file_reference) > 100:
        errors["file_reference"] = ValidationError(_("Das Aktenzeichen ist zu lang."), code="file_reference_too_long")
    if topic not in Statement.Topic.values:
        errors["topic"] = ValidationError(_("Bitte wählen Sie ein Thema."), code="invalid_topic")
    if errors:
        raise ValidationError(errors)
    check_statement_place(
        consultation, location=location, drawn_area=drawn_area, drawn_line=drawn_line, feature=feature
    )
    check_statement_section(consultation, section)

    authority = invitation.authority
    statement = Statement(
        consultation=consultation,
        content_type=ContentType.objects.get_for_model(Consultation),
        object_pk=str(consultation.pk),
        site_id=settings.SITE_ID,
        user_name=clerk_name[:50],
        user_email=email,
        comment=text,
        topic=topic,
        location=location,
        drawn_area=drawn_area,
        drawn_line=drawn_line,
        feature=feature,
        section=section,
        submit_date=at,
        ip_address=ip_address,
        channel=Statement.Channel.AUTHORITY,
        confirmed_at=at,
        is_public=False,
        form_token=form_token,
        organisation=str(authority)[:250],
        file_reference=file_reference,
        no_objections=no_objections,
        invitation=invitation,
    )
    late = at >= deadline_end(invitation)
    try:
        with atomic_with_attachments():
            statement.save()
            if attachments:
                store_attachments(statement, attachments, by=None)
            if invitation.answered_at is None:
                Invitation.objects.filter(pk=invitation.pk, answered_at__isnull=True).update(answered_at=at)
                invitation.answered_at = at
            InvitationAction.objects.create(
                invitation=invitation,
                kind=InvitationAction.Kind.NO_OBJECTIONS if no_objections else InvitationAction.Kind.ANSWER,
                at=at,
                details={"statement": statement.pk, "late": late},
            )
            _enqueue_with_transaction(send_receipt_mail, statement.pk)
    except IntegrityError:
        if form_token is None or not Statement.objects.filter(form_token=form_token).exists():
            raise
        # Back button or a second click: the unique form token let only the first submission in.
        raise ValidationError(
            _(
                "Formular bereits abgeschickt – diese Stellungnahme ist schon eingegangen (siehe Liste). "
                "Wenn Sie eine weitere Stellungnahme abgeben möchten, prüfen Sie Ihre Angaben und senden Sie "
                "das Formular erneut ab."
            ),
            code="form_token_used",
        ) from None
    return statement


def _enqueue_with_transaction(task, *args) -> None:
    """Enqueue `task` so that it runs only if the surrounding transaction commits (see participation.services)."""
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args)  # the task row commits with the statement: the receipt cannot get lost
    else:
        transaction.on_commit(lambda: task.enqueue(*args))
