"""Chunks: the rows of many series of one metric in one item (``tiers``): their blocks of an hour (offsets:
seconds in the hour), or their hourly rollups of a day (offsets: hours of the day).

A chunk holds what ``encode_block`` would write for each of its series, bit for bit, in fewer bytes:
series of the same shape (plain integers of one scale, plain floats, summaries) share their columns,
so the compressor and the scale classification of ``codecs`` see long columns instead of 60-row ones,
and the chunk pays one header and one compressor's tables instead of one per series.

A chunk is::

    magic  3 B        b"PC1"
    packed            the structured bytes (below), one raw LZMA2 stream (it knows where it ends)
    raw    the rest   the last 11 bytes of every sid (random hashes), in series order, then the byte
                      planes of full-precision floats that no compressor shrinks, as in ``codecs``

Structured bytes::

    n      u32 LE     series, sorted by sid (unique)
    flags  u8         bit 0: every series has a source column (all or none)
    g      u8         groups (1 ≤ g ≤ n)
    sid0   n × u8     the first byte of each sid, then its deltas (mod 256; sorted sids: small steps)
    rows   n × u32    rows of each series (≥ 1), byte-shuffled
    group  n × u8     each series' group, in series order; absent when g == 1
    g ×    group:     its series in sid order, their rows concatenated
      k      u8         1 when its series are plain values, else 6 (count, sum, min, max, last, sumsq)
      offs   m × u16    each series' offsets as deltas from 0 (the first offset, then steps), byte-shuffled
      k ×    column     as in ``codecs`` (the column of every row of the group; DERIVED on the 6th)
      src    m × u32    with flags bit 0: the sources, byte-shuffled

Series are grouped by shape: plain series whose values are all integers of one scale (a group per
scale: counts, rates count/60, one-decimal gauges), other plain series (full-precision floats, mixed),
summaries whose sum of squares is sum²/count (stored as DERIVED) and other summaries. A plain series
decodes through ``from_values``, as ``decode_block`` does. Decoded arrays are views of their group's
arrays (each column of a series contiguous, as the engine reads them): no copy a series.
"""

from __future__ import annotations

import lzma
import struct
from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, TypeAlias

from polymetric.lazy import np
from polymetric.models.samples import FloatArray, IntArray, SourceArray, from_values
from polymetric.models.series import SID_BYTES
from polymetric.storage.codecs import (
    _CANONICAL_NAN,
    SCALES,
    CodecError,
    _classify,
    _derived_sumsq,
    _is_plain,
    _Reader,
    _same_bits,
    _shuffle,
    _unshuffle,
    _Writer,
)

if TYPE_CHECKING:
    import numpy.typing as npt

CHUNK_MAGIC = b"PC1"
ChunkSeries: TypeAlias = "tuple[bytes, IntArray, FloatArray, SourceArray | None]"

_SOURCES = 0x01
_MAX_OFFSET = 3599
_FLOAT_GROUP = 0xFF  # group code of plain series that are not integers of one scale

# LZMA2 without a container: no header, its end marker ends the stream. An adaptive binary coder without
# literal context (lc = lp = pb = 0: neighbouring bytes of a shuffled plane say little about each other)
# codes the skewed planes of exponents, leading mantissa bytes and small integers nearer their entropy than
# zlib's Huffman tables: 7.52 B a sample against 7.81 on the bench's 100 full-precision series, 2.76
# against 3.02 on short decimals (bench/chunks.py). It decodes ~4× slower than zlib (~0.1 ms more for an
# 8 KB chunk of floats, ~0.5 ms of integers, whose zero planes inflate the structured bytes); bytes are what
# items cost. The small window keeps the decoder's set-up cheap; a chunk is a few KB.
_LZMA_DICT = 1 << 16
_LZMA_FILTERS = [{"id": lzma.FILTER_LZMA2, "dict_size": _LZMA_DICT, "lc": 0, "lp": 0, "pb": 0, "preset": 9}]
_LZMA_DECODE = [{"id": lzma.FILTER_LZMA2, "dict_size": _LZMA_DICT}]


def _pack(data: bytes) -> bytes:
    return lzma.compress(data, format=lzma.FORMAT_RAW, filters=_LZMA_FILTERS)


def _unpack(packed: bytes) -> tuple[bytes, bytes]:
    """The structured bytes, and what follows their stream (the raw region)."""
    stream = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=_LZMA_DECODE)
    data = stream.decompress(packed)
    if not stream.eof:
        raise ValueError("lzma stream ends early")
    return data, stream.unused_data


def _group_key(values: FloatArray) -> tuple[int, int]:
    """(k, code): k columns; for plain series the index of their one scale or _FLOAT_GROUP, for
    summaries 1 when the sum of squares is derived."""
    if _is_plain(values):
        col = np.ascontiguousarray(values[:, 1])
        col = col[col.view(np.uint64) != np.uint64(_CANONICAL_NAN)]
        scales, classes = _classify(col)
        if len(scales) == 1 and not classes.any():
            return 1, SCALES.index(scales[0])
        return 1, _FLOAT_GROUP
    return 6, int(_same_bits(values[:, 5], _derived_sumsq(values)))


def encode_chunk(series: Sequence[ChunkSeries]) -> bytes:
    """Series of one metric-hour, sorted by sid (unique), each ≥ 1 row: (sid, offsets, n × 6 values, sources)."""
    n = len(series)
    if not n:
        raise ValueError("a chunk holds at least one series")
    with_sources = series[0][3] is not None
    sids = [s[0] for s in series]
    if any(len(sid) != SID_BYTES for sid in sids) or any(a >= b for a, b in pairwise(sids)):
        raise ValueError("sids must be 12 bytes, sorted and unique")
    rows = np.array([len(s[1]) for s in series], dtype=np.int64)
    for _, offsets, values, sources in series:
        if not len(offsets) or values.shape != (len(offsets), 6):
            raise ValueError("a series has ≥ 1 row and six value columns")
        if (sources is not None) != with_sources or (sources is not None and len(sources) != len(offsets)):
            raise ValueError("every series of a chunk has sources, or none")
        if offsets[0] < 0 or offsets[-1] > _MAX_OFFSET or np.any(np.diff(offsets) < 0):
            raise ValueError("offsets are sorted seconds within the hour")

    keys = [_group_key(values) for _, _, values, _ in series]
    codes = sorted(set(keys))
    index = {key: g for g, key in enumerate(codes)}
    member = np.array([index[key] for key in keys], dtype=np.uint8)

    out = _Writer(CHUNK_MAGIC)
    sid_bytes = np.frombuffer(b"".join(sids), dtype=np.uint8).reshape(n, SID_BYTES)
    out.raw.append(sid_bytes[:, 1:].tobytes())
    out.parts += [
        struct.pack("<IBB", n, _SOURCES if with_sources else 0, len(codes)),
        np.diff(sid_bytes[:, 0], prepend=np.uint8(0)).tobytes(),
        _shuffle(rows.astype("<u4")),
    ]
    if len(codes) > 1:
        out.parts.append(member.tobytes())
    for g, (k, _) in enumerate(codes):
        chosen = [series[i] for i in np.flatnonzero(member == g)]
        deltas = np.concatenate([np.diff(offsets, prepend=0) for _, offsets, _, _ in chosen])
        values = np.concatenate([v[:, 1:2] if k == 1 else v for _, _, v, _ in chosen])
        out.parts += [bytes([k]), _shuffle(deltas.astype("<u2"))]
        out.columns(values)
        if with_sources:
            out.parts.append(_shuffle(np.concatenate([s for _, _, _, s in chosen if s is not None]).astype("<u4")))
    return CHUNK_MAGIC + _pack(b"".join(out.parts)) + b"".join(out.raw)


def decode_chunk(blob: bytes) -> list[ChunkSeries]:
    """Inverse of ``encode_chunk``: the series in sid order, plain ones through ``from_values``."""
    if blob[:3] != CHUNK_MAGIC:
        raise CodecError("chunk has no PC1 header")
    try:
        return _decode(blob)
    except (lzma.LZMAError, struct.error, ValueError, IndexError) as exc:
        raise CodecError(f"chunk is truncated or corrupt: {exc}") from exc


def _decode(blob: bytes) -> list[ChunkSeries]:
    reader = _Reader.over(*_unpack(blob[3:]))
    n, flags, g = reader.unpack("<IBB")
    if not n or not 1 <= g <= n or flags & ~_SOURCES:
        raise ValueError("bad header")
    head = np.cumsum(np.frombuffer(reader.take(n), dtype=np.uint8), dtype=np.uint8)
    rows = _unshuffle(reader.take(4 * n), n, "<u4").astype(np.int64)
    # Every row costs two offset bytes of the structured stream: a corrupt count cannot allocate more.
    if np.any(rows == 0) or 2 * int(rows.sum()) > len(reader.data):
        raise ValueError("row counts exceed the data")
    member = np.frombuffer(reader.take(n), dtype=np.uint8) if g > 1 else np.zeros(n, dtype=np.uint8)
    if np.any(member >= g):
        raise ValueError("series of no group")
    tails = np.frombuffer(reader.take_raw(n * (SID_BYTES - 1)), dtype=np.uint8).reshape(n, SID_BYTES - 1)
    sid_bytes = np.concatenate([head[:, None], tails], axis=1).tobytes()
    out: list[ChunkSeries | None] = [None] * n
    for group in range(g):
        idx = np.flatnonzero(member == group)
        if not len(idx):
            raise ValueError("empty group")
        counts = rows[idx]
        m = int(counts.sum())
        (k,) = reader.take(1)
        if k not in (1, 6):
            raise ValueError("bad column count")
        offsets = _offsets(_unshuffle(reader.take(2 * m), m, "<u2").astype(np.int64), counts)
        values = reader.columns(m, k)
        if k == 1:
            values = from_values(values[:, 0])
        sources = None
        if flags & _SOURCES:
            sources = _unshuffle(reader.take(4 * m), m, "<u4").astype(np.uint32)
        # Each series gets views of its rows: column-major like decode_block's arrays (every column of a
        # series is contiguous), without a copy a series.
        ends = np.cumsum(counts)
        for i, end, count in zip(idx.tolist(), ends.tolist(), counts.tolist(), strict=True):
            start = end - count
            src = sources[start:end] if sources is not None else None
            out[i] = (sid_bytes[i * SID_BYTES : (i + 1) * SID_BYTES], offsets[start:end], values[start:end], src)
    reader.end()
    return [s for s in out if s is not None]


def _offsets(deltas: IntArray, counts: IntArray) -> IntArray:
    """Per-series deltas from 0 back to offsets: one running sum, less what came before each series."""
    running = deltas.cumsum()
    firsts = running[counts.cumsum() - counts] - deltas[counts.cumsum() - counts]
    out: npt.NDArray[np.int64] = running - firsts.repeat(counts)
    return out
