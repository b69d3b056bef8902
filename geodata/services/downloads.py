"""Public downloads of layers and plans: built by background tasks, kept in storage, never built in a request.

After an import (or the deletion of a layer) the layer's files in the municipality's CRS and the
plan's GeoPackage are queued. A download of a file that is not there yet (another CRS, or a
build still waiting) queues it once: `cache.add` lets only the first of many requests enqueue,
and the task itself skips a stale layer version or a file that exists.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import transaction

from plans import rules
from plans.models import Plan

from ..exporters import FORMATS, layer_export, plan_layers_export, require_export
from ..models import Layer
from ..serving import storage
from ..tasks import build_layer_download, build_plan_download

logger = logging.getLogger(__name__)

LAYER_FORMATS = ("gpkg", "geojson", "shp")
QUEUED_FOR = 600  # seconds a queued build blocks another enqueue of the same file (then a request may retry)


def layer_download_name(layer: Layer, fmt: str, epsg: int) -> str:
    """Return the storage name of `layer`'s current version as `fmt` in EPSG:`epsg`."""
    return storage.layer_export_name(layer.pk, layer.version, epsg, FORMATS[fmt][2])


def plan_download_name(plan: Plan, layers: list[Layer], epsg: int) -> str:
    """Return the storage name of the GeoPackage of `layers`; any re-import, rename or deletion changes it."""
    digest = hashlib.sha1(
        ";".join(f"{layer.pk}:{layer.version}:{layer.name}" for layer in layers).encode(), usedforsecurity=False
    ).hexdigest()[:16]
    return f"{storage.plan_export_prefix(plan.pk)}{digest}-{epsg}.gpkg"


def downloads_queue_after_import(*, layer: Layer) -> None:
    """Queue the layer's files and its plan's GeoPackage (municipality CRS) once the import has committed."""
    layer_id, version, plan_id = layer.pk, layer.version, layer.plan_id
    epsg = layer.plan.municipality.crs_epsg
    names = {fmt: layer_download_name(layer, fmt, epsg) for fmt in LAYER_FORMATS}

    def queue():
        for fmt, name in names.items():
            _enqueue_once(name, build_layer_download, layer_id, version, fmt, epsg)
        plan_downloads_queue(plan_id=plan_id)

    transaction.on_commit(queue)


def plan_downloads_queue(*, plan_id: int) -> None:
    """Queue the rebuild of a plan's GeoPackage (after an import or a layer's deletion); skip a deleted plan."""
    plan = Plan.objects.select_related("municipality").filter(pk=plan_id).first()
    if plan is None:
        return
    epsg = plan.municipality.crs_epsg
    layers = list(plan.layers.filter(current=True))
    name = plan_download_name(plan, layers, epsg) if layers else f"plan:{plan_id}:empty"
    _enqueue_once(name, build_plan_download, plan_id, epsg)


def layer_download_request(*, layer: Layer, fmt: str, epsg: int, by) -> str | None:
    """Return the stored name of the download, or None after queueing its build (at most once per file)."""
    require_export(by, layer.plan)
    name = layer_download_name(layer, fmt, epsg)
    if default_storage.exists(name):
        return name
    _enqueue_once(name, build_layer_download, layer.pk, layer.version, fmt, epsg)
    return None


def plan_download_request(*, plan: Plan, layers: list[Layer], epsg: int, by) -> str | None:
    """Return the stored name of the plan's GeoPackage, or None after queueing its build (at most once)."""
    require_export(by, plan)
    name = plan_download_name(plan, layers, epsg)
    if default_storage.exists(name):
        return name
    _enqueue_once(name, build_plan_download, plan.pk, epsg)
    return None


def layer_download_build(*, layer_id: int, version: int, fmt: str, epsg: int) -> str | None:
    """Build one layer file (a task's step); return its name, or None for a deleted or re-imported layer."""
    layer = Layer.objects.select_related("plan__municipality").filter(pk=layer_id, version=version).first()
    if layer is None:
        return None  # deleted, or re-imported since: the newer version has its own task
    name = layer_download_name(layer, fmt, epsg)
    if default_storage.exists(name):
        return name
    _build(name, lambda path: layer_export(layer=layer, fmt=fmt, crs=epsg, path=path, by=rules.SYSTEM))
    _remove_older_exports(layer_id, version)
    if not Layer.objects.filter(pk=layer_id, version=version).exists():
        default_storage.delete(name)  # re-imported while we wrote: remove_other_versions may have run already
        return None
    return name


def plan_download_build(*, plan_id: int, epsg: int) -> str | None:
    """Build the GeoPackage of a plan's current layers (a task's step) and delete its outdated GeoPackages."""
    plan = Plan.objects.select_related("municipality").filter(pk=plan_id).first()
    if plan is None:
        return None
    prefix = storage.plan_export_prefix(plan_id)
    layers = list(plan.layers.filter(current=True))
    if not layers:
        storage.remove_prefix(prefix)
        return None
    name = plan_download_name(plan, layers, epsg)
    if not default_storage.exists(name):
        _build(name, lambda path: plan_layers_export(plan=plan, crs=epsg, path=path, by=rules.SYSTEM, layers=layers))
        if plan_download_name(plan, list(plan.layers.filter(current=True)), epsg) != name:
            default_storage.delete(name)  # layers changed while we wrote: the task queued by that change builds
            return None
    digest = name.rsplit("/", 1)[-1].split("-", 1)[0]
    for old in storage.files_under(prefix):
        if not old.rsplit("/", 1)[-1].startswith(digest + "-"):
            default_storage.delete(old)
    return name


def _remove_older_exports(layer_id: int, version: int) -> None:
    """Delete the downloads of older versions (a large layer's other files go when its tile archive is built)."""
    for name in storage.files_under(storage.layer_prefix(layer_id)):
        match = re.match(r"v(\d+)-export-", name.rsplit("/", 1)[-1])
        if match and int(match.group(1)) < version:
            default_storage.delete(name)


def _build(name: str, write: Callable[[Path], object]) -> None:
    with tempfile.TemporaryDirectory(prefix="pb-export-") as tmp:
        target = Path(tmp) / name.rsplit("/", 1)[-1]
        write(target)
        storage.put(name, target)
    logger.info("Built download %s", name)


def _enqueue_once(key: str, task, *args) -> None:
    marker = f"geodata:download-queued:{key}"
    if cache.add(marker, True, timeout=QUEUED_FOR):
        try:
            task.enqueue(*args)
        except Exception:
            cache.delete(marker)  # not queued after all: let the next request try again
            raise
