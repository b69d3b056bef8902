"""Actions on a municipality's OParl source and on the links between plan stages and council papers."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plans import rules
from plans.models import Municipality, Plan
from plans.outbound import check_url
from plans.page_cache import bump_plan_page, bump_plan_pages

from .models import AgendaItem, OParlSource, Paper, StageLink
from .tasks import sync_oparl_source


def oparl_source_update(*, municipality: Municipality, by, system_url: str, body_url: str = "") -> OParlSource | None:
    """Set the municipality's OParl endpoint (an empty URL removes it); a new endpoint starts with a full sync."""
    rules.require(by, "manage", municipality)
    system_url, body_url = system_url.strip(), body_url.strip()
    source = OParlSource.objects.filter(municipality=municipality).first()
    if not system_url:
        if body_url:
            raise ValidationError(
                {"body_url": _("Eine Körperschaft braucht eine OParl-Adresse.")}, code="oparl_body_without_system"
            )
        if source is not None:
            with transaction.atomic():
                bump_plan_pages(StageLink.objects.filter(paper__source=source).values_list("plan_id", flat=True))
                source.delete()
        return None
    errors = {}
    for field, url in (("system_url", system_url), ("body_url", body_url)):
        if url:
            try:
                check_url(url)
            except ValidationError as error:
                errors[field] = error
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if source is None:
            source = OParlSource(municipality=municipality)
        if (source.system_url, source.body_url) != (system_url, body_url):
            source.modified_since = None  # another server or body: read everything again
            source.body_name = ""
        source.system_url, source.body_url = system_url, body_url
        source.full_clean()
        source.save()
    return source


def oparl_sync_enqueue(*, source: OParlSource, by) -> None:
    """Queue a sync of `source` now (the hourly timer syncs anyway)."""
    rules.require(by, "manage", source.municipality)
    transaction.on_commit(lambda: sync_oparl_source.enqueue(source.pk))


def _check_paper(plan: Plan, paper: Paper, agenda_item: AgendaItem | None, stage: str) -> None:
    if paper.source.municipality_id != plan.municipality_id:
        raise ValidationError(_("Die Vorlage gehört nicht zu dieser Kommune."), code="council_foreign_paper")
    if agenda_item is not None and agenda_item.paper_id != paper.pk:
        raise ValidationError(
            _("Der Tagesordnungspunkt behandelt nicht diese Vorlage."), code="council_item_not_of_paper"
        )
    if stage not in Plan.Stage.values:
        raise ValidationError(_("Bitte einen Verfahrensschritt wählen."), code="council_stage_invalid")


def stage_link_create(*, plan: Plan, paper: Paper, stage: str, by, agenda_item: AgendaItem | None = None) -> StageLink:
    """Link `paper` (and agenda item) to a stage of `plan`, confirmed at once (a staff member chose it)."""
    rules.require(by, "manage", plan.municipality)
    _check_paper(plan, paper, agenda_item, stage)
    now = timezone.now()
    with transaction.atomic():
        link, _created = StageLink.objects.update_or_create(
            plan=plan,
            paper=paper,
            defaults={
                "stage": stage,
                "agenda_item": agenda_item,
                "status": StageLink.Status.CONFIRMED,
                "created_by": rules.user_or_none(by),
                "confirmed_by": rules.user_or_none(by),
                "confirmed_at": now,
            },
        )
        bump_plan_page(plan.pk)
    return link


def stage_link_confirm(*, link: StageLink, by, stage: str | None = None) -> StageLink:
    """Confirm a suggested (or rejected) link, optionally with another stage: the plan page shows it."""
    rules.require(by, "manage", link.plan.municipality)
    stage = stage or link.stage
    _check_paper(link.plan, link.paper, link.agenda_item, stage)
    with transaction.atomic():
        link.stage = stage
        link.status = StageLink.Status.CONFIRMED
        link.confirmed_by = rules.user_or_none(by)
        link.confirmed_at = timezone.now()
        link.save(update_fields=["stage", "status", "confirmed_by", "confirmed_at"])
        bump_plan_page(link.plan_id)
    return link


def stage_link_reject(*, link: StageLink, by) -> StageLink:
    """Reject a suggestion or unlink a confirmed decision; the link is kept as rejected and not suggested again."""
    rules.require(by, "manage", link.plan.municipality)
    with transaction.atomic():
        was_shown = link.status == StageLink.Status.CONFIRMED
        link.status = StageLink.Status.REJECTED
        link.save(update_fields=["status"])
        if was_shown:
            bump_plan_page(link.plan_id)
    return link
