"""The XPlanGML download of a plan: built by a task into storage (like the other downloads), never in a request."""

from __future__ import annotations

import hashlib

from django.core.files.storage import default_storage

from plans import rules
from plans.models import Plan
from plans.section_services_xplan import xplan_text_document

from ..exporters import require_export
from ..exporters_xplan import xplan_export, xplan_layers
from ..serving import storage
from ..tasks import build_xplan_download
from .downloads import _build, _enqueue_once


def xplan_download_prefix(plan_id: int) -> str:
    return f"layers/xplan/{plan_id}/"


def xplan_download_name(plan: Plan) -> str | None:
    """Return the storage name of the plan's current XPlanGML file, or None if it has no XPlan layers.

    The name changes with every re-import (layer versions), text change (document file) and plan edit.
    """
    layers = xplan_layers(plan)
    if not layers:
        return None
    document = xplan_text_document(plan)
    parts = [f"{layer.pk}:{layer.version}" for layer in layers]
    parts += [(document.file.name or "") if document is not None else "", plan.updated_at.isoformat()]
    digest = hashlib.sha1(";".join(parts).encode(), usedforsecurity=False).hexdigest()[:16]
    return f"{xplan_download_prefix(plan.pk)}{digest}.gml"


def xplan_download_request(*, plan: Plan, by) -> str | None:
    """Return the stored name of the plan's XPlanGML file, or None after queueing its build (at most once)."""
    require_export(by, plan)
    name = xplan_download_name(plan)
    if name is None:
        return None
    if default_storage.exists(name):
        return name
    _enqueue_once(name, build_xplan_download, plan.pk)
    return None


def xplan_download_build(*, plan_id: int) -> str | None:
    """Build the plan's XPlanGML file (a task's step) and delete its outdated ones; None if there is nothing."""
    plan = Plan.objects.select_related("municipality").filter(pk=plan_id).first()
    if plan is None:
        return None
    prefix = xplan_download_prefix(plan_id)
    name = xplan_download_name(plan)
    if name is None:
        storage.remove_prefix(prefix)
        return None
    if not default_storage.exists(name):
        _build(name, lambda path: xplan_export(plan=plan, path=path, by=rules.SYSTEM))
    for old in storage.files_under(prefix):
        if old != name:
            default_storage.delete(old)
    return name
