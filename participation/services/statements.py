"""Statements: online submission and confirmation, reports of abuse, statements entered by staff, place checks."""

import dataclasses
import datetime as dt
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import LineString, Point, Polygon
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.bundid import CitizenIdentity
from plans import rules
from plans.links import base_url

from ..attachments import CheckedUpload, atomic_with_attachments, form_text, store_attachments
from ..models import Consultation, ModerationAction, Statement
from ..periods import local_date, start_of_day
from ..tasks import send_confirmation_mail
from .places import check_reply_parent, check_statement_place, check_statement_section
from .ratelimit import check_rate

CONFIRM_SALT = "participation.statement.confirm"


def _now(at):
    return at or timezone.now()


@dataclasses.dataclass
class SubmitResult:
    statement: Statement
    created: bool
    needs_confirmation: bool


def confirmation_token(statement: Statement) -> str:
    """Return the short signed token that confirms `statement` by e-mail."""
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(str(statement.pk))


def confirmation_url(statement: Statement) -> str:
    # The confirmation page belongs to no municipality, so it is under SITE_URL (what absolute_url() would find
    # by resolving the path, on every submission).
    return base_url() + reverse("participation:confirm", kwargs={"token": confirmation_token(statement)})


def _moderator_for(consultation):
    from django_comments_xtd.moderation import moderator

    return moderator._registry.get(Consultation)


def statement_submit(
    *,
    consultation: Consultation,
    text: str,
    topic: str = Statement.Topic.OTHER,
    user=None,
    citizen: CitizenIdentity | None = None,
    name: str = "",
    email: str = "",
    location: Point | None = None,
    drawn_area: Polygon | None = None,
    drawn_line: LineString | None = None,
    feature=None,
    section=None,
    parent: Statement | None = None,
    privacy_consent: bool,
    public_opt_in: bool = False,
    official: bool = False,
    ip_address: str | None = None,
    form_token: uuid.UUID | None = None,
    attachments: list[CheckedUpload] | None = None,
    at: dt.datetime | None = None,
) -> SubmitResult:
    """Store a statement submitted online; guests get a confirmation e-mail, logged-in users and BundID citizens none.

    A `citizen` identified by BundID submits under the name and address of the assertion (the form's are
    ignored); the statement is marked as identified with the citizen's pseudonymous subject and counts as
    confirmed at once.

    `privacy_consent` acknowledges the Art. 13 notice (required); `public_opt_in` allows showing the
    statement publicly under its pseudonym (optional; without it the statement is never public).

    `attachments` (from `participation.attachments.check_uploads`) are stored in the same transaction;
    without text, the text fields of a filled-in PDF form among them become the statement text.
    """
    at = _now(at)
    if not consultation.is_open_at(at):
        raise ValidationError(
            _("Die Beteiligung ist nicht geöffnet. Stellungnahmen können derzeit nicht abgegeben werden."),
            code="not_open",
        )
    if not privacy_consent:
        raise ValidationError(
            {
                "privacy_consent": ValidationError(
                    _("Bitte bestätigen Sie, dass Sie die Datenschutzhinweise zur Kenntnis genommen haben."),
                    code="privacy_consent_required",
                )
            }
        )
    text = (text or "").strip() or (form_text(attachments) if attachments else "")
    if not text:
        raise ValidationError(
            {"comment": ValidationError(_("Bitte geben Sie Ihre Stellungnahme ein."), code="text_required")}
        )
    if len(text) > settings.PARTICIPATION_MAX_TEXT_LENGTH:
        raise ValidationError(
            {
                "comment": ValidationError(
                    _("Ihre Stellungnahme ist zu lang: höchstens %(limit)s Zeichen."),
                    code="text_too_long",
                    params={"limit": settings.PARTICIPATION_MAX_TEXT_LENGTH},
                )
            }
        )
    authenticated = bool(user is not None and user.is_authenticated)
    if authenticated:
        citizen = None  # staff write as themselves
    identified = citizen is not None
    if not authenticated and not identified and not (name.strip() and email.strip()):
        raise ValidationError(_("Bitte geben Sie Name und E-Mail-Adresse an."), code="name_email_required")
    check_statement_place(
        consultation, location=location, drawn_area=drawn_area, drawn_line=drawn_line, feature=feature
    )
    check_statement_section(consultation, section)
    check_reply_parent(consultation, parent)
    if official:
        if not (authenticated and rules.can_moderate(user, consultation.plan.municipality)):
            raise ValidationError(_("Nur die Verwaltung kann offizielle Antworten geben."), code="official_not_allowed")
    check_rate(ip_address, "" if authenticated or identified else email)

    if authenticated:
        name = name.strip() or user.get_full_name() or user.get_username()
        email = user.email or email
    elif citizen is not None:
        name, email = citizen.name, citizen.email
    confirmed = authenticated or identified
    statement = Statement(
        consultation=consultation,
        content_type=ContentType.objects.get_for_model(Consultation),
        object_pk=str(consultation.pk),
        site_id=settings.SITE_ID,
        user=user if authenticated else None,
        user_name=name.strip()[:50],
        user_email=email.strip(),
        postal_address=citizen.address if citizen else "",
        identified_with="bundid" if citizen else "",
        identity_subject=citizen.subject if citizen else "",
        comment=text,
        topic=topic,
        location=location,
        drawn_area=drawn_area,
        drawn_line=drawn_line,
        feature=feature,
        section=section,
        parent_id=parent.pk if parent else 0,
        submit_date=at,
        ip_address=ip_address,
        channel=Statement.Channel.ONLINE,
        privacy_consent=True,
        public_opt_in=bool(public_opt_in or official),
        is_official=official,
        confirmed_at=at if confirmed else None,
        form_token=form_token,
        is_public=False,
    )
    moderator = _moderator_for(consultation)
    if moderator is not None and not moderator.allow(statement, consultation, None):
        raise ValidationError(
            _("Die Beteiligung ist nicht geöffnet. Stellungnahmen können derzeit nicht abgegeben werden."),
            code="not_open",
        )
    if confirmed:
        statement.is_public = _publish_immediately(consultation, statement)
    content = _submitted_content(statement, parent.pk if parent else None)  # before save() sets ids
    try:
        with atomic_with_attachments():
            statement.save()
            if attachments:
                store_attachments(statement, attachments, by=user)
            if not confirmed:
                _enqueue_with_transaction(send_confirmation_mail, statement.pk, confirmation_url(statement))
    except IntegrityError:
        if form_token is None:
            raise
        # Fresh read after the rollback: the unique index let only one submission with this token commit.
        existing = Statement.objects.filter(form_token=form_token).first()
        if existing is None or not _same_content(existing, content):
            # The browser's Back button re-sends an old form's token with new text: never acknowledge and drop it.
            raise ValidationError(
                _("Formular bereits abgeschickt – bitte prüfen Sie Ihren Text und senden Sie ihn erneut ab."),
                code="form_token_used",
            ) from None
        return SubmitResult(existing, False, existing.confirmed_at is None)
    return SubmitResult(statement, True, not confirmed)


def _submitted_content(statement: Statement, parent_id: int | None) -> tuple:
    """Return what a citizen typed and chose in the form: text, topic, place, author, reply target."""
    return (
        statement.consultation_id,
        statement.user_id,
        statement.user_name,
        statement.user_email,
        statement.comment,
        str(statement.topic),
        statement.feature_id,
        statement.section_id,
        parent_id,
        statement.is_official,
        statement.public_opt_in,
        _geometry_key(statement.location),
        _geometry_key(statement.drawn_area),
        _geometry_key(statement.drawn_line),
    )


def _same_content(existing: Statement, content: tuple) -> bool:
    """Return whether the stored statement carries exactly the submitted content (a double-click)."""
    parent_id = None if existing.parent_id in (0, existing.pk) else existing.parent_id
    return _submitted_content(existing, parent_id) == content


def _geometry_key(geometry: Point | Polygon | LineString | None) -> tuple | None:
    """Return SRID, type and coordinates rounded to about a millimetre: comparable after a database round trip."""
    if geometry is None:
        return None
    return (geometry.srid, geometry.geom_type, _rounded(geometry.coords))


def _rounded(coords):
    if isinstance(coords, float | int):
        return round(coords, 8)
    return tuple(_rounded(c) for c in coords)


def _enqueue_with_transaction(task, *args) -> None:
    """Enqueue `task` so that it runs only if the surrounding transaction commits."""
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(task.get_backend(), DatabaseBackend):
        # The task row joins the statement's transaction: the worker sees it only after the
        # commit, a crash between commit and enqueue cannot lose the mail, and it saves a commit.
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))


def _publish_immediately(consultation, statement) -> bool:
    if not statement.public_opt_in:
        return False
    if statement.is_official:
        return consultation.publishes_statements
    moderator = _moderator_for(consultation)
    if moderator is not None:
        return not moderator.moderate(statement, consultation, None)
    return consultation.moderation == Consultation.Moderation.POST


@transaction.atomic
def statement_confirm(*, token: str, at=None) -> Statement:
    """Confirm a guest statement from its e-mail link; the submission time stays the time of the POST."""
    at = _now(at)
    try:
        pk = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(token, max_age=settings.PARTICIPATION_CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(
            _("Der Bestätigungslink ist abgelaufen. Bitte reichen Sie Ihre Stellungnahme erneut ein."),
            code="token_expired",
        ) from None
    except signing.BadSignature:
        raise ValidationError(_("Der Bestätigungslink ist ungültig."), code="invalid_token") from None
    # norel_objects: xtd's default manager joins the (nullable) user, which FOR UPDATE refuses on PostgreSQL.
    statement = Statement.norel_objects.select_for_update(of=("self",)).filter(pk=pk).first()
    if statement is None:
        raise ValidationError(_("Der Bestätigungslink ist ungültig."), code="invalid_token")
    if statement.confirmed_at is None:
        statement.confirmed_at = at
        # A statement withdrawn before its confirmation stays unpublished (services.citizen).
        statement.is_public = statement.withdrawn_at is None and _publish_immediately(statement.consultation, statement)
        statement.save(update_fields=["confirmed_at", "is_public"])
    return statement


@transaction.atomic
def statement_flag(*, statement: Statement, by=None, reason: str = "", ip_address: str | None = None, at=None) -> bool:
    """Record a report of an abusive statement; return False if this visitor already reported it."""
    at = _now(at)
    who = f"user:{by.pk}" if getattr(by, "is_authenticated", False) else f"ip:{ip_address}"
    if not cache.add(f"pb:flag:{statement.pk}:{who}", 1, 30 * 24 * 3600):
        return False
    Statement.objects.filter(pk=statement.pk).update(flag_count=F("flag_count") + 1)
    ModerationAction.objects.create(
        statement=statement,
        kind=ModerationAction.Kind.FLAG,
        by=by if getattr(by, "is_authenticated", False) else None,
        at=at,
        reason=(reason or "").strip()[:1000],
    )
    return True


@atomic_with_attachments()
def paper_statement_create(
    *,
    consultation: Consultation,
    by,
    text: str,
    channel: str,
    received_on: dt.date,
    topic: str = Statement.Topic.OTHER,
    name: str = "",
    email: str = "",
    postal_address: str = "",
    location: Point | None = None,
    feature=None,
    attachments: list[CheckedUpload] | None = None,
    at=None,
) -> Statement:
    """Enter a statement received by post, e-mail or in person; it counts from the day it was received.

    `attachments` (checked uploads: the scanned letter, enclosures) are stored with it; without text,
    the text fields of a filled-in PDF form among them become the statement text.
    """
    rules.require(by, "manage", consultation.plan.municipality)
    at = _now(at)
    if channel == Statement.Channel.ONLINE:
        raise ValidationError(
            {
                "channel": ValidationError(
                    _("Online-Stellungnahmen werden über das Formular abgegeben."), code="online_channel"
                )
            }
        )
    if received_on > local_date(at):
        raise ValidationError(
            {
                "received_on": ValidationError(
                    _("Das Eingangsdatum darf nicht in der Zukunft liegen."), code="received_in_future"
                )
            }
        )
    text = (text or "").strip() or (form_text(attachments) if attachments else "")
    if not text:
        raise ValidationError(
            {"text": ValidationError(_("Bitte den Text der Stellungnahme eingeben."), code="text_required")}
        )
    check_statement_place(consultation, location=location, feature=feature)
    statement = Statement(
        consultation=consultation,
        content_type=ContentType.objects.get_for_model(Consultation),
        object_pk=str(consultation.pk),
        site_id=settings.SITE_ID,
        user_name=name.strip()[:50],
        user_email=email.strip(),
        postal_address=postal_address.strip(),
        comment=text,
        topic=topic,
        location=location,
        feature=feature,
        channel=channel,
        received_on=received_on,
        submit_date=min(start_of_day(received_on), at),
        confirmed_at=at,
        entered_by=rules.user_or_none(by),
        privacy_consent=False,
        is_public=False,
    )
    statement.save()
    store_attachments(statement, attachments or [], by=by)
    return statement
