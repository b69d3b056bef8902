"""Protocol-buffer primitives for vector tiles: varints, zigzag, length-delimited fields, MVT values."""

import numpy as np
import orjson


def varint(value: int, out: bytearray) -> None:
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def zigzag(value: int) -> int:
    return (value << 1) if value >= 0 else ((-value) << 1) - 1


def packed(values: list[int]) -> bytes | bytearray:
    if max(values, default=0) < 0x80:
        return bytes(values)
    out = bytearray()
    for value in values:
        while value > 0x7F:
            out.append((value & 0x7F) | 0x80)
            value >>= 7
        out.append(value)
    return out


def varints(values: list[int]) -> tuple[bytes, list[int]]:
    """Varint-encode non-negative `values` at once; return the bytes and each value's end offset."""
    v = np.asarray(values, dtype=np.uint64)
    if not len(v):
        return b"", []
    nb = np.ones(len(v), dtype=np.int64)
    for k in range(1, 10):
        more = v >= np.uint64(1 << (7 * k))
        if not more.any():
            break
        nb += more
    ends = np.cumsum(nb)
    starts = ends - nb
    out = np.empty(int(ends[-1]), dtype=np.uint8)
    for k in range(int(nb.max())):
        sel = nb > k
        byte = ((v[sel] >> np.uint64(7 * k)) & np.uint64(0x7F)).astype(np.uint8)
        byte |= (nb[sel] > k + 1).astype(np.uint8) << 7
        out[starts[sel] + k] = byte
    return out.tobytes(), ends.tolist()


def field_bytes(field: int, payload: bytes | bytearray, out: bytearray) -> None:
    out.append((field << 3) | 2)
    varint(len(payload), out)
    out += payload


def encode_value(value) -> bytes:
    out = bytearray()
    if isinstance(value, bool):
        out += b"\x38"  # field 7, bool
        out.append(1 if value else 0)
    elif isinstance(value, int) and -(2**63) <= value < 2**63:
        out += b"\x30"  # field 6, sint64
        varint(zigzag(value) & 0xFFFFFFFFFFFFFFFF, out)
    elif isinstance(value, float):
        out += b"\x19"  # field 3, double
        out += np.float64(value).tobytes()
    else:
        text = value if isinstance(value, str) else orjson.dumps(value).decode()
        field_bytes(1, text.encode(), out)
    return bytes(out)
