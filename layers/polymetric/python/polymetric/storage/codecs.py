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

Decimal scaling plus byte shuffling turns typical metric values (percentages, counts, latencies
with a few decimals) into mostly-zero byte planes that zlib squeezes to a few bytes per sample.
"""

import struct
import zlib

import numpy as np
import numpy.typing as npt

from polymetric.models.samples import FloatArray, IntArray, SidArray
from polymetric.models.series import SID_BYTES

MAGIC = b"PS2"
RAW = 0x7F
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


Section = tuple[SidArray, IntArray, FloatArray]  # sids, offsets within the hour, n × k value columns


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
        parts.extend(_encode_column(np.ascontiguousarray(columns[order, j])) for j in range(k))
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


def _decode_section(raw: bytes, pos: int) -> tuple[Section, int]:
    n, k = struct.unpack_from("<IB", raw, pos)
    pos += 5
    sids = np.frombuffer(raw, dtype=f"S{SID_BYTES}", count=n, offset=pos).copy()
    pos += n * SID_BYTES
    offsets = np.frombuffer(raw, dtype="<u2", count=n, offset=pos).astype(np.int64)
    pos += n * 2
    columns = np.empty((n, k), dtype=np.float64)
    for j in range(k):
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
        columns[:, j] = col
    return (sids, offsets, columns), pos
