"""Actions on plans, their procedure stages and their documents.

Every action first asks `rules.require(by, "manage", municipality)`, then validates (errors carry
codes), then writes under `transaction.atomic`. Views, the admin, commands and the demo loader
call these functions; none of them writes plans or documents itself.
"""

import datetime as dt
from collections.abc import Iterable

from django.contrib.gis.geos import MultiPolygon
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import FileExtensionValidator
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from . import publication_guards, rules
from .models import Document, Municipality, Plan, StageChange
from .section_services import schedule_section_extraction
from .signals import document_offline, document_online, plan_published, plan_unpublished, stage_recorded
from .validators import parse_plan_area, validate_pdf

EDITABLE_FIELDS = ("kind", "number", "title", "summary", "description", "area")
# Bauleitpläne always carry a number; a Satzung or a public building project may have none.
NUMBER_OPTIONAL_KINDS = (Plan.Kind.STATUTE, Plan.Kind.PUBLIC_PROJECT)
MAX_LENGTHS = {"slug": 120, "title": 250, "number": 50, "summary": 1000, "note": 500}  # as in plans.models
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def _required(message, code="required") -> ValidationError:
    return ValidationError(message, code=code)


def plan_slug(*, municipality: Municipality, title: str, exclude_pk: int | None = None) -> str:
    """Return a slug from `title` that is unused in `municipality` (…-2, …-3 on collisions)."""
    base = slugify(title.translate(_UMLAUTS))[: MAX_LENGTHS["slug"] - 4].strip("-") or "plan"
    taken = set(
        Plan.objects.filter(municipality=municipality, slug__startswith=base)
        .exclude(pk=exclude_pk)  # type: ignore[misc]  # pk=None is valid (IS NULL); the stubs reject it
        .values_list("slug", flat=True)
    )
    slug, counter = base, 2
    while slug in taken:
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def clean_area(area, municipality: Municipality) -> MultiPolygon:
    """Return `area` as a valid MultiPolygon in EPSG:4326 inside the municipality; errors keyed 'area'."""
    try:
        return parse_plan_area(area, municipality)
    except ValidationError as exc:
        raise ValidationError({"area": exc}) from exc


def _validate_plan(plan: Plan) -> None:
    """Raise a ValidationError (field dict, with codes) if `plan`'s editable data is incomplete."""
    errors: dict[str, ValidationError] = {}
    if not (plan.title or "").strip():
        errors["title"] = _required(_("Bitte geben Sie einen Titel an."))
    if not (plan.number or "").strip() and plan.kind not in NUMBER_OPTIONAL_KINDS:
        errors["number"] = _required(_("Bitte geben Sie die Nummer des Plans an, z. B. „Nr. 64“."))
    if plan.kind not in Plan.Kind.values:
        errors["kind"] = ValidationError(_("Unbekannte Art des Plans."), code="invalid_choice")
    for name in ("title", "number", "summary"):
        max_length = MAX_LENGTHS[name]
        if len(getattr(plan, name) or "") > max_length:
            errors[name] = ValidationError(
                _("Höchstens %(limit)d Zeichen."), code="max_length", params={"limit": max_length}
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_create(
    *,
    municipality: Municipality,
    by,
    kind: str,
    number: str,
    title: str,
    summary: str = "",
    description: str = "",
    area,
    slug: str | None = None,
) -> Plan:
    """Create a draft plan in `municipality`; the slug is derived from the title unless given."""
    rules.require(by, "manage", municipality)
    plan = Plan(
        municipality=municipality,
        kind=kind,
        number=(number or "").strip(),
        title=(title or "").strip(),
        summary=summary or "",
        description=description or "",
        status=Plan.Status.DRAFT,
        stage=Plan.Stage.INITIATED,
    )
    errors: dict = {}
    try:
        _validate_plan(plan)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    try:
        plan.area = clean_area(area, municipality)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    if slug and Plan.objects.filter(municipality=municipality, slug=slug).exists():
        raise ValidationError({"slug": ValidationError(_("Dieser Kurzname ist schon vergeben."), code="slug_taken")})
    plan.slug = slug or plan_slug(municipality=municipality, title=plan.title)
    plan.save()
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, by, **fields) -> Plan:
    """Change a plan's data (kind, number, title, summary, description, area); the slug stays stable."""
    rules.require(by, "manage", plan.municipality)
    if "municipality" in fields or "municipality_id" in fields:
        raise ValidationError(
            {
                "municipality": ValidationError(
                    _("Ein Plan kann nicht in eine andere Kommune verschoben werden."), code="municipality_fixed"
                )
            }
        )
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"plan_update() cannot change {sorted(unknown)}; use the publish/stage actions.")
    errors: dict = {}
    for name, value in fields.items():
        if name == "area":
            try:
                plan.area = clean_area(value, plan.municipality)
            except ValidationError as exc:
                errors.update(exc.error_dict)
        else:
            setattr(plan, name, (value or "").strip() if name in ("number", "title") else (value or ""))
    try:
        _validate_plan(plan)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    plan.save()
    return plan


@transaction.atomic
def plan_publish(*, plan: Plan, by, at: dt.datetime | None = None) -> Plan:
    """Make the plan public from `at` (default now) and send `plan_published`."""
    rules.require(by, "manage", plan.municipality)
    if plan.status == Plan.Status.PUBLISHED:
        raise ValidationError(_("Der Plan ist bereits veröffentlicht."), code="already_published")
    publication_guards.check(plan)
    plan.status = Plan.Status.PUBLISHED
    plan.published_at = at or timezone.now()
    plan.save(update_fields=["status", "published_at", "updated_at"])
    plan_published.send(sender=Plan, plan=plan, by=by)
    return plan


@transaction.atomic
def plan_unpublish(*, plan: Plan, by) -> Plan:
    """Take a published plan offline (status 'withdrawn'); its data and documents stay."""
    rules.require(by, "manage", plan.municipality)
    if plan.status != Plan.Status.PUBLISHED:
        raise ValidationError(_("Der Plan ist nicht veröffentlicht."), code="not_published")
    plan.status = Plan.Status.WITHDRAWN
    plan.save(update_fields=["status", "updated_at"])
    plan_unpublished.send(sender=Plan, plan=plan, by=by)
    return plan


@transaction.atomic
def plan_stage_record(
    *, plan: Plan, by, stage: str, date: dt.date, note: str = "", at: dt.datetime | None = None
) -> StageChange:
    """Record a procedure step that has happened; the plan's stage becomes the latest recorded one."""
    rules.require(by, "manage", plan.municipality)
    today = timezone.localdate(at) if at else timezone.localdate()
    errors: dict = {}
    if stage not in Plan.Stage.values:
        errors["stage"] = ValidationError(_("Unbekannter Verfahrensschritt."), code="invalid_choice")
    if date is None:
        errors["date"] = _required(_("Bitte geben Sie das Datum an."))
    elif date > today:
        errors["date"] = ValidationError(
            _("Ein Verfahrensschritt wird eingetragen, wenn er stattgefunden hat; %(date)s liegt in der Zukunft."),
            code="stage_date_in_future",
            params={"date": date.strftime("%d.%m.%Y")},
        )
    if len(note or "") > MAX_LENGTHS["note"]:
        errors["note"] = ValidationError(_("Der Hinweis ist zu lang."), code="max_length")
    if errors:
        raise ValidationError(errors)
    change = StageChange.objects.create(
        plan=plan, stage=stage, date=date, note=note or "", created_by=rules.user_or_none(by)
    )
    latest = plan.stage_changes.order_by("-date", "-id").first()
    assert latest is not None  # `change` was just created
    plan.stage = latest.stage
    plan.save(update_fields=["stage", "updated_at"])
    stage_recorded.send(sender=StageChange, change=change, by=by)
    return change


def _check_pdf(file) -> None:
    """Raise a ValidationError keyed 'file' unless `file` is a PDF within the size limit."""
    if not file:
        raise ValidationError({"file": _required(_("Bitte wählen Sie eine PDF-Datei aus."))})
    try:
        FileExtensionValidator(["pdf"])(file)
        validate_pdf(file)
    except ValidationError as exc:
        raise ValidationError({"file": exc}) from exc


def _file_name(file: File) -> str:
    return (file.name or "dokument.pdf").rsplit("/", 1)[-1]


def _next_order(plan: Plan) -> int:
    highest = plan.documents.current().aggregate(highest=Max("order"))["highest"]
    return 0 if highest is None else highest + 1


@transaction.atomic
def document_upload(*, plan: Plan, by, title: str, kind: str, file: File, at: dt.datetime | None = None) -> Document:
    """Add a PDF document to the plan, placed after the current ones."""
    rules.require(by, "manage", plan.municipality)
    errors: dict = {}
    if not (title or "").strip():
        errors["title"] = _required(_("Bitte geben Sie einen Titel an."))
    if kind not in Document.Kind.values:
        errors["kind"] = ValidationError(_("Unbekannte Art des Dokuments."), code="invalid_choice")
    try:
        _check_pdf(file)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    document = Document(
        plan=plan,
        title=title.strip(),
        kind=kind,
        order=_next_order(plan),
        online_since=at or timezone.now(),
        uploaded_by=rules.user_or_none(by),
    )
    document.file.save(_file_name(file), file, save=False)
    document.save()
    schedule_section_extraction(document)
    document_online.send(sender=Document, document=document, by=by)
    return document


@transaction.atomic
def document_replace(
    *, document: Document, by, file: File, title: str | None = None, at: dt.datetime | None = None
) -> Document:
    """Put a new version online in the old one's place; the old version stays in the history with its file."""
    rules.require(by, "manage", document.plan.municipality)
    document = Document.objects.select_for_update().get(pk=document.pk)
    if not document.is_current:
        raise ValidationError(
            _("Nur die aktuelle Fassung eines Dokuments kann ersetzt werden."), code="document_not_current"
        )
    _check_pdf(file)
    now = at or timezone.now()
    new = Document(
        plan=document.plan,
        title=(title or "").strip() or document.title,
        kind=document.kind,
        order=document.order,
        online_since=now,
        replaces=document,
        uploaded_by=rules.user_or_none(by),
    )
    # The storage picks a fresh name if the file name repeats, so the old version's file is never overwritten.
    new.file.save(_file_name(file), file, save=False)
    new.save()
    document.online_until = now
    document.save(update_fields=["online_until"])
    schedule_section_extraction(new)
    document_offline.send(sender=Document, document=document, by=by, reason="replaced")
    document_online.send(sender=Document, document=new, by=by)
    return new


@transaction.atomic
def document_reorder(*, plan: Plan, by, order: Iterable[int]) -> None:
    """Set the order of the plan's current documents to the given list of their ids."""
    rules.require(by, "manage", plan.municipality)
    order = list(order)
    current = {d.pk: d for d in plan.documents.current()}
    if sorted(order) != sorted(current):
        raise ValidationError(
            _("Die neue Reihenfolge muss jedes aktuelle Dokument des Plans genau einmal enthalten."),
            code="order_mismatch",
        )
    for position, pk in enumerate(order):
        if current[pk].order != position:
            current[pk].order = position
            current[pk].save(update_fields=["order"])


@transaction.atomic
def document_withdraw(*, document: Document, by, reason: str, at: dt.datetime | None = None) -> Document:
    """Take a document offline for a stated reason; it stays listed in the history, without download."""
    rules.require(by, "manage", document.plan.municipality)
    if document.withdrawn_at is not None:
        raise ValidationError(_("Das Dokument ist bereits zurückgezogen."), code="already_withdrawn")
    if not (reason or "").strip():
        raise ValidationError(
            {"reason": _required(_("Bitte geben Sie den Grund an, warum das Dokument zurückgezogen wird."))}
        )
    now = at or timezone.now()
    document.withdrawn_at = now
    document.withdrawn_reason = reason.strip()
    document.online_until = document.online_until or now
    document.save(update_fields=["withdrawn_at", "withdrawn_reason", "online_until"])
    document_offline.send(sender=Document, document=document, by=by, reason="withdrawn")
    return document
