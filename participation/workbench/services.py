"""Writes of the Abwägung workbench: weighings, groups, result publication and notices, exports.

Every action checks its actor first (`plans.rules.require`): the Abwägung and the result are
the planning office's job ("manage"); numbering the statements and anonymised reports come
with viewing the workbench ("moderate"); names and addresses need "export_personal_data".
"""

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from typing import BinaryIO

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from participation.models import Consultation
from participation.periods import local_date
from participation.signals import result_published
from plans import rules
from plans.page_cache import bump_plan_page

from .models import (
    ConsultationResult,
    Decision,
    PersonalDataExportLog,
    ResultNotification,
    StatementGroup,
    Weighing,
    WeighingState,
)
from .reports import export_report_to, is_personal
from .segments import check_not_decided, derived_decision, frozen_error, record_who
from .selectors import normalised_email, result_blockers, result_recipients, weighed_statements
from .similarity import similar_clusters
from .states import freeze_decided
from .tasks import send_result_notifications

Progress = Callable[[str, int, int], None]


def _municipality(consultation: Consultation):
    return consultation.plan.municipality


def _version_key(consultation_id: int) -> str:
    return f"workbench:version:{consultation_id}"


def workbench_version(consultation: Consultation) -> int:
    """Return the consultation's workbench data version (changes with every write below)."""
    return cache.get(_version_key(consultation.pk), 0)


def _bump(consultation_id: int) -> None:
    """Invalidate cached counts now and again after commit (a reader between the two may cache old data)."""
    key = _version_key(consultation_id)

    def bump():
        cache.set(key, cache.get(key, 0) + 1, None)

    bump()
    transaction.on_commit(bump)


def _number_new_statements(consultation: Consultation) -> int:
    """Create missing weighings, numbering new statements after the existing ones in order received."""
    missing_qs = weighed_statements(consultation, annotate_late=False).filter(weighing__isnull=True)
    if not missing_qs.exists():  # the common case on every workbench page: one cheap query
        return 0
    missing = list(missing_qs.order_by("submit_date", "id").values_list("id", flat=True))
    if not missing:
        return 0
    # Lock the consultation row so two requests cannot hand out the same numbers.
    Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
    start = Weighing.objects.filter(statement__consultation=consultation).aggregate(n=Max("number"))["n"] or 0
    existing = set(Weighing.objects.filter(statement_id__in=missing).values_list("statement_id", flat=True))
    rows = [
        Weighing(statement_id=sid, number=start + i)
        for i, sid in enumerate((s for s in missing if s not in existing), start=1)
    ]
    Weighing.objects.bulk_create(rows, batch_size=2000)
    _bump(consultation.pk)
    return len(rows)


@transaction.atomic
def weighings_ensure(*, consultation: Consultation, by) -> int:
    """Give every new statement its weighing and number (part of viewing the workbench); return how many."""
    rules.require(by, "moderate", _municipality(consultation))
    return _number_new_statements(consultation)


def _check_decision(decision: str) -> None:
    if decision and decision not in Decision.values:
        raise ValidationError({"decision": ValidationError(_("Unbekannte Entscheidung."), code="unknown_decision")})


@transaction.atomic
def weighing_update(
    *, weighing: Weighing, by, decision: str, response: str, internal_note: str, organisation: str = ""
) -> Weighing:
    """Set decision, response, internal note and organisation of one statement's weighing."""
    consultation = weighing.statement.consultation
    rules.require(by, "manage", _municipality(consultation))
    check_not_decided(Weighing.objects.only("state").get(pk=weighing.pk))
    _check_decision(decision)
    segment_decisions = list(weighing.segments.values_list("decision", flat=True))
    # A statement with segments is decided through them: its own decision is derived from theirs.
    weighing.decision = derived_decision(segment_decisions) if segment_decisions else decision
    weighing.response = response
    weighing.internal_note = internal_note
    weighing.organisation = organisation
    record_who(weighing, by)
    weighing.save()
    _bump(consultation.pk)
    return weighing


@transaction.atomic
def weighings_bulk_update(
    *,
    consultation: Consultation,
    statement_ids: list[int],
    by,
    decision: str | None = None,
    response: str | None = None,
) -> int:
    """Set decision and/or response on the selected statements of `consultation`; return how many changed."""
    rules.require(by, "manage", _municipality(consultation))
    if decision is not None:
        _check_decision(decision)
    changes = {"updated_by": rules.user_or_none(by), "updated_at": timezone.now()}
    if decision is not None:
        changes["decision"] = decision
    if response is not None:
        changes["response"] = response
    selected = Weighing.objects.filter(statement__consultation=consultation, statement_id__in=statement_ids)
    _bump(consultation.pk)
    return _update_with_history(selected, changes, by)


def _update_with_history(weighings, changes: dict, by) -> int:
    """Apply `changes` to `weighings` with one history record each; refuse all if any is decided (all-or-nothing)."""
    rows = list(weighings)
    if any(w.state == WeighingState.DECIDED for w in rows):
        raise frozen_error()
    for weighing in rows:
        for field, value in changes.items():
            setattr(weighing, field, value)
    bulk_update_with_history(rows, Weighing, list(changes), batch_size=2000, default_user=rules.user_or_none(by))
    return len(rows)


@transaction.atomic
def group_answer(*, group: StatementGroup, by, decision: str, response: str) -> int:
    """Answer every statement of `group` with one decision and response; return how many."""
    rules.require(by, "manage", _municipality(group.consultation))
    _check_decision(decision)
    changes = {
        "decision": decision,
        "response": response,
        "updated_by": rules.user_or_none(by),
        "updated_at": timezone.now(),
    }
    count = _update_with_history(group.weighings.all(), changes, by)
    group.decision = decision
    group.response = response
    group.save(update_fields=["decision", "response"])
    _bump(group.consultation_id)
    return count


@transaction.atomic
def statements_group(*, consultation: Consultation, statement_ids: list[int], by, label: str = "") -> StatementGroup:
    """Put the selected statements of `consultation` into one new (manual) group."""
    rules.require(by, "manage", _municipality(consultation))
    weighings = Weighing.objects.filter(statement__consultation=consultation, statement_id__in=statement_ids)
    first = weighings.order_by("number").first()
    if first is None:
        raise ValidationError(_("Bitte wählen Sie mindestens eine Stellungnahme aus."), code="no_statements_selected")
    group = StatementGroup.objects.create(
        consultation=consultation, label=label or f"Gruppe ab Nr. {first.number}", automatic=False
    )
    weighings.update(group=group)
    _bump(consultation.pk)
    return group


@transaction.atomic
def statements_ungroup(*, consultation: Consultation, statement_ids: list[int], by) -> int:
    """Remove the selected statements from their groups; delete groups left empty; return how many."""
    rules.require(by, "manage", _municipality(consultation))
    count = Weighing.objects.filter(statement__consultation=consultation, statement_id__in=statement_ids).update(
        group=None
    )
    StatementGroup.objects.filter(consultation=consultation, weighings__isnull=True).delete()
    _bump(consultation.pk)
    return count


def statements_group_similar(
    *, consultation: Consultation, by, threshold: float = 0.8, progress: Progress | None = None
) -> dict:
    """Group identical and near-identical statements (Jaccard of word 3-shingles ≥ `threshold`).

    Runs outside one big transaction: the texts are compared without locks, then each batch of
    clusters is written in its own short transaction. Existing groups are kept: a cluster that
    already contains grouped statements adds the ungrouped others to the (first) existing group;
    otherwise a new automatic group is created. Running it again changes nothing.
    `progress(phase, done, total)` reports "compare" and "write" steps.
    """
    rules.require(by, "manage", _municipality(consultation))
    with transaction.atomic():
        _number_new_statements(consultation)
    texts = dict(
        Weighing.objects.filter(statement__consultation=consultation).values_list("statement_id", "statement__comment")
    )
    compare = (lambda done, total: progress("compare", done, total)) if progress else None
    clusters = similar_clusters(texts, threshold=threshold, progress=compare)
    created = joined = written = 0
    for start in range(0, len(clusters), _CLUSTER_BATCH):
        batch = clusters[start : start + _CLUSTER_BATCH]
        with transaction.atomic():
            batch_created, batch_joined = _write_clusters(consultation, batch)
        created, joined, written = created + batch_created, joined + batch_joined, written + len(batch)
        if progress:
            progress("write", written, len(clusters))
    if created or joined:
        _bump(consultation.pk)
    return {"groups_created": created, "statements_grouped": joined}


_CLUSTER_BATCH = 200
_ID_CHUNK = 2000  # statement ids per query (SQLite's bound-parameter limit)


def _chunks(ids: list[int]):
    return (ids[i : i + _ID_CHUNK] for i in range(0, len(ids), _ID_CHUNK))


def _write_clusters(consultation: Consultation, clusters: list[list[int]]) -> tuple[int, int]:
    """Write one batch of clusters; read the current groups inside the transaction (staff may have changed them)."""
    current: dict[int, tuple[int | None, int]] = {}
    for chunk in _chunks([sid for cluster in clusters for sid in cluster]):
        rows = Weighing.objects.filter(statement__consultation=consultation, statement_id__in=chunk)
        current.update(
            (sid, (gid, number)) for sid, gid, number in rows.values_list("statement_id", "group_id", "number")
        )
    created = joined = 0
    for cluster in clusters:
        members = [sid for sid in cluster if sid in current]
        new_members = [sid for sid in members if current[sid][0] is None]
        if len(members) < 2 or not new_members:
            continue
        existing = [gid for gid, _number in (current[sid] for sid in members) if gid is not None]
        if existing:
            group_id = min(existing)
        else:
            first = min(current[sid][1] for sid in members)
            group_id = StatementGroup.objects.create(
                consultation=consultation, label=f"Gleichartige Stellungnahmen ab Nr. {first}"
            ).pk
            created += 1
        for chunk in _chunks(new_members):
            joined += Weighing.objects.filter(statement_id__in=chunk, group__isnull=True).update(group_id=group_id)
    return created, joined


def email_hash(address: str) -> str:
    """Return the SHA-256 of a normalised e-mail address (the record keeps no plain address)."""
    return hashlib.sha256(normalised_email(address).encode()).hexdigest()


def _check_council_decision(consultation: Consultation, council_body: str, decided_on, at: dt.datetime) -> None:
    errors = {}
    if not (council_body or "").strip():
        errors["council_body"] = ValidationError(
            _("Bitte geben Sie das Gremium an, das über die Abwägung beschlossen hat."), code="council_body_missing"
        )
    if decided_on is None:
        errors["decided_on"] = ValidationError(
            _("Bitte geben Sie das Datum des Beschlusses an."), code="decided_on_missing"
        )
    elif decided_on > local_date(at):
        errors["decided_on"] = ValidationError(
            _("Das Datum des Beschlusses darf nicht in der Zukunft liegen."), code="decided_on_in_future"
        )
    elif decided_on < local_date(consultation.ends_at):
        errors["decided_on"] = ValidationError(
            _("Der Beschluss kann nicht vor dem Ende der Beteiligung (%(end)s) gefasst worden sein."),
            code="decided_before_period_end",
            params={"end": consultation.end_date.strftime("%d.%m.%Y")},
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def result_publish(
    *,
    consultation: Consultation,
    by,
    council_body: str,
    decided_on: dt.date | None,
    notify: bool = True,
    at: dt.datetime | None = None,
) -> dict:
    """Publish the council's decided result and queue one notice per submitter not yet notified.

    Refused while the period runs or any statement lacks a decision, and without the
    council body and a plausible date of its decision. Publishing again (after late
    decisions) keeps the first publication date and notifies only those not told yet.
    """
    rules.require(by, "manage", _municipality(consultation))
    at = at or timezone.now()
    blockers = result_blockers(consultation, at=at)
    if blockers:
        raise blockers[0]
    _check_council_decision(consultation, council_body, decided_on, at)
    result, _created = ConsultationResult.objects.get_or_create(consultation=consultation)
    first_publication = result.published_at is None
    if first_publication:
        result.published_at = at
        result.published_by = rules.user_or_none(by)
    result.council_body = council_body.strip()
    result.decided_on = decided_on
    result.save()
    # The council decided the whole table: every weighing and segment is frozen with the decision's date.
    assert decided_on is not None  # checked above
    freeze_decided(consultation, by=by, decided_on=decided_on, everything=True)
    if first_publication:
        result_published.send(sender=Consultation, consultation=consultation, by=by)
    queued = 0
    if notify:
        notices = [
            ResultNotification(statement_id=sid, email_sha256=email_hash(email), decision=decision)
            for sid, email, decision in result_recipients(consultation).values_list(
                "id", "user_email", "weighing__decision"
            )
        ]
        ResultNotification.objects.bulk_create(notices, batch_size=2000)
        queued = len({notice.email_sha256 for notice in notices})
        if queued:
            transaction.on_commit(lambda: send_result_notifications.enqueue(consultation_id=consultation.pk))
    return {"published_at": result.published_at, "queued": queued}


@transaction.atomic
def result_unpublish(*, consultation: Consultation, by) -> None:
    """Take the public result page offline (sent notices and the recorded decision stay)."""
    rules.require(by, "manage", _municipality(consultation))
    ConsultationResult.objects.filter(consultation=consultation).update(published_at=None, published_by=None)
    bump_plan_page(consultation.plan_id)  # the plan page links the result (update() sends no post_save)


def personal_data_export_log(*, consultation: Consultation, by, via: str, format: str, rows: int) -> None:
    """Record that names and addresses of `consultation` were exported."""
    rules.require(by, "export_personal_data", _municipality(consultation))
    PersonalDataExportLog.objects.create(
        consultation=consultation, user=rules.user_or_none(by), via=via, format=format, rows=rows
    )


@transaction.atomic
def report_export(
    *,
    consultation: Consultation,
    by,
    format: str,
    personal: bool = False,
    via: str = "web",
    out: BinaryIO | None = None,
) -> tuple[bytes, int]:
    """Render the Abwägungstabelle; names and addresses need "export_personal_data" and are logged.

    With `out` (a binary file) the report is written there and the returned bytes are empty.
    """
    personal = is_personal(format, personal)
    rules.require(by, "export_personal_data" if personal else "moderate", _municipality(consultation))
    _number_new_statements(consultation)
    buffer = io.BytesIO()
    rows = export_report_to(
        out if out is not None else buffer, consultation=consultation, format=format, personal=personal
    )
    if personal:
        personal_data_export_log(consultation=consultation, by=by, via=via, format=format, rows=rows)
    return (b"" if out is not None else buffer.getvalue()), rows
