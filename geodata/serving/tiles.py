"""Vector tiles of large layers: a PMTiles archive built at publish time, plus live paths.

Pre-built archives serve both databases the same way (one byte-range read per tile, from the
local disk or the object store). The live
paths exist for layers whose archive is missing (e.g. right after a migration) and as the
PostGIS `ST_AsMVT` comparison in bench/bench_layers.py.
"""

from __future__ import annotations

import gzip
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
import shapely
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from pmtiles.tile import (
    Compression,
    Entry,
    TileType,
    deserialize_directory,
    deserialize_header,
    find_tile,
    zxy_to_tileid,
)
from pmtiles.writer import Writer

from . import ranges, storage
from .mvt import BUFFER, EXTENT, TileEncoder, to_world
from .source import layer_arrays


def zoom_range() -> tuple[int, int]:
    return settings.GEODATA_TILE_MIN_ZOOM, settings.GEODATA_TILE_MAX_ZOOM


def build_archive(*, ids, geoms: np.ndarray, properties, name: str, title: str = "") -> dict:
    """Write all tiles of zooms min..max for the given features to a PMTiles archive stored as `name`."""
    min_zoom, max_zoom = zoom_range()
    encoder = TileEncoder(ids, to_world(geoms), properties)
    tiles: list[tuple[int, bytes]] = []
    for z in range(min_zoom, max_zoom + 1):
        for x, y, data in encoder.tiles(z):
            tiles.append((zxy_to_tileid(z, x, y), gzip.compress(data, compresslevel=5, mtime=0)))
    tiles.sort(key=lambda item: item[0])
    lon0, lat0, lon1, lat1 = shapely.total_bounds(geoms) if len(geoms) else (0.0, 0.0, 0.0, 0.0)
    # The archive is written to a private temporary file of this process, then uploaded to the storage.
    with tempfile.TemporaryDirectory(prefix="pb-tiles-") as workdir:
        path = Path(workdir) / "archive.pmtiles"
        with open(path, "wb") as handle:
            if tiles:  # the pmtiles writer needs at least one entry: an archive without tiles is empty
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
                writer.finalize(header, {"name": title, "vector_layers": [{"id": "features"}]})
        size = path.stat().st_size
        storage.put(name, path)
    return {"tiles": len(tiles), "bytes": size, "min_zoom": min_zoom, "max_zoom": max_zoom}


class TileArchive:
    """A PMTiles archive in the storage, read by byte ranges; header and directories are kept in memory.

    Opening reads the first 16 KiB (header and, as the writer places it, the root directory); a
    leaf directory is read the first time a tile below it is asked for. A tile is one more range
    read, so a web request never downloads the whole archive.
    """

    HEAD_BYTES = 16384
    MAX_LEAVES = 256

    def __init__(self, name: str, reader: ranges.RangeReader):
        self.name = name
        self.reader = reader
        self.bounds = None
        self.root: list[Entry] = []
        self.leaves: OrderedDict[tuple[int, int], list[Entry]] = OrderedDict()
        self.lock = threading.Lock()
        head = reader.read(0, self.HEAD_BYTES)
        if len(head) < 127:
            return
        self.header = deserialize_header(head[0:127])
        self.bounds = (
            self.header["min_lon_e7"] / 1e7,
            self.header["min_lat_e7"] / 1e7,
            self.header["max_lon_e7"] / 1e7,
            self.header["max_lat_e7"] / 1e7,
        )
        offset, length = self.header["root_offset"], self.header["root_length"]
        raw = head[offset : offset + length] if offset + length <= len(head) else reader.read(offset, length)
        self.root = deserialize_directory(raw)

    def _leaf(self, offset: int, length: int) -> list[Entry]:
        key = (offset, length)
        with self.lock:
            entries = self.leaves.get(key)
            if entries is not None:
                self.leaves.move_to_end(key)
                return entries
        entries = deserialize_directory(self.reader.read(self.header["leaf_directory_offset"] + offset, length))
        with self.lock:
            self.leaves[key] = entries
            while len(self.leaves) > self.MAX_LEAVES:
                self.leaves.popitem(last=False)
        return entries

    def tile_ids(self) -> list[int]:
        """Return the ids of all tiles in the archive (reads every leaf directory; for tests and tools)."""
        ids: list[int] = []

        def walk(entries: list[Entry]) -> None:
            for entry in entries:
                if entry.run_length == 0:
                    walk(self._leaf(entry.offset, entry.length))
                else:
                    ids.extend(range(entry.tile_id, entry.tile_id + entry.run_length))

        walk(self.root)
        return ids

    def get(self, z: int, x: int, y: int) -> bytes | None:
        """Return the gzip-compressed tile z/x/y, or None if it holds no features."""
        tile_id = zxy_to_tileid(z, x, y)
        entries = self.root
        for _depth in range(4):  # the spec allows at most three levels of leaves
            entry = find_tile(entries, tile_id)
            if entry is None:
                return None
            if entry.run_length > 0:
                return self.reader.read(self.header["tile_data_offset"] + entry.offset, entry.length)
            entries = self._leaf(entry.offset, entry.length)
        return None


_archives: OrderedDict[str, TileArchive] = OrderedDict()
_archives_lock = threading.Lock()
_MAX_OPEN = 64


def open_archive(name: str) -> TileArchive | None:
    """Return the cached archive stored as `name` (opened once per process), or None if it does not exist."""
    key = storage.cache_key(name)
    with _archives_lock:
        archive = _archives.get(key)
        if archive is not None:
            _archives.move_to_end(key)
            return archive
    reader = ranges.open_reader(default_storage, name)
    if reader is None:
        return None
    try:
        archive = TileArchive(name, reader)
    except FileNotFoundError:
        return None
    with _archives_lock:
        _archives[key] = archive
        while len(_archives) > _MAX_OPEN:
            _archives.popitem(last=False)
    return archive


def forget_archives(prefix: str = "") -> None:
    """Drop cached archives (all, or those whose name starts with `prefix`)."""
    with _archives_lock:
        for key in [key for key, archive in _archives.items() if archive.name.startswith(prefix)]:
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
