"""Grouping of near-identical statements as a background job: start it, run it, read its progress.

The state of the consultation's latest grouping lives in the cache (Redis in production, shared
by web and worker nodes): `queued` → `running` (phase "compare" or "write", done/total) →
`done` (counts) or `failed`. A lock key refuses a second start while one is queued or running;
it expires by itself if a worker dies, and a re-run is harmless (grouping is idempotent).
"""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.models import Consultation
from plans import rules

from .services import statements_group_similar
from .tasks import group_similar_statements

STATE_SECONDS = 24 * 3600  # how long the outcome stays visible
LOCK_SECONDS = 30 * 60  # a queued or running job blocks a new start this long (refreshed on progress)
ACTIVE = ("queued", "running")


def _state_key(consultation_id: int) -> str:
    return f"workbench:grouping:{consultation_id}"


def _lock_key(consultation_id: int) -> str:
    return f"workbench:grouping-lock:{consultation_id}"


def grouping_state(consultation: Consultation) -> dict | None:
    """Return the state of the consultation's latest grouping job, or None if there is none."""
    return cache.get(_state_key(consultation.pk))


def _save_state(consultation_id: int, **state) -> dict:
    state["updated_at"] = timezone.now().isoformat()
    cache.set(_state_key(consultation_id), state, STATE_SECONDS)
    if state["status"] in ACTIVE:
        cache.touch(_lock_key(consultation_id), LOCK_SECONDS)
    else:
        cache.delete(_lock_key(consultation_id))
    return state


def grouping_start(*, consultation: Consultation, by, threshold: float = 0.8) -> dict:
    """Queue the grouping of `consultation`'s statements; refuse while one is queued or running."""
    rules.require(by, "manage", consultation.plan.municipality)
    if not 0.5 <= threshold <= 1.0:
        raise ValidationError(
            _("Bitte geben Sie eine Übereinstimmung zwischen 0,5 (50 %) und 1,0 (100 %) an."), code="threshold_range"
        )
    if not cache.add(_lock_key(consultation.pk), 1, LOCK_SECONDS):
        raise ValidationError(_("Die Gruppierung läuft bereits."), code="grouping_running")
    state = _save_state(consultation.pk, status="queued", threshold=threshold, phase="", done=0, total=0)
    # Nothing is written to the database here, so the task can be queued at once (no on_commit needed).
    try:
        group_similar_statements.enqueue(consultation_id=consultation.pk, threshold=threshold)
    except Exception:  # the queue is down: do not leave a lock that blocks the next try for half an hour
        cache.delete_many([_state_key(consultation.pk), _lock_key(consultation.pk)])
        raise
    return state


def grouping_run(*, consultation: Consultation, by, threshold: float) -> dict:
    """Run the grouping (the task's body), keeping the cached state up to date; return the counts."""
    rules.require(by, "manage", consultation.plan.municipality)

    def progress(phase: str, done: int, total: int) -> None:
        _save_state(consultation.pk, status="running", threshold=threshold, phase=phase, done=done, total=total)

    progress("compare", 0, 0)
    try:
        counts = statements_group_similar(consultation=consultation, by=by, threshold=threshold, progress=progress)
    except Exception as error:
        _save_state(consultation.pk, status="failed", threshold=threshold, error=str(error)[:500])
        raise
    _save_state(consultation.pk, status="done", threshold=threshold, **counts)
    return counts
