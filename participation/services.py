"""Write operations for consultations and statements.

Every period change (schedule, open, extend, close, reopen) and every moderation step
goes through one of these functions, whichever way it is triggered: staff UI, admin,
management command. Each writes a log row with user, time and reason.
"""

import dataclasses
import datetime as dt
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import GEOSGeometry, Point, Polygon
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Consultation, ConsultationAction, ModerationAction, Statement
from .periods import local_date, start_of_day

MIN_PUBLICATION_DAYS = 30
CONFIRM_SALT = "participation.statement.confirm"


# --- Consultation periods -------------------------------------------------------------------


def _now(at):
    return at or timezone.now()


def _log(consultation, kind, *, by, at, reason, **details) -> ConsultationAction:
    return ConsultationAction.objects.create(
        consultation=consultation,
        kind=kind,
        by=by if getattr(by, "is_authenticated", False) else None,
        at=at,
        reason=reason or "",
        start_date=consultation.start_date,
        end_date=consultation.end_date,
        closed_at=consultation.closed_at,
        details={key: str(value) for key, value in details.items()},
    )


def _after_period_change(consultation: Consultation, action: ConsultationAction) -> None:
    """Draft the announcements a period change calls for (sent only after staff approve them)."""
    from .announcements.services import announcement_drafts_for_event, announcements_consultation_changed

    kind = ConsultationAction.Kind
    if action.kind == kind.SCHEDULE:
        announcement_drafts_for_event(event="consultation_scheduled", plan=consultation.plan, consultation=consultation)
    elif action.kind in (kind.OPEN, kind.REOPEN):
        announcement_drafts_for_event(event="consultation_opened", plan=consultation.plan, consultation=consultation)
    elif action.kind == kind.EXTEND:
        announcements_consultation_changed(consultation=consultation)
    elif action.kind == kind.CLOSE:
        announcement_drafts_for_event(event="consultation_closed", plan=consultation.plan, consultation=consultation)


def _check_period(consultation: Consultation, start: dt.date, end: dt.date, reason: str) -> None:
    """Refuse an end before the start and a § 3 Abs. 2 period under 30 days without a reason."""
    if end < start:
        raise ValidationError({"end_date": _("Das Ende darf nicht vor dem Beginn liegen.")})
    days = (end - start).days + 1
    if consultation.kind == Consultation.Kind.PUBLICATION and days < MIN_PUBLICATION_DAYS and not reason.strip():
        raise ValidationError(
            {
                "reason": _(
                    "Eine Veröffentlichung nach § 3 Abs. 2 BauGB dauert mindestens 30 Tage (geplant: %(days)d). "
                    "Für eine kürzere Frist ist eine Begründung erforderlich."
                )
                % {"days": days}
            }
        )


def _remember_short_reason(consultation, start, end, reason):
    if consultation.kind == Consultation.Kind.PUBLICATION and (end - start).days + 1 < MIN_PUBLICATION_DAYS:
        consultation.short_period_reason = reason.strip()


@transaction.atomic
def consultation_schedule(
    *, consultation: Consultation, by, start_date: dt.date, end_date: dt.date, reason: str = "", at=None
) -> ConsultationAction:
    """Set the period of a consultation that has not started yet (or reschedule it)."""
    at = _now(at)
    if consultation.pk and consultation.state_at(at) != "scheduled" and consultation.actions.exists():
        raise ValidationError(_("Der Zeitraum hat bereits begonnen. Bitte verlängern, beenden oder wieder öffnen."))
    if start_date < local_date(at):
        raise ValidationError({"start_date": _("Der Beginn darf nicht in der Vergangenheit liegen.")})
    _check_period(consultation, start_date, end_date, reason)
    _remember_short_reason(consultation, start_date, end_date, reason)
    consultation.start_date, consultation.end_date, consultation.closed_at = start_date, end_date, None
    consultation.save()
    action = _log(consultation, ConsultationAction.Kind.SCHEDULE, by=by, at=at, reason=reason)
    _after_period_change(consultation, action)
    return action


@transaction.atomic
def consultation_open(
    *, consultation: Consultation, by, end_date: dt.date | None = None, reason: str = "", at=None
) -> ConsultationAction:
    """Open the consultation now (start today), optionally with a new end date."""
    at = _now(at)
    if consultation.kind == Consultation.Kind.AUTHORITIES:
        raise ValidationError(_("Die Beteiligung der Behörden (§ 4 BauGB) ist nicht öffentlich."))
    if consultation.is_open_at(at):
        raise ValidationError(_("Die Beteiligung läuft bereits."))
    if consultation.state_at(at) == "closed":
        raise ValidationError(_("Die Beteiligung ist beendet. Zum erneuten Öffnen ist eine Begründung nötig."))
    today = local_date(at)
    end = end_date or consultation.end_date
    if end < today:
        raise ValidationError({"end_date": _("Das Ende muss heute oder später sein.")})
    _check_period(consultation, today, end, reason)
    _remember_short_reason(consultation, today, end, reason)
    previous = consultation.start_date
    consultation.start_date, consultation.end_date, consultation.closed_at = today, end, None
    consultation.save()
    action = _log(consultation, ConsultationAction.Kind.OPEN, by=by, at=at, reason=reason, previous_start=previous)
    _after_period_change(consultation, action)
    return action


@transaction.atomic
def consultation_extend(
    *, consultation: Consultation, by, end_date: dt.date, reason: str = "", at=None
) -> ConsultationAction:
    """Move the end of a scheduled or running consultation to a later day."""
    at = _now(at)
    if consultation.state_at(at) == "closed":
        raise ValidationError(_("Die Beteiligung ist bereits beendet. Bitte mit Begründung wieder öffnen."))
    if end_date <= consultation.end_date:
        raise ValidationError({"end_date": _("Das neue Ende muss nach dem bisherigen Ende liegen.")})
    previous = consultation.end_date
    consultation.end_date = end_date
    consultation.save()
    action = _log(consultation, ConsultationAction.Kind.EXTEND, by=by, at=at, reason=reason, previous_end=previous)
    _after_period_change(consultation, action)
    return action


@transaction.atomic
def consultation_close(*, consultation: Consultation, by, reason: str = "", at=None) -> ConsultationAction:
    """End a running consultation early, at `at` (default: now)."""
    at = _now(at)
    if not consultation.is_open_at(at):
        raise ValidationError(_("Die Beteiligung läuft nicht und kann daher nicht beendet werden."))
    consultation.closed_at = at
    consultation.save()
    action = _log(consultation, ConsultationAction.Kind.CLOSE, by=by, at=at, reason=reason)
    _after_period_change(consultation, action)
    return action


@transaction.atomic
def consultation_reopen(
    *, consultation: Consultation, by, reason: str, end_date: dt.date | None = None, at=None
) -> ConsultationAction:
    """Open an ended consultation again; a reason is required."""
    at = _now(at)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Zum erneuten Öffnen ist eine Begründung erforderlich.")})
    if consultation.kind == Consultation.Kind.AUTHORITIES:
        raise ValidationError(_("Die Beteiligung der Behörden (§ 4 BauGB) ist nicht öffentlich."))
    if consultation.state_at(at) != "closed":
        raise ValidationError(_("Nur eine beendete Beteiligung kann wieder geöffnet werden."))
    end = end_date or consultation.end_date
    if end < local_date(at):
        raise ValidationError({"end_date": _("Bitte ein neues Ende angeben, das heute oder später liegt.")})
    previous_end, previous_close = consultation.end_date, consultation.closed_at
    consultation.end_date, consultation.closed_at = end, None
    consultation.save()
    action = _log(
        consultation,
        ConsultationAction.Kind.REOPEN,
        by=by,
        at=at,
        reason=reason,
        previous_end=previous_end,
        previous_close=previous_close or "",
    )
    _after_period_change(consultation, action)
    return action


# --- Statements ------------------------------------------------------------------------------


class RateLimited(Exception):
    """Too many submissions from one IP address or e-mail address."""


@dataclasses.dataclass
class SubmitResult:
    statement: Statement
    created: bool
    needs_confirmation: bool


# Per-process caches: building a coordinate transformation costs milliseconds, using one microseconds.
_area_cache: dict = {}
_transform_cache: dict = {}


def _to_crs(epsg: int) -> CoordTransform:
    if epsg not in _transform_cache:
        _transform_cache[epsg] = CoordTransform(SpatialReference(4326), SpatialReference(epsg))
    return _transform_cache[epsg]


def _plan_area_in_crs(plan):
    """Return the plan's Geltungsbereich in its municipality's metric CRS, buffered by the tolerance, prepared."""
    epsg = plan.municipality.crs_epsg
    key = (plan.updated_at, epsg, settings.PARTICIPATION_AREA_TOLERANCE_M)
    cached = _area_cache.get(plan.pk)
    if cached and cached[0] == key:
        return cached[1], epsg
    area = plan.area.transform(_to_crs(epsg), clone=True)
    prepared = area.buffer(settings.PARTICIPATION_AREA_TOLERANCE_M).prepared
    _area_cache[plan.pk] = (key, prepared)
    return prepared, epsg


def geometry_in_plan_area(plan, geometry: GEOSGeometry) -> bool:
    """Return whether `geometry` (SRID 4326) lies inside the plan's Geltungsbereich (with a few metres' tolerance)."""
    prepared, epsg = _plan_area_in_crs(plan)
    return prepared.covers(geometry.transform(_to_crs(epsg), clone=True))


def parse_location(lat, lon) -> Point | None:
    """Return a Point from latitude/longitude strings, None if both are empty; raise ValidationError otherwise."""
    lat, lon = (str(lat or "").strip(), str(lon or "").strip())
    if not lat and not lon:
        return None
    try:
        lat_f, lon_f = float(lat.replace(",", ".")), float(lon.replace(",", "."))
    except ValueError:
        raise ValidationError(_("Die Koordinaten des Ortes sind keine Zahlen.")) from None
    if not (-90 <= lat_f <= 90 and -180 <= lon_f <= 180) or lat_f != lat_f or lon_f != lon_f:
        raise ValidationError(_("Die Koordinaten des Ortes liegen außerhalb des gültigen Bereichs."))
    return Point(lon_f, lat_f, srid=4326)


def check_statement_place(consultation, *, location=None, drawn_area=None, feature=None) -> None:
    """Raise ValidationError unless location, drawn area and feature belong to the consultation's plan."""
    plan = consultation.plan
    errors = {}
    if location is not None and not geometry_in_plan_area(plan, location):
        errors["location"] = _("Der markierte Ort liegt außerhalb des Geltungsbereichs des Plans.")
    if drawn_area is not None and not geometry_in_plan_area(plan, drawn_area):
        errors["location"] = _("Die gezeichnete Fläche liegt außerhalb des Geltungsbereichs des Plans.")
    if feature is not None and feature.layer.plan_id != plan.pk:
        errors["feature"] = _("Der gewählte Planinhalt gehört nicht zu diesem Plan.")
    if errors:
        raise ValidationError(errors)


def check_reply_parent(consultation, parent: Statement | None) -> None:
    """Raise ValidationError unless `parent` is a visible statement of `consultation` that may get replies."""
    if parent is None:
        return
    if parent.consultation_id != consultation.pk:
        raise ValidationError(_("Die Antwort bezieht sich auf einen Beitrag einer anderen Beteiligung."))
    if parent.level >= settings.COMMENTS_XTD_MAX_THREAD_LEVEL:
        raise ValidationError(_("Auf diesen Beitrag kann nicht weiter geantwortet werden (maximale Tiefe erreicht)."))
    if parent.is_removed or not parent.is_public or parent.confirmed_at is None:
        raise ValidationError(_("Auf diesen Beitrag kann nicht geantwortet werden."))


def _check_rate(ip_address: str | None, email: str) -> None:
    if not settings.PARTICIPATION_RATE_LIMIT_ENABLED:
        return
    window, limit = settings.PARTICIPATION_RATE_WINDOW, settings.PARTICIPATION_RATE_LIMIT
    keys = []
    if ip_address:
        keys.append(f"pb:rate:ip:{ip_address}")
    if email:
        keys.append(f"pb:rate:mail:{email.strip().lower()}")
    for key in keys:
        cache.add(key, 0, window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            count = 1
        if count > limit:
            raise RateLimited


def confirmation_token(statement: Statement) -> str:
    """Return the short signed token that confirms `statement` by e-mail."""
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(str(statement.pk))


def confirmation_url(statement: Statement) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(
        "participation:confirm", kwargs={"token": confirmation_token(statement)}
    )


def _moderator_for(consultation):
    from django_comments_xtd.moderation import moderator

    return moderator._registry.get(Consultation)


def statement_submit(
    *,
    consultation: Consultation,
    text: str,
    topic: str = Statement.Topic.OTHER,
    user=None,
    name: str = "",
    email: str = "",
    location: Point | None = None,
    drawn_area: Polygon | None = None,
    feature=None,
    parent: Statement | None = None,
    privacy_consent: bool,
    official: bool = False,
    ip_address: str | None = None,
    form_token: uuid.UUID | None = None,
    at: dt.datetime | None = None,
) -> SubmitResult:
    """Store a statement submitted online; guests get a confirmation e-mail, logged-in users none."""
    at = _now(at)
    if not consultation.is_open_at(at):
        raise ValidationError(
            _("Die Beteiligung ist nicht geöffnet. Stellungnahmen können derzeit nicht abgegeben werden.")
        )
    if not privacy_consent:
        raise ValidationError({"privacy_consent": _("Bitte bestätigen Sie den Datenschutzhinweis.")})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"comment": _("Bitte geben Sie Ihre Stellungnahme ein.")})
    if len(text) > settings.PARTICIPATION_MAX_TEXT_LENGTH:
        raise ValidationError({"comment": _("Der Text ist zu lang.")})
    authenticated = bool(user is not None and user.is_authenticated)
    if not authenticated and not (name.strip() and email.strip()):
        raise ValidationError(_("Bitte geben Sie Name und E-Mail-Adresse an."))
    check_statement_place(consultation, location=location, drawn_area=drawn_area, feature=feature)
    check_reply_parent(consultation, parent)
    if official:
        from plans import rules

        if not (authenticated and rules.can_moderate(user, consultation.plan.municipality)):
            raise ValidationError(_("Nur die Verwaltung kann offizielle Antworten geben."))
    _check_rate(ip_address, "" if authenticated else email)

    if authenticated:
        name = name.strip() or user.get_full_name() or user.get_username()
        email = user.email or email
    statement = Statement(
        consultation=consultation,
        content_type=ContentType.objects.get_for_model(Consultation),
        object_pk=str(consultation.pk),
        site_id=settings.SITE_ID,
        user=user if authenticated else None,
        user_name=name.strip()[:50],
        user_email=email.strip(),
        comment=text,
        topic=topic,
        location=location,
        drawn_area=drawn_area,
        feature=feature,
        parent_id=parent.pk if parent else 0,
        submit_date=at,
        ip_address=ip_address,
        channel=Statement.Channel.ONLINE,
        privacy_consent=True,
        is_official=official,
        confirmed_at=at if authenticated else None,
        form_token=form_token,
        is_public=False,
    )
    moderator = _moderator_for(consultation)
    if moderator is not None and not moderator.allow(statement, consultation, None):
        raise ValidationError(
            _("Die Beteiligung ist nicht geöffnet. Stellungnahmen können derzeit nicht abgegeben werden.")
        )
    if authenticated:
        statement.is_public = _publish_immediately(consultation, statement)
    try:
        with transaction.atomic():
            statement.save()
            if not authenticated:
                from .tasks import send_confirmation_mail

                _enqueue_with_transaction(send_confirmation_mail, statement.pk, confirmation_url(statement))
    except IntegrityError:
        if form_token is None:
            raise
        existing = Statement.objects.get(form_token=form_token)
        return SubmitResult(existing, False, existing.confirmed_at is None)
    return SubmitResult(statement, True, not authenticated)


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
            _("Der Bestätigungslink ist abgelaufen. Bitte reichen Sie Ihre Stellungnahme erneut ein.")
        ) from None
    except signing.BadSignature:
        raise ValidationError(_("Der Bestätigungslink ist ungültig.")) from None
    # norel_objects: xtd's default manager joins the (nullable) user, which FOR UPDATE refuses on PostgreSQL.
    statement = Statement.norel_objects.select_for_update(of=("self",)).filter(pk=pk).first()
    if statement is None:
        raise ValidationError(_("Der Bestätigungslink ist ungültig."))
    if statement.confirmed_at is None:
        statement.confirmed_at = at
        statement.is_public = _publish_immediately(statement.consultation, statement)
        statement.save(update_fields=["confirmed_at", "is_public"])
    return statement


MODERATION_ACTIONS = {"approve", "hide", "unhide"}


@transaction.atomic
def statement_moderate(*, statement: Statement, by, action: str, reason: str = "", at=None) -> ModerationAction:
    """Approve, hide or unhide a statement; hiding and unhiding need a reason."""
    at = _now(at)
    if action not in MODERATION_ACTIONS:
        raise ValidationError(_("Unbekannte Moderationsaktion."))
    if action in {"hide", "unhide"} and not reason.strip():
        raise ValidationError({"reason": _("Bitte geben Sie eine Begründung an.")})
    if statement.confirmed_at is None:
        raise ValidationError(_("Die Stellungnahme ist noch nicht per E-Mail bestätigt."))
    publish = statement.consultation.publishes_statements
    if action == "approve":
        statement.is_public, statement.is_removed = publish, False
    elif action == "hide":
        statement.is_removed = True
    else:
        statement.is_removed = False
        statement.is_public = publish
    statement.save(update_fields=["is_public", "is_removed"])
    return ModerationAction.objects.create(statement=statement, kind=action, by=by, at=at, reason=reason.strip())


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


@transaction.atomic
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
    at=None,
) -> Statement:
    """Enter a statement received by post, e-mail or in person; it counts from the day it was received."""
    at = _now(at)
    if channel == Statement.Channel.ONLINE:
        raise ValidationError({"channel": _("Online-Stellungnahmen werden über das Formular abgegeben.")})
    if received_on > local_date(at):
        raise ValidationError({"received_on": _("Das Eingangsdatum darf nicht in der Zukunft liegen.")})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Bitte den Text der Stellungnahme eingeben.")})
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
        entered_by=by,
        privacy_consent=False,
        is_public=False,
    )
    statement.save()
    return statement


@transaction.atomic
def personal_data_purge(
    *, older_than_days: int | None = None, consultation: Consultation | None = None, at=None
) -> int:
    """Remove names, e-mail and postal addresses and IP addresses of ended procedures' statements; keep the text."""
    at = _now(at)
    consultations = Consultation.objects.all()
    if consultation is not None:
        consultations = consultations.filter(pk=consultation.pk)
    cutoff = at - dt.timedelta(days=older_than_days or 0)
    ended = [c.pk for c in consultations if c.state_at(at) == "closed" and c.ends_at <= cutoff]
    if consultation is not None and not ended:
        raise ValidationError(_("Die Beteiligung ist noch nicht beendet; Personendaten werden noch benötigt."))
    return Statement.objects.filter(consultation__in=ended, personal_data_purged_at__isnull=True).update(
        user_name="",
        user_email="",
        user_url="",
        postal_address="",
        ip_address=None,
        user=None,
        personal_data_purged_at=at,
    )
