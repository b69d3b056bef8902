"""Mapbox Vector Tile (MVT 2.1) encoding with numpy/shapely pre-transformation.

The pyramid builder transforms every coordinate to Web Mercator "world" units once,
assigns each feature to the tiles its bounding box touches, clips only the features
that cross tile borders, and encodes the tile-local integer coordinates in plain
Python. That is several times faster than generic encoders that re-validate and
re-transform each geometry per tile (see docs/layers.md).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from .protobuf import encode_value, field_bytes, packed, varint, varints, zigzag

EXTENT = 4096
BUFFER = 64  # tile units around each tile that features may extend into (for stroke widths)
LAYER_NAME = "features"

_POINT, _LINE, _POLYGON = 1, 2, 3
_TYPE_OF = {
    "Point": _POINT,
    "MultiPoint": _POINT,
    "LineString": _LINE,
    "MultiLineString": _LINE,
    "LinearRing": _LINE,
    "Polygon": _POLYGON,
    "MultiPolygon": _POLYGON,
}


def to_world(geometries: np.ndarray) -> np.ndarray:
    """Return `geometries` (EPSG:4326) in Web Mercator world units: x, y in [0, 1], y pointing down."""

    def transform(coords):
        lon = coords[:, 0]
        lat = np.clip(coords[:, 1], -85.05112878, 85.05112878)
        x = (lon + 180.0) / 360.0
        sin = np.sin(np.radians(lat))
        y = 0.5 - np.log((1 + sin) / (1 - sin)) / (4 * math.pi)
        return np.column_stack([x, y])

    return shapely.transform(geometries, transform)


def world_bounds_of_tile(z: int, x: int, y: int, buffer: float = 0.0) -> tuple[float, float, float, float]:
    """Return the world-unit rectangle of tile z/x/y, widened by `buffer` tile units."""
    size = 1.0 / (1 << z)
    pad = size * buffer / EXTENT
    return x * size - pad, y * size - pad, (x + 1) * size + pad, (y + 1) * size + pad


# --- geometry commands ------------------------------------------------------------------------


def _dedupe(xs: list[int], ys: list[int]) -> tuple[list[int], list[int]]:
    rx, ry = [xs[0]], [ys[0]]
    for x, y in zip(xs, ys, strict=True):
        if x != rx[-1] or y != ry[-1]:
            rx.append(x)
            ry.append(y)
    return rx, ry


def _ring_area2(xs: list[int], ys: list[int]) -> int:
    n = len(xs)
    total = 0
    for i in range(n):
        j = i + 1 if i + 1 < n else 0
        total += xs[i] * ys[j] - xs[j] * ys[i]
    return total


def _append_path(cmds: list[int], xs: list[int], ys: list[int], cursor: list[int], close: bool) -> None:
    cx, cy = cursor
    cmds.append(9)  # MoveTo, count 1
    cmds.append(zigzag(xs[0] - cx))
    cmds.append(zigzag(ys[0] - cy))
    cmds.append(((len(xs) - 1) << 3) | 2)  # LineTo
    px, py = xs[0], ys[0]
    for x, y in zip(xs[1:], ys[1:], strict=True):
        cmds.append(zigzag(x - px))
        cmds.append(zigzag(y - py))
        px, py = x, y
    if close:
        cmds.append(15)  # ClosePath
    cursor[0], cursor[1] = px, py


@dataclass
class TileFeature:
    """One feature's encoded geometry in one tile."""

    feature: int  # index into the layer's feature arrays
    geom_type: int
    commands: list[int]


def _encode_instances(
    geoms: np.ndarray, features: np.ndarray, tiles_x: np.ndarray, tiles_y: np.ndarray, z: int
) -> Iterator[tuple[tuple[int, int], TileFeature]]:
    """Yield ((x, y), TileFeature) for world-unit geometries placed in tiles of zoom `z`."""
    if len(geoms) == 0:
        return
    scale = float(1 << z)
    parts, part_inst = shapely.get_parts(geoms, return_index=True)
    part_types = shapely.get_type_id(parts)  # 0 point, 1 line, 2 ring, 3 polygon
    is_poly = part_types == 3
    # Rings of polygons; lines and points stand for themselves.
    poly_rings, poly_ring_part = shapely.get_rings(parts[is_poly], return_index=True)
    poly_part_ids = np.flatnonzero(is_poly)[poly_ring_part]
    other_ids = np.flatnonzero(~is_poly)
    ring_geoms = np.concatenate([poly_rings, parts[other_ids]]) if len(other_ids) else poly_rings
    ring_part = np.concatenate([poly_part_ids, other_ids]) if len(other_ids) else poly_part_ids
    order = np.argsort(ring_part, kind="stable")
    ring_geoms, ring_part = ring_geoms[order], ring_part[order]
    coords, coord_ring = shapely.get_coordinates(ring_geoms, return_index=True)
    inst_of_coord = part_inst[ring_part[coord_ring]]
    qx = np.rint((coords[:, 0] * scale - tiles_x[inst_of_coord]) * EXTENT).astype(np.int64)
    qy = np.rint((coords[:, 1] * scale - tiles_y[inst_of_coord]) * EXTENT).astype(np.int64)
    n_rings = len(ring_geoms)
    ring_is_poly = part_types[ring_part] == 3
    # Vectorised clean-up: drop the closing vertex of polygon rings and repeated vertices.
    starts = np.searchsorted(coord_ring, np.arange(n_rings + 1))
    keep = np.ones(len(qx), dtype=bool)
    if len(qx):
        keep[1:] = (qx[1:] != qx[:-1]) | (qy[1:] != qy[:-1])
        keep[starts[:-1][starts[:-1] < starts[1:]]] = True
        closing = starts[1:][ring_is_poly & (starts[1:] > starts[:-1])] - 1
        keep[closing] = False
    qx, qy, coord_ring = qx[keep], qy[keep], coord_ring[keep]
    starts = np.searchsorted(coord_ring, np.arange(n_rings + 1))
    # After quantisation the last vertex of a polygon ring may equal its first one.
    lengths = starts[1:] - starts[:-1]
    if len(qx):
        last = np.maximum(starts[1:] - 1, 0)
        first = np.minimum(starts[:-1], len(qx) - 1)
        wrap = ring_is_poly & (lengths >= 2) & (qx[last] == qx[first]) & (qy[last] == qy[first])
        if wrap.any():
            keep = np.ones(len(qx), dtype=bool)
            keep[last[wrap]] = False
            qx, qy, coord_ring = qx[keep], qy[keep], coord_ring[keep]
            starts = np.searchsorted(coord_ring, np.arange(n_rings + 1))
    # Twice the signed ring areas (surveyor's formula, tile space: y down).
    nxt = np.arange(1, len(qx) + 1)
    if len(qx):
        ends = starts[1:][starts[1:] > starts[:-1]]
        nxt[ends - 1] = starts[:-1][starts[1:] > starts[:-1]]
        cross = (qx * qy[nxt % max(len(qx), 1)] - qx[nxt % max(len(qx), 1)] * qy).astype(np.float64)
        areas: np.ndarray = np.bincount(coord_ring, weights=cross, minlength=n_rings)
    else:
        areas = np.zeros(n_rings)
    # Zigzag deltas to the previous vertex, interleaved x, y (used for rings kept in order).
    dx = np.diff(qx, prepend=0)
    dy = np.diff(qy, prepend=0)
    zz = np.empty(2 * len(qx), dtype=np.int64)
    zz[0::2] = (dx << 1) ^ (dx >> 63)
    zz[1::2] = (dy << 1) ^ (dy >> 63)
    zz_l = zz.tolist()
    qx_l, qy_l = qx.tolist(), qy.tolist()
    ring_starts = starts.tolist()
    area_l = areas.tolist()
    ring_part_l = ring_part.tolist()
    part_inst_l = part_inst.tolist()
    part_type_l = part_types.tolist()
    # First ring of each polygon part is its exterior.
    first_ring_of_part = np.ones(len(ring_part), dtype=bool)
    first_ring_of_part[1:] = ring_part[1:] != ring_part[:-1]
    exterior_l = first_ring_of_part.tolist()

    current_inst = -1
    current: TileFeature | None = None
    cx = cy = 0
    skip_part = -1
    features_l = features.tolist()
    tx_l, ty_l = tiles_x.tolist(), tiles_y.tolist()
    for r in range(len(ring_part_l)):
        part = ring_part_l[r]
        inst = part_inst_l[part]
        if inst != current_inst:
            if current is not None and current.commands:
                yield (tx_l[current_inst], ty_l[current_inst]), _finish(current)
            current_inst = inst
            current = None
            cx = cy = 0
        start, end = ring_starts[r], ring_starts[r + 1]
        if end <= start or part == skip_part:
            continue
        ptype = part_type_l[part]
        gtype = _POLYGON if ptype == 3 else (_LINE if ptype in (1, 2) else _POINT)
        if current is None:
            current = TileFeature(features_l[inst], gtype, [])
        elif current.geom_type != gtype:
            continue  # mixed collections: keep the first geometry type only
        commands = current.commands
        if gtype == _POINT:
            commands.append(zigzag(qx_l[start] - cx))
            commands.append(zigzag(qy_l[start] - cy))
            cx, cy = qx_l[start], qy_l[start]
            continue
        n = end - start
        if gtype == _LINE:
            if n < 2:
                continue
            reverse = False
        else:
            area = area_l[r] if n >= 3 else 0
            if area == 0:
                if exterior_l[r]:
                    skip_part = part  # a collapsed exterior takes its holes with it
                continue
            reverse = (area > 0) != exterior_l[r]
        if reverse:
            xs, ys = qx_l[start:end][::-1], qy_l[start:end][::-1]
            cursor = [cx, cy]
            _append_path(commands, xs, ys, cursor, close=True)
            cx, cy = cursor
            continue
        commands.append(9)  # MoveTo, count 1
        commands.append(zigzag(qx_l[start] - cx))
        commands.append(zigzag(qy_l[start] - cy))
        commands.append(((n - 1) << 3) | 2)  # LineTo
        commands.extend(zz_l[2 * start + 2 : 2 * end])
        if gtype == _POLYGON:
            commands.append(15)  # ClosePath
        cx, cy = qx_l[end - 1], qy_l[end - 1]
    if current is not None and current.commands:
        yield (tx_l[current_inst], ty_l[current_inst]), _finish(current)


def _finish(feature: TileFeature) -> TileFeature:
    if feature.geom_type == _POINT:  # one MoveTo with a count for all points
        feature.commands.insert(0, ((len(feature.commands) // 2) << 3) | 1)
    return feature


def assign_tiles(
    world_geoms: np.ndarray, bounds: np.ndarray, z: int, clip_bounds=None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Place features in the tiles of zoom `z`; return (geometries, feature indices, tile x, tile y).

    Features inside one (buffered) tile keep their geometry; larger ones are clipped per tile.
    """
    scale = float(1 << z)
    pad = BUFFER / EXTENT
    tx0 = np.floor(bounds[:, 0] * scale - pad).astype(np.int64)
    tx1 = np.floor(bounds[:, 2] * scale + pad).astype(np.int64)
    ty0 = np.floor(bounds[:, 1] * scale - pad).astype(np.int64)
    ty1 = np.floor(bounds[:, 3] * scale + pad).astype(np.int64)
    limit = (1 << z) - 1
    np.clip(tx0, 0, limit, out=tx0)
    np.clip(tx1, 0, limit, out=tx1)
    np.clip(ty0, 0, limit, out=ty0)
    np.clip(ty1, 0, limit, out=ty1)
    # Without the buffer, most features touch exactly one tile.
    cx = np.floor((bounds[:, 0] + bounds[:, 2]) / 2 * scale).astype(np.int64)
    cy = np.floor((bounds[:, 1] + bounds[:, 3]) / 2 * scale).astype(np.int64)
    single = (tx0 == tx1) & (ty0 == ty1)
    inside_buffer = (
        (bounds[:, 0] * scale >= cx - pad)
        & (bounds[:, 2] * scale <= cx + 1 + pad)
        & (bounds[:, 1] * scale >= cy - pad)
        & (bounds[:, 3] * scale <= cy + 1 + pad)
    )
    # A small feature near a border also belongs to the neighbour tile (buffer); render it there
    # unclipped too, so strokes continue across tile edges.
    simple = single | inside_buffer
    idx = np.flatnonzero(single)
    more_geoms, more_feats, more_tx, more_ty = [], [], [], []
    tx0_l, tx1_l, ty0_l, ty1_l, simple_l = tx0.tolist(), tx1.tolist(), ty0.tolist(), ty1.tolist(), simple.tolist()
    for i in np.flatnonzero(~single).tolist():
        for tx in range(tx0_l[i], tx1_l[i] + 1):
            for ty in range(ty0_l[i], ty1_l[i] + 1):
                if clip_bounds is not None and (tx, ty) != clip_bounds:
                    continue
                if simple_l[i]:
                    geom = world_geoms[i]
                else:
                    geom = shapely.clip_by_rect(world_geoms[i], *world_bounds_of_tile(z, tx, ty, BUFFER))
                    if geom is None or shapely.is_empty(geom):
                        continue
                more_geoms.append(geom)
                more_feats.append(i)
                more_tx.append(tx)
                more_ty.append(ty)
    extra = np.empty(len(more_geoms), dtype=object)
    extra[:] = more_geoms
    return (
        np.concatenate([world_geoms[idx], extra]),
        np.concatenate([idx, np.asarray(more_feats, dtype=np.int64)]).astype(np.int64),
        np.concatenate([tx0[idx], np.asarray(more_tx, dtype=np.int64)]).astype(np.int64),
        np.concatenate([ty0[idx], np.asarray(more_ty, dtype=np.int64)]).astype(np.int64),
    )


class TileEncoder:
    """Encode the features of one layer into MVT tiles."""

    def __init__(self, ids: Sequence[int], world_geoms: np.ndarray, properties: Sequence[dict]):
        self.ids = list(ids)
        self.world_geoms = world_geoms
        self.bounds = shapely.bounds(world_geoms)
        # Pre-encode each feature's attribute pairs once; tiles only map them to indices.
        encoded: dict = {}

        def encode(value):
            try:
                key = (type(value), value)
                found = encoded.get(key)
            except TypeError:  # unhashable (dict, list)
                return encode_value(value)
            if found is None:
                found = encoded[key] = encode_value(value)
            return found

        self.pairs = [
            [(key, encode(value)) for key, value in (props or {}).items() if value is not None] for props in properties
        ]

    def tiles(self, z: int, only: tuple[int, int] | None = None) -> Iterator[tuple[int, int, bytes]]:
        """Yield (x, y, tile bytes) for every non-empty tile of zoom `z` (or only the tile `only`)."""
        if only is not None:
            candidates = np.flatnonzero(
                shapely.intersects(self.world_geoms, shapely.box(*world_bounds_of_tile(z, *only, BUFFER)))
            )
        else:
            candidates = np.arange(len(self.ids))
        geoms, feats, txs, tys = assign_tiles(
            self.world_geoms[candidates], self.bounds[candidates], z, clip_bounds=only
        )
        feats = candidates[feats]
        grouped: dict[tuple[int, int], list[TileFeature]] = defaultdict(list)
        for key, feature in _encode_instances(geoms, feats, txs, tys, z):
            grouped[key].append(feature)
        for (x, y), tile_features in sorted(grouped.items()):
            if only is not None and (x, y) != only:
                continue
            yield x, y, self.encode(tile_features)

    def encode(self, tile_features: list[TileFeature]) -> bytes:
        """Return one tile with a single layer holding `tile_features`."""
        keys: dict[str, int] = {}
        values: dict[bytes, int] = {}
        body = bytearray()
        # Geometry commands of all features varint-encoded in one numpy pass.
        flat: list[int] = []
        bounds = []
        for feature in tile_features:
            flat.extend(feature.commands)
            bounds.append(len(flat))
        geometry, value_ends = varints(flat)
        byte_start = 0
        for feature, bound in zip(tile_features, bounds, strict=True):
            byte_end = value_ends[bound - 1]
            tags = []
            for key, value in self.pairs[feature.feature]:
                k = keys.get(key)
                if k is None:
                    k = keys[key] = len(keys)
                v = values.get(value)
                if v is None:
                    v = values[value] = len(values)
                tags.append(k)
                tags.append(v)
            message = bytearray(b"\x08")
            varint(self.ids[feature.feature], message)
            if tags:
                field_bytes(2, packed(tags), message)
            message += b"\x18"
            message.append(feature.geom_type)
            field_bytes(4, geometry[byte_start:byte_end], message)
            byte_start = byte_end
            field_bytes(2, message, body)
        layer = bytearray(b"\x78\x02")  # version 2
        field_bytes(1, LAYER_NAME.encode(), layer)
        layer += body
        for key in keys:
            field_bytes(3, key.encode(), layer)
        for value in values:
            field_bytes(4, value, layer)
        layer += b"\x28"
        varint(EXTENT, layer)
        tile = bytearray()
        field_bytes(3, layer, tile)
        return bytes(tile)
