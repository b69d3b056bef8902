"""The Prüfbericht of a plan version: store it, override its errors with a reason, guard publication."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from plans import rules
from plans.models import Plan

from ..models import ImportRun, PlanVersion
from .versions import plan_current_version

current_version = plan_current_version  # the plan's newest version (the current Fassung), or None


def validation_errors(version: PlanVersion | None) -> int:
    """Return the number of errors in a version's Prüfbericht."""
    return len((version.validation or {}).get("errors", [])) if version is not None else 0


def validation_for_version(*, version: PlanVersion, validation: dict) -> PlanVersion:
    """Store the Prüfbericht of the import that made `version` (called by the import; any override is reset)."""
    version.validation = validation
    version.validation_override_reason = ""
    version.validation_override_by = None
    version.validation_override_at = None
    version.save(
        update_fields=[
            "validation",
            "validation_override_reason",
            "validation_override_by",
            "validation_override_at",
        ]
    )
    return version


def validation_for_run(*, run: ImportRun, validation: dict) -> None:
    """Store the Prüfbericht on the version(s) an import run created; it is kept on the run's report anyway."""
    for version in PlanVersion.objects.filter(import_run=run):
        validation_for_version(version=version, validation=validation)


@transaction.atomic
def plan_version_validation_override(*, version: PlanVersion, by, reason: str) -> PlanVersion:
    """Allow publishing a version whose Prüfbericht has errors, with the reason recorded."""
    version = PlanVersion.objects.select_for_update().select_related("plan__municipality").get(pk=version.pk)
    rules.require(by, "manage", version.plan.municipality)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {
                "reason": ValidationError(
                    _("Bitte begründen Sie, warum trotz Fehlern veröffentlicht werden soll."), code="reason_required"
                )
            }
        )
    if not validation_errors(version):
        raise ValidationError(_("Der Prüfbericht dieser Fassung enthält keine Fehler."), code="nothing_to_override")
    version.validation_override_reason = reason[:2000]
    version.validation_override_by = rules.user_or_none(by)
    version.validation_override_at = timezone.now()
    version.save(update_fields=["validation_override_reason", "validation_override_by", "validation_override_at"])
    return version


def validation_publication_guard(plan: Plan) -> None:
    """Refuse to publish a plan whose current version has validation errors that staff have not overridden."""
    version = current_version(plan)
    errors = validation_errors(version)
    if version is not None and errors and not version.validation_override_reason:
        raise ValidationError(
            ngettext(
                "Der Prüfbericht der aktuellen Fassung (%(number)d. Fassung) enthält %(count)d Fehler. Beheben "
                "Sie ihn und importieren Sie den Plan erneut, oder begründen Sie im Prüfbericht, warum trotzdem "
                "veröffentlicht werden soll.",
                "Der Prüfbericht der aktuellen Fassung (%(number)d. Fassung) enthält %(count)d Fehler. Beheben "
                "Sie sie und importieren Sie den Plan erneut, oder begründen Sie im Prüfbericht, warum trotzdem "
                "veröffentlicht werden soll.",
                errors,
            )
            % {"number": version.number, "count": errors},
            code="validation_errors",
        )
