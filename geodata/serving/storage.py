"""Where the served files of a layer version live: names in Django's default storage (disk or S3).

Layout (see docs/deployment.md, "Object storage (S3)"):
``layers/<id>/v<version>.geojson.gz``, ``layers/<id>/v<version>.pmtiles``,
``layers/<id>/v<version>-export-<epsg>.<ext>`` and ``layers/plans/<plan id>/<digest>-<epsg>.gpkg``.
Every name carries the version, so a file is never changed once written; old versions are deleted.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage

logger = logging.getLogger(__name__)


def layer_prefix(layer_id: int) -> str:
    return f"layers/{layer_id}/"


def geojson_name(layer_id: int, version: int) -> str:
    return f"{layer_prefix(layer_id)}v{version}.geojson.gz"


def tiles_name(layer_id: int, version: int) -> str:
    return f"{layer_prefix(layer_id)}v{version}.pmtiles"


def layer_export_name(layer_id: int, version: int, epsg: int, extension: str) -> str:
    return f"{layer_prefix(layer_id)}v{version}-export-{epsg}.{extension}"


def plan_export_prefix(plan_id: int) -> str:
    return f"layers/plans/{plan_id}/"


def cache_key(name: str, storage: Storage | None = None) -> str:
    """Return a process-wide key for the stored file `name`: which storage (bucket or directory) and the name."""
    storage = storage or default_storage
    where = getattr(storage, "bucket_name", None) or getattr(storage, "base_location", "")
    return f"{type(storage).__name__}:{where}:{getattr(storage, 'location', '')}:{name}"


def files_under(prefix: str, storage: Storage | None = None) -> list[str]:
    """Return the names of the files directly under `prefix` (none if it does not exist)."""
    storage = storage or default_storage
    try:
        _dirs, names = storage.listdir(prefix)
    except FileNotFoundError:
        return []
    return [prefix + name for name in names]


def put(name: str, content: bytes | Path, storage: Storage | None = None) -> str:
    """Store `content` (bytes, or a local file to upload) under exactly `name`, replacing a file of that name."""
    storage = storage or default_storage
    if storage.exists(name):
        storage.delete(name)
    if isinstance(content, bytes | bytearray):
        saved = storage.save(name, ContentFile(content))
    else:
        with open(content, "rb") as handle:
            saved = storage.save(name, File(handle, name=os.path.basename(name)))
    if saved != name:
        # Another process wrote the same version meanwhile; both wrote the same data, keep theirs.
        storage.delete(saved)
    return name


def remove_other_versions(layer_id: int, version: int) -> None:
    """Delete files of versions older than `version` (a newer one may be being written)."""
    for name in files_under(layer_prefix(layer_id)):
        match = re.match(r"v(\d+)", name.rsplit("/", 1)[-1])
        if match and int(match.group(1)) < version:
            default_storage.delete(name)


def remove_prefix(prefix: str) -> None:
    """Delete every file directly under `prefix`."""
    for name in files_under(prefix):
        default_storage.delete(name)
