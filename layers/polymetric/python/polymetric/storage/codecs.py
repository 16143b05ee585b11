"""Binary encodings of samples.

Hot slab (one item per metric and hour of one request), zlib-compressed::

    magic  b"PS2"
    m      u8         sections (plain values and summaries are separate sections)
    m ×    section:
      n      u32 LE     rows
      k      u8         value columns (1 for plain values, 6 for summaries)
      sids   n × 12 B   series ids, rows sorted by (sid, offset), ties in write order
      offs   n × u16 LE seconds since the start of the hour
      k ×    column     flag u8, then payload:
             flag & 0x7F == 0x7F   float64 values, byte-shuffled
             flag & 0x7F == e      int64 round(v·10^e), byte-shuffled (e ≤ 15: the values are exact
                                    decimals with at most e fraction digits)
             flag & 0x80           a NaN bitmap (ceil(n/8) B) precedes the payload; NaNs are stored as 0
             flag == 0x7E          (6th column only) sumsq == sum²/count on every row: no payload

Decimal scaling plus byte shuffling turns typical metric values (percentages, counts, latencies
with a few decimals) into mostly-zero byte planes that zlib squeezes to a few bytes per sample.
"""

from __future__ import annotations

import struct
import zlib
from typing import TYPE_CHECKING, TypeAlias

from polymetric.lazy import np
from polymetric.models.samples import FloatArray, IntArray, SidArray
from polymetric.models.series import SID_BYTES

if TYPE_CHECKING:
    import numpy.typing as npt

MAGIC = b"PS2"
RAW = 0x7F
DERIVED = 0x7E  # a sumsq column that is sum²/count on every row: no payload
HAS_NAN = 0x80
MAX_DECIMALS = 15
_EXACT = 2.0**53


class CodecError(ValueError):
    pass


def _shuffle(a: npt.NDArray[np.generic]) -> bytes:
    return a.view(np.uint8).reshape(len(a), a.itemsize).T.tobytes()


def _unshuffle(buf: bytes, n: int, dtype: str) -> npt.NDArray[np.generic]:
    itemsize = np.dtype(dtype).itemsize
    planes = np.frombuffer(buf, dtype=np.uint8, count=n * itemsize).reshape(itemsize, n)
    return np.ascontiguousarray(planes.T).view(dtype).reshape(n)


def decimal_exponent(values: FloatArray) -> int | None:
    """Smallest e such that every value is exactly round(v·10^e)/10^e, or None (store raw floats)."""
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


def _encode_column(col: FloatArray) -> bytes:
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


Section: TypeAlias = "tuple[SidArray, IntArray, FloatArray]"  # sids, offsets within the hour, n × k value columns


def _encode_columns(columns: FloatArray) -> list[bytes]:
    """Every column; a sumsq column equal to sum²/count on every row (summaries sent without stddev)
    is stored as the flag ``DERIVED`` alone: sums of squares are never round decimals and would
    otherwise cost 8 incompressible bytes a row."""
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


def _decode_columns(raw: bytes, pos: int, n: int, k: int) -> tuple[FloatArray, int]:
    columns = np.empty((n, k), dtype=np.float64, order="F")
    for j in range(k):
        if j == 5 and n and raw[pos] == DERIVED:
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                columns[:, 5] = columns[:, 1] * columns[:, 1] / columns[:, 0]
            pos += 1
        else:
            columns[:, j], pos = _decode_column(raw, pos, n)
    return columns, pos


def encode_slab(sections: list[Section]) -> bytes:
    """Encode sections of rows. Rows are re-sorted by (sid, offset), stably, within each section."""
    parts = [MAGIC, struct.pack("<B", len(sections))]
    for sids, offsets, columns in sections:
        n, k = columns.shape
        order = np.lexsort((offsets, sids))
        parts += [
            struct.pack("<IB", n, k),
            sids[order].astype(f"S{SID_BYTES}").tobytes(),
            offsets[order].astype("<u2").tobytes(),
        ]
        parts.extend(_encode_columns(columns[order]))
    return zlib.compress(b"".join(parts), 6)


def decode_slab(blob: bytes) -> list[Section]:
    """Inverse of ``encode_slab``: the sections as (sids S12, offsets int64, columns n×k float64)."""
    try:
        raw = zlib.decompress(blob)
    except zlib.error as exc:
        raise CodecError("slab is not zlib data") from exc
    if raw[:3] != MAGIC:
        raise CodecError("slab has no PS2 header")
    try:
        (count,) = struct.unpack_from("<B", raw, 3)
        pos = 4
        sections = []
        for _ in range(count):
            section, pos = _decode_section(raw, pos)
            sections.append(section)
    except (struct.error, ValueError, IndexError) as exc:
        raise CodecError(f"slab is truncated or corrupt: {exc}") from exc
    return sections


def _decode_column(raw: bytes, pos: int, n: int) -> tuple[FloatArray, int]:
    flag = raw[pos]
    pos += 1
    nan = None
    if flag & HAS_NAN:
        nbytes = (n + 7) // 8
        nan = np.unpackbits(np.frombuffer(raw, dtype=np.uint8, count=nbytes, offset=pos))[:n].astype(bool)
        pos += nbytes
    e = flag & 0x7F
    body = raw[pos : pos + n * 8]
    if len(body) != n * 8:
        raise ValueError("column shorter than its rows")
    pos += n * 8
    if e == RAW:
        col = _unshuffle(body, n, "<f8").astype(np.float64)
    else:
        col = _unshuffle(body, n, "<i8").astype(np.float64) / (10.0**e)
    if nan is not None:
        col[nan] = np.nan
    return col, pos


def _decode_section(raw: bytes, pos: int) -> tuple[Section, int]:
    n, k = struct.unpack_from("<IB", raw, pos)
    pos += 5
    sids = np.frombuffer(raw, dtype=f"S{SID_BYTES}", count=n, offset=pos).copy()
    pos += n * SID_BYTES
    offsets = np.frombuffer(raw, dtype="<u2", count=n, offset=pos).astype(np.int64)
    pos += n * 2
    columns, pos = _decode_columns(raw, pos, n, k)
    return (sids, offsets, columns), pos


# Series hour block, zlib-compressed (one item per series-hour, written by the compactor)::
#
#     magic  b"PB1"
#     n      u32 LE     rows, sorted by (offset, src), deduplicated by the compactor
#     k      u8         1 when every row is a plain value, else 6 (count, sum, min, max, last, sumsq)
#     flags  u8         bit 0: a source column follows (service-side aggregated metrics)
#     offs   n × u16 LE the first offset, then deltas (regular reporting makes them one repeated value)
#     k ×    column     as in slabs
#     src    n × u32 LE which write each row came from, so re-merging the same write is idempotent
BLOCK_MAGIC = b"PB1"


def _is_plain(values: FloatArray) -> bool:
    v = values[:, 1]
    return bool(
        np.all(values[:, 0] == 1.0)
        and np.array_equal(values[:, 2], v)
        and np.array_equal(values[:, 3], v)
        and np.array_equal(values[:, 4], v)
        and np.array_equal(values[:, 5], v * v)
    )


def encode_block(offsets: IntArray, values: FloatArray, sources: npt.NDArray[np.uint32] | None = None) -> bytes:
    """Rows of one series-hour: offsets (seconds in the hour, sorted), six columns, optional write sources."""
    n = len(offsets)
    plain = n > 0 and _is_plain(values)
    columns = values[:, 1:2] if plain else values
    deltas = np.diff(offsets, prepend=0).astype("<u2")
    parts = [BLOCK_MAGIC, struct.pack("<IBB", n, columns.shape[1], 1 if sources is not None else 0), _shuffle(deltas)]
    parts.extend(_encode_columns(columns))
    if sources is not None:
        parts.append(sources.astype("<u4").tobytes())
    return zlib.compress(b"".join(parts), 9)


def decode_block(blob: bytes) -> tuple[IntArray, FloatArray, npt.NDArray[np.uint32] | None]:
    """Inverse of ``encode_block``: (offsets, n × 6 values, sources or None)."""
    try:
        raw = zlib.decompress(blob)
        if raw[:3] != BLOCK_MAGIC:
            raise CodecError("block has no PB1 header")
        n, k, flags = struct.unpack_from("<IBB", raw, 3)
        pos = 9
        offsets = np.cumsum(_unshuffle(raw[pos : pos + 2 * n], n, "<u2").astype(np.int64))
        pos += 2 * n
        columns, pos = _decode_columns(raw, pos, n, k)
        sources = None
        if flags & 1:
            sources = np.frombuffer(raw, dtype="<u4", count=n, offset=pos).astype(np.uint32)
    except (zlib.error, struct.error, ValueError, IndexError) as exc:
        raise CodecError(f"block is corrupt: {exc}") from exc
    if k == 1:
        from polymetric.models.samples import from_values  # local: models imports nothing from storage

        return offsets, from_values(columns[:, 0]), sources
    return offsets, columns, sources


# Day of hourly rollups, zlib-compressed (one item per series-day, rewritten at each compacted hour)::
#
#     magic  b"PR1"
#     hours  u32 LE     bitmap of the hours present (bit h = hour h of the day)
#     6 ×    column     count, sum, min, max, last, sumsq of the present hours, in hour order
ROLLUP_MAGIC = b"PR1"


def encode_rollups(hours: IntArray, values: FloatArray) -> bytes:
    """Hourly rows of one day: ``hours`` are 0..23 (unique, sorted), ``values`` n × 6."""
    bitmap = int(np.bitwise_or.reduce(np.left_shift(1, hours.astype(np.int64)))) if len(hours) else 0
    parts = [ROLLUP_MAGIC, struct.pack("<I", bitmap)]
    parts.extend(_encode_column(np.ascontiguousarray(values[:, j])) for j in range(6))
    return zlib.compress(b"".join(parts), 9)


def decode_rollups(blob: bytes) -> tuple[IntArray, FloatArray]:
    try:
        raw = zlib.decompress(blob)
        if raw[:3] != ROLLUP_MAGIC:
            raise CodecError("rollup has no PR1 header")
        (bitmap,) = struct.unpack_from("<I", raw, 3)
        hours = np.array([h for h in range(24) if bitmap >> h & 1], dtype=np.int64)
        pos = 7
        values = np.empty((len(hours), 6), dtype=np.float64)
        for j in range(6):
            values[:, j], pos = _decode_column(raw, pos, len(hours))
    except (zlib.error, struct.error, ValueError, IndexError) as exc:
        raise CodecError(f"rollup is corrupt: {exc}") from exc
    return hours, values
