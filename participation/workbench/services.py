"""Writes of the Abwägung workbench: weighings, groups, result publication and notices."""

import hashlib

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from participation.models import Consultation

from .models import ConsultationResult, Decision, PersonalDataExportLog, ResultNotification, StatementGroup, Weighing
from .queries import weighed_statements
from .similarity import similar_clusters


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


@transaction.atomic
def weighings_ensure(*, consultation: Consultation) -> int:
    """Create missing weighings, numbering new statements after the existing ones in order received; return how many."""
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


def _check_decision(decision: str) -> None:
    if decision and decision not in Decision.values:
        raise ValueError(f"unknown decision {decision!r}")


@transaction.atomic
def weighing_update(
    *, weighing: Weighing, by, decision: str, response: str, internal_note: str, organisation: str = ""
) -> Weighing:
    """Set decision, response, internal note and organisation of one statement's weighing."""
    _check_decision(decision)
    weighing.decision = decision
    weighing.response = response
    weighing.internal_note = internal_note
    weighing.organisation = organisation
    weighing.updated_by = by
    weighing.updated_at = timezone.now()
    weighing.save()
    _bump(weighing.statement.consultation_id)
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
    if decision is not None:
        _check_decision(decision)
    changes = {"updated_by": by, "updated_at": timezone.now()}
    if decision is not None:
        changes["decision"] = decision
    if response is not None:
        changes["response"] = response
    _bump(consultation.pk)
    return Weighing.objects.filter(statement__consultation=consultation, statement_id__in=statement_ids).update(
        **changes
    )


@transaction.atomic
def group_answer(*, group: StatementGroup, by, decision: str, response: str) -> int:
    """Answer every statement of `group` with one decision and response; return how many."""
    _check_decision(decision)
    group.decision = decision
    group.response = response
    group.save(update_fields=["decision", "response"])
    _bump(group.consultation_id)
    return group.weighings.update(decision=decision, response=response, updated_by=by, updated_at=timezone.now())


@transaction.atomic
def statements_group(*, consultation: Consultation, statement_ids: list[int], label: str = "") -> StatementGroup:
    """Put the selected statements of `consultation` into one new (manual) group."""
    weighings = Weighing.objects.filter(statement__consultation=consultation, statement_id__in=statement_ids)
    first = weighings.order_by("number").first()
    if first is None:
        raise ValueError("no statements selected")
    group = StatementGroup.objects.create(
        consultation=consultation, label=label or f"Gruppe ab Nr. {first.number}", automatic=False
    )
    weighings.update(group=group)
    _bump(consultation.pk)
    return group


@transaction.atomic
def statements_ungroup(*, consultation: Consultation, statement_ids: list[int]) -> int:
    """Remove the selected statements from their groups; delete groups left empty; return how many."""
    count = Weighing.objects.filter(statement__consultation=consultation, statement_id__in=statement_ids).update(
        group=None
    )
    StatementGroup.objects.filter(consultation=consultation, weighings__isnull=True).delete()
    _bump(consultation.pk)
    return count


@transaction.atomic
def statements_group_similar(*, consultation: Consultation, threshold: float = 0.8) -> dict:
    """Group identical and near-identical statements (Jaccard of word 3-shingles ≥ `threshold`).

    Existing groups are kept: a cluster that already contains grouped statements adds the
    others to the (first) existing group; otherwise a new automatic group is created.
    """
    weighings_ensure(consultation=consultation)
    rows = Weighing.objects.filter(statement__consultation=consultation).values_list(
        "statement_id", "statement__comment", "group_id", "number"
    )
    texts, groups, numbers = {}, {}, {}
    for sid, text, gid, number in rows:
        texts[sid], groups[sid], numbers[sid] = text, gid, number
    created = joined = 0
    for cluster in similar_clusters(texts, threshold=threshold):
        existing = sorted({groups[s] for s in cluster if groups[s]})
        if existing:
            group_id = existing[0]
        else:
            first = min(numbers[s] for s in cluster)
            group_id = StatementGroup.objects.create(
                consultation=consultation, label=f"Gleichartige Stellungnahmen ab Nr. {first}"
            ).pk
            created += 1
        new_members = [s for s in cluster if groups[s] is None]
        joined += Weighing.objects.filter(statement_id__in=new_members).update(group_id=group_id)
    _bump(consultation.pk)
    return {"groups_created": created, "statements_grouped": joined}


def email_hash(address: str) -> str:
    """Return the SHA-256 of a normalised e-mail address (the record keeps no plain address)."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


@transaction.atomic
def result_publish(*, consultation: Consultation, by, notify: bool = True) -> dict:
    """Publish the result page and queue one notice per decided statement with an e-mail address not yet notified."""
    result, _ = ConsultationResult.objects.get_or_create(consultation=consultation)
    if result.published_at is None:
        result.published_at = timezone.now()
        result.published_by = by
        result.save()
        from participation.announcements.services import announcement_drafts_for_event

        announcement_drafts_for_event(event="result_published", plan=consultation.plan, consultation=consultation)
    queued = 0
    if notify:
        candidates = (
            weighed_statements(consultation)
            .filter(result_notification__isnull=True)
            .exclude(user_email="")
            .exclude(weighing__decision="")
            .exclude(weighing__isnull=True)
            .values_list("id", "user_email", "weighing__decision")
        )
        notices = [
            ResultNotification(statement_id=sid, email_sha256=email_hash(email), decision=decision)
            for sid, email, decision in candidates
        ]
        ResultNotification.objects.bulk_create(notices, batch_size=2000)
        queued = len(notices)
        if queued:
            from .tasks import send_result_notifications

            transaction.on_commit(lambda: send_result_notifications.enqueue(consultation_id=consultation.pk))
    return {"published_at": result.published_at, "queued": queued}


@transaction.atomic
def result_unpublish(*, consultation: Consultation) -> None:
    """Take the public result page offline (sent notices stay recorded)."""
    ConsultationResult.objects.filter(consultation=consultation).update(published_at=None, published_by=None)


def personal_data_export_log(*, consultation: Consultation, user, via: str, format: str, rows: int) -> None:
    """Record that names and addresses of `consultation` were exported."""
    PersonalDataExportLog.objects.create(
        consultation=consultation,
        user=user if user and user.is_authenticated else None,
        via=via,
        format=format,
        rows=rows,
    )
