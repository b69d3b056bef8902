"""Vector tiles of large layers: a PMTiles archive built at publish time, plus live paths.

Pre-built archives serve both databases the same way (one mmap read per tile). The live
paths exist for layers whose archive is missing (e.g. right after a migration) and as the
PostGIS `ST_AsMVT` comparison in bench/bench_layers.py.
"""

from __future__ import annotations

import gzip
import mmap
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
import shapely
from django.conf import settings
from django.db import connection
from pmtiles.tile import Compression, TileType, deserialize_directory, deserialize_header, zxy_to_tileid
from pmtiles.writer import Writer

from .mvt import BUFFER, EXTENT, TileEncoder, to_world
from .source import layer_arrays


def zoom_range() -> tuple[int, int]:
    return settings.GEODATA_TILE_MIN_ZOOM, settings.GEODATA_TILE_MAX_ZOOM


def build_archive(*, ids, geoms: np.ndarray, properties, path: Path, name: str = "") -> dict:
    """Write all tiles of zooms min..max for the given features to a PMTiles file at `path`."""
    min_zoom, max_zoom = zoom_range()
    encoder = TileEncoder(ids, to_world(geoms), properties)
    tiles: list[tuple[int, bytes]] = []
    for z in range(min_zoom, max_zoom + 1):
        for x, y, data in encoder.tiles(z):
            tiles.append((zxy_to_tileid(z, x, y), gzip.compress(data, compresslevel=5, mtime=0)))
    tiles.sort(key=lambda item: item[0])
    lon0, lat0, lon1, lat1 = shapely.total_bounds(geoms) if len(geoms) else (0.0, 0.0, 0.0, 0.0)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    with open(tmp, "wb") as handle:
        writer = Writer(handle)
        for tile_id, data in tiles:
            writer.write_tile(tile_id, data)
        header = {
            "tile_compression": Compression.GZIP,
            "tile_type": TileType.MVT,
            "min_lon_e7": int(lon0 * 1e7),
            "min_lat_e7": int(lat0 * 1e7),
            "max_lon_e7": int(lon1 * 1e7),
            "max_lat_e7": int(lat1 * 1e7),
            "center_zoom": min_zoom,
            "center_lon_e7": int((lon0 + lon1) / 2 * 1e7),
            "center_lat_e7": int((lat0 + lat1) / 2 * 1e7),
        }
        if tiles:
            writer.finalize(header, {"name": name, "vector_layers": [{"id": "features"}]})
        else:  # the pmtiles writer needs at least one entry: an archive without tiles is just a header
            handle.write(b"")
    os.replace(tmp, path)
    return {"tiles": len(tiles), "bytes": path.stat().st_size, "min_zoom": min_zoom, "max_zoom": max_zoom}


class TileArchive:
    """A memory-mapped PMTiles archive with its directory loaded into a dict."""

    def __init__(self, path: Path):
        self.path = path
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            self.mapping = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        self.index: dict[int, tuple[int, int]] = {}
        self.bounds = None
        if size >= 127:
            header = deserialize_header(self.mapping[0:127])
            self.bounds = (
                header["min_lon_e7"] / 1e7,
                header["min_lat_e7"] / 1e7,
                header["max_lon_e7"] / 1e7,
                header["max_lat_e7"] / 1e7,
            )
            self._load(header, header["root_offset"], header["root_length"])

    def _load(self, header, offset: int, length: int) -> None:
        for entry in deserialize_directory(self.mapping[offset : offset + length]):
            if entry.run_length == 0:
                self._load(header, header["leaf_directory_offset"] + entry.offset, entry.length)
                continue
            for i in range(entry.run_length):
                self.index[entry.tile_id + i] = (header["tile_data_offset"] + entry.offset, entry.length)

    def get(self, z: int, x: int, y: int) -> bytes | None:
        """Return the gzip-compressed tile z/x/y, or None if it holds no features."""
        found = self.index.get(zxy_to_tileid(z, x, y))
        if found is None:
            return None
        offset, length = found
        return self.mapping[offset : offset + length]


_archives: OrderedDict[str, TileArchive] = OrderedDict()
_archives_lock = threading.Lock()
_MAX_OPEN = 64


def open_archive(path: Path) -> TileArchive | None:
    """Return the cached archive at `path` (opened once per process), or None if it does not exist."""
    key = str(path)
    with _archives_lock:
        archive = _archives.get(key)
        if archive is not None:
            _archives.move_to_end(key)
            return archive
    if not path.exists():
        return None
    archive = TileArchive(path)
    with _archives_lock:
        _archives[key] = archive
        while len(_archives) > _MAX_OPEN:
            _archives.popitem(last=False)
    return archive


def forget_archives(prefix: str = "") -> None:
    """Drop cached archives (all, or those whose path starts with `prefix`)."""
    with _archives_lock:
        for key in [key for key in _archives if key.startswith(prefix)]:
            del _archives[key]


# --- live paths ---------------------------------------------------------------------------------

POSTGIS_TILE_SQL = """
WITH bounds AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS geom,
                       ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s), 4326) AS geom4326),
mvt AS (
    SELECT ST_AsMVTGeom(ST_Transform(f.geometry, 3857), bounds.geom, %(extent)s, %(buffer)s, true) AS geom,
           f.id, f.properties
    FROM geodata_feature f, bounds
    WHERE f.layer_id = %(layer)s AND f.geometry && bounds.geom4326
)
SELECT ST_AsMVT(mvt.*, 'features', %(extent)s, 'geom', 'id') FROM mvt WHERE geom IS NOT NULL
"""


def postgis_tile(layer_id: int, z: int, x: int, y: int) -> bytes:
    """Return tile z/x/y (uncompressed) rendered by PostGIS `ST_AsMVT`."""
    with connection.cursor() as cursor:
        cursor.execute(
            POSTGIS_TILE_SQL,
            {"z": z, "x": x, "y": y, "margin": BUFFER / EXTENT, "extent": EXTENT, "buffer": BUFFER, "layer": layer_id},
        )
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""


def python_tile(layer_id: int, z: int, x: int, y: int) -> bytes:
    """Return tile z/x/y (uncompressed) encoded in Python from a bounding-box query (any database)."""
    n = 1 << z
    pad = BUFFER / EXTENT

    def lon(tx):
        return tx / n * 360.0 - 180.0

    def lat(ty):
        return float(np.degrees(np.arctan(np.sinh(np.pi * (1 - 2 * ty / n)))))

    bbox = (lon(x - pad), lat(y + 1 + pad), lon(x + 1 + pad), lat(y - pad))
    ids, geoms, properties = layer_arrays(layer_id, bbox=bbox)
    if not ids:
        return b""
    encoder = TileEncoder(ids, to_world(geoms), properties)
    for _x, _y, data in encoder.tiles(z, only=(x, y)):
        return data
    return b""


def live_tile(layer_id: int, z: int, x: int, y: int) -> bytes:
    """Return tile z/x/y rendered live: `ST_AsMVT` on PostGIS, the Python encoder elsewhere."""
    if connection.vendor == "postgresql":
        return postgis_tile(layer_id, z, x, y)
    return python_tile(layer_id, z, x, y)
