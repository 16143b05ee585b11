"""The v1 writers (PS2, PB1, PR1) as deployments ran them before v2, kept to make blobs that readers must still take.

Copied from ``polymetric.storage.codecs`` at the change to v2; only the writing half (the reading half
stays in the codec module).
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

RAW = 0x7F
DERIVED = 0x7E
HAS_NAN = 0x80
MAX_DECIMALS = 15
_EXACT = 2.0**53


def _shuffle(a: np.ndarray) -> bytes:
    return a.view(np.uint8).reshape(len(a), a.itemsize).T.tobytes()


def decimal_exponent(values: np.ndarray) -> int | None:
    if len(values) == 0:
        return 0
    if not np.all(np.isfinite(values)):
        return None
    for e in range(MAX_DECIMALS + 1):
        scaled = values * (10.0**e)
        if np.any(np.abs(scaled) >= _EXACT):
            return None
        rounded = np.round(scaled)
        if np.array_equal(rounded / (10.0**e), values):
            return e
    return None


def _encode_column(col: np.ndarray) -> bytes:
    nan = np.isnan(col)
    flag = 0
    prefix = b""
    if nan.any():
        flag |= HAS_NAN
        prefix = np.packbits(nan).tobytes()
        col = np.where(nan, 0.0, col)
    e = decimal_exponent(col)
    if e is None:
        return bytes([flag | RAW]) + prefix + _shuffle(col.astype("<f8"))
    ints = np.round(col * (10.0**e)).astype("<i8")
    return bytes([flag | e]) + prefix + _shuffle(ints)


def _encode_columns(columns: np.ndarray) -> list[bytes]:
    k = columns.shape[1]
    parts = [_encode_column(np.ascontiguousarray(columns[:, j])) for j in range(min(k, 5))]
    if k == 6:
        sumsq = columns[:, 5]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            derived = columns[:, 1] * columns[:, 1] / columns[:, 0]
        if len(sumsq) and np.array_equal(sumsq, derived):
            parts.append(bytes([DERIVED]))
        else:
            parts.append(_encode_column(np.ascontiguousarray(sumsq)))
    return parts


def encode_slab(sections: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> bytes:
    parts = [b"PS2", struct.pack("<B", len(sections))]
    for sids, offsets, columns in sections:
        n, k = columns.shape
        order = np.lexsort((offsets, sids))
        parts += [struct.pack("<IB", n, k), sids[order].astype("S12").tobytes(), offsets[order].astype("<u2").tobytes()]
        parts.extend(_encode_columns(columns[order]))
    return zlib.compress(b"".join(parts), 6)


def _is_plain(values: np.ndarray) -> bool:
    v = values[:, 1]
    return bool(
        np.all(values[:, 0] == 1.0)
        and np.array_equal(values[:, 2], v)
        and np.array_equal(values[:, 3], v)
        and np.array_equal(values[:, 4], v)
        and np.array_equal(values[:, 5], v * v)
    )


def encode_block(offsets: np.ndarray, values: np.ndarray, sources: np.ndarray | None = None) -> bytes:
    n = len(offsets)
    plain = n > 0 and _is_plain(values)
    columns = values[:, 1:2] if plain else values
    deltas = np.diff(offsets, prepend=0).astype("<u2")
    parts = [b"PB1", struct.pack("<IBB", n, columns.shape[1], 1 if sources is not None else 0), _shuffle(deltas)]
    parts.extend(_encode_columns(columns))
    if sources is not None:
        parts.append(sources.astype("<u4").tobytes())
    return zlib.compress(b"".join(parts), 9)


def encode_rollups(hours: np.ndarray, values: np.ndarray) -> bytes:
    bitmap = int(np.bitwise_or.reduce(np.left_shift(1, hours.astype(np.int64)))) if len(hours) else 0
    parts = [b"PR1", struct.pack("<I", bitmap)]
    parts.extend(_encode_column(np.ascontiguousarray(values[:, j])) for j in range(6))
    return zlib.compress(b"".join(parts), 9)
