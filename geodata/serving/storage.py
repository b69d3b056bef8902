"""Where the pre-rendered files of a layer version live (under MEDIA_ROOT/layers/<id>/)."""

import re
import shutil
from pathlib import Path

from django.conf import settings


def layer_dir(layer_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "layers" / str(layer_id)


def geojson_path(layer_id: int, version: int) -> Path:
    return layer_dir(layer_id) / f"v{version}.geojson.gz"


def tiles_path(layer_id: int, version: int) -> Path:
    return layer_dir(layer_id) / f"v{version}.pmtiles"


def plan_export_dir(plan_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "layers" / "plans" / str(plan_id)


def remove_other_versions(layer_id: int, version: int) -> None:
    """Delete files of versions older than `version` (a newer one may be being written)."""
    directory = layer_dir(layer_id)
    if not directory.exists():
        return
    for path in directory.iterdir():
        match = re.match(r"v(\d+)", path.name)
        if match and int(match.group(1)) < version:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def remove_directory(directory: Path) -> None:
    """Delete `directory` and everything in it, if it exists."""
    shutil.rmtree(directory, ignore_errors=True)
