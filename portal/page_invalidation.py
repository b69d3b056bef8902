"""Keep the cached plan pages current: bump a plan's page version whenever a row its page shows changes.

Model signals cover every path that saves or deletes through the ORM (services, admin, commands,
tasks); the few `QuerySet.update()` calls on these rows bump explicitly (see
tests/pagecache/test_bump_registry.py, which lists them). The portal composes the plan page from
all apps, so the receivers live here, the only app that may import every model.
"""

from collections.abc import Callable

from django.db import models
from django.db.models.signals import post_delete, post_save

from geodata.models import Layer
from participation.models import Consultation, ConsultationAction, Statement
from participation.workbench.models import ConsultationResult
from plans.models import Document, DocumentSection, Municipality, Plan, StageChange
from plans.page_cache import bump_plan_page, bump_plan_pages


def _consultation_plan_id(consultation_id: int | None, instance) -> int | None:
    cached = instance._state.fields_cache.get("consultation")
    if cached is not None:
        return cached.plan_id
    if consultation_id is None:
        return None
    return Consultation.objects.filter(pk=consultation_id).values_list("plan_id", flat=True).first()


def _plan(instance, **kwargs) -> None:
    bump_plan_page(instance.pk)


def _municipality(instance, **kwargs) -> None:
    bump_plan_pages(Plan.objects.filter(municipality=instance).values_list("pk", flat=True))


def _of_plan(instance, **kwargs) -> None:
    bump_plan_page(instance.plan_id)


def _of_consultation(instance, **kwargs) -> None:
    bump_plan_page(_consultation_plan_id(instance.consultation_id, instance))


def _section(instance, **kwargs) -> None:
    # The plan page lists sections in the statement form and links the reading view of documents with sections.
    cached = instance._state.fields_cache.get("document")
    plan_id = cached.plan_id if cached is not None else None
    if plan_id is None:
        plan_id = Document.objects.filter(pk=instance.document_id).values_list("plan_id", flat=True).first()
    bump_plan_page(plan_id)


def _statement(instance, **kwargs) -> None:
    # An unconfirmed guest statement has never been shown (it can be public only once confirmed):
    # no bump, so comment intake during a campaign does not empty the cache of the page it comes
    # from. xtd saves a new comment twice (thread ids), so `created` alone would not tell.
    if instance.confirmed_at is None and not (instance.is_public and not instance.is_removed):
        return
    _of_consultation(instance)


# Every model whose rows the public plan page shows, with the receiver that finds the plan.
PAGE_MODELS: dict[type[models.Model], Callable[..., None]] = {
    Plan: _plan,
    Municipality: _municipality,
    StageChange: _of_plan,
    Document: _of_plan,
    DocumentSection: _section,
    Layer: _of_plan,
    Consultation: _of_plan,
    ConsultationAction: _of_consultation,
    Statement: _statement,
    ConsultationResult: _of_consultation,
}


def connect() -> None:
    """Connect the receivers (from PortalConfig.ready)."""
    for model, receiver in PAGE_MODELS.items():
        uid = f"plan-page:{model._meta.label}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid, weak=False)
        post_delete.connect(receiver, sender=model, dispatch_uid=uid, weak=False)
