"""Binary encodings of samples: hot slabs, and the column encoding that chunks (``chunk_codec``) build on.

Hour blocks and days of rollups are stored in chunks, many series to an item (``tiers``). The
one-series forms below (``encode_block``, ``encode_rollups`` and their readers) are no longer written
or read by the store: they stay as the reference the chunk codec's tests compare with and the
baseline ``bench/chunks.py`` measures against.

Slab writers use version 2 (magic ``PS3``); slab readers take version 1 too (``PS2``: slabs a
deployment wrote before, kept until their TTL), told apart by their first bytes: a v1 blob is one
zlib stream, a v2 blob starts with its magic.

Every v2 blob is::

    magic  3 B        b"PS3" (slab), b"PB2" (block), b"PR2" (rollups)
    zlib              the structured bytes (below), one zlib stream (it knows where it ends)
    raw    the rest   byte planes of full-precision floats that zlib cannot shrink (their low mantissa
                      bytes are random), stored as they are: zlib would spend a little more than a byte
                      on each of them, and its tables weigh on small items

Structured bytes of a hot slab (one item per metric and hour of one request)::

    m      u8         sections (plain values and summaries are separate sections)
    m ×    section:
      n      u32 LE     rows
      k      u8         value columns (1 for plain values, 6 for summaries)
      sids   n × 12 B   series ids, rows sorted by (sid, offset), ties in write order
      offs   n × u16    seconds since the start of the hour, byte-shuffled
      k ×    column

of a series hour block (one item per series-hour, written by the compactor)::

    n      u32 LE     rows, sorted by (offset, src), deduplicated by the compactor
    k      u8         1 when every row is a plain value, else 6 (count, sum, min, max, last, sumsq)
    flags  u8         bit 0: a source column follows (service-side aggregated metrics)
    offs   n × u16    the first offset, then deltas, byte-shuffled (regular reporting: one repeated value)
    k ×    column
    src    n × u32 LE which write each row came from, so re-merging the same write is idempotent

of a day of hourly rollups (one item per series-day, rewritten at each compacted hour)::

    hours  u32 LE     bitmap of the hours present (bit h = hour h of the day)
    6 ×    column     count, sum, min, max, last, sumsq of the present hours, in hour order

A column::

    flag   u8         bit 7: a NaN bitmap follows (NaN rows are in none of the streams below);
                      bit 6: a class byte per other row follows; bit 5: the integers are deltas;
                      bits 0-4: s, the number of scales. flag == DERIVED (6th column of a summary only):
                      sumsq == sum²/count on every row, no payload
    nan    ceil(n/8) B
    scales s × u8     indexes into ``SCALES`` (fixed for v2: append only): an integer row i of scale d
                      stands for the value i / d
    class  one u8 a row: its scale's index, or 0xFF: a float row. Absent: with s == 1 every row is an
                      integer of the one scale, with s == 0 every row is a float
    ints   the integer rows as i64, or with bit 5 their deltas as zigzag u64 (a counter's steps), byte-shuffled
    floats if there are float rows: u8, bit p set when byte plane p of the floats is in the raw region;
                      the other planes follow here (a plane: byte p of every float row)

A row is an integer of scale d when round(v·d)/d gives v back bit for bit: short decimals (d = 10^e) and
rates of counts over a reporting interval (v = count/60 is no decimal, but v·60 is a small integer).
Every read returns the float64 written, -0.0, infinities, subnormals and NaN payloads included.
"""

from __future__ import annotations

import math
import struct
import zlib
from typing import TYPE_CHECKING, TypeAlias

from polymetric.lazy import np
from polymetric.models.samples import FloatArray, IntArray, SidArray
from polymetric.models.series import SID_BYTES

if TYPE_CHECKING:
    import numpy.typing as npt

SLAB_MAGIC = b"PS3"
BLOCK_MAGIC = b"PB2"
ROLLUP_MAGIC = b"PR2"
HAS_NAN = 0x80
CLASSES = 0x40
DELTA = 0x20
DERIVED = 0x1F  # a sumsq column that is sum²/count on every row: no payload
FLOAT_ROW = 0xFF
# Candidate scales, in order of preference on ties: decimals, then the usual reporting intervals.
# Fixed for v2 (blobs store indexes into it): append only, at most 30.
SCALES = (
    *(1.0, 10.0, 100.0, 1000.0, 60.0, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 300.0, 30.0, 3600.0, 120.0),
    *(600.0, 900.0, 20.0, 15.0, 12.0, 6.0, 3.0, 7.0, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15),
)
_EXACT = 2.0**53  # integral floats below it are integers exactly
# An integer row pays while it is shorter than the float: random full-precision floats often come back
# from their 16-digit decimal too, as integers near 2^53 that would only cost class bytes.
_SMALL_INT = 2.0**48
# A scale must cover this share of the rows still unclassified (random floats hit scales by chance).
_MIN_SHARE = 0.1
_FIRST_TRIED = 4  # integers, then 1, 2 and 3 decimals: tried alone before the whole table of scales
_CANONICAL_NAN = 0x7FF8000000000000
_ZLIB_LEVEL = 9

Section: TypeAlias = "tuple[SidArray, IntArray, FloatArray]"  # sids, offsets within the hour, n × k value columns


class CodecError(ValueError):
    pass


def _shuffle(a: npt.NDArray[np.generic]) -> bytes:
    return np.ascontiguousarray(a).view(np.uint8).reshape(len(a), a.itemsize).T.tobytes()


def _unshuffle(buf: bytes | memoryview, n: int, dtype: str) -> npt.NDArray[np.generic]:
    itemsize = np.dtype(dtype).itemsize
    planes = np.frombuffer(buf, dtype=np.uint8, count=n * itemsize).reshape(itemsize, n)
    return np.ascontiguousarray(planes.T).view(dtype).reshape(n)


# --- writing (v2) -----------------------------------------------------------------------------------------------------


class _Writer:
    """The two streams of a v2 blob: structured bytes (zlib-compressed at the end) and raw planes."""

    def __init__(self, magic: bytes) -> None:
        self.magic = magic
        self.parts: list[bytes] = []
        self.raw: list[bytes] = []

    def blob(self) -> bytes:
        packed = zlib.compress(b"".join(self.parts), _ZLIB_LEVEL)
        return b"".join([self.magic, packed, *self.raw])

    def column(self, col: FloatArray) -> None:
        bits = np.ascontiguousarray(col, dtype=np.float64).view(np.uint64)
        nan = bits == np.uint64(_CANONICAL_NAN)
        flag = 0
        if nan.any():
            flag |= HAS_NAN
            values = col[~nan]
        else:
            values = np.ascontiguousarray(col, dtype=np.float64)
        scales, classes = _classify(values)
        ints = np.empty(0, dtype=np.int64)
        is_int = classes != FLOAT_ROW
        if is_int.any():
            denominators = np.array(scales, dtype=np.float64)[classes[is_int]]
            ints = np.rint(values[is_int] * denominators).astype(np.int64)
            deltas = np.diff(ints, prepend=np.int64(0))
            # Deltas pay for counters and slow walks, not on noise: keep whichever zlib packs smaller.
            stored = ints.astype("<i8")
            if _packed_size(_zigzag(deltas)) < _packed_size(stored):
                flag |= DELTA
                stored = _zigzag(deltas).astype("<u8")
        floats = values[~is_int]
        uniform = (len(scales) == 1 and is_int.all()) or (not scales and not is_int.any())
        if not uniform:
            flag |= CLASSES
        self.parts.append(bytes([flag | len(scales)]))
        if flag & HAS_NAN:
            self.parts.append(np.packbits(nan).tobytes())
        self.parts.append(bytes(SCALES.index(d) for d in scales))
        if flag & CLASSES:
            self.parts.append(classes.astype(np.uint8).tobytes())
        if len(ints):
            self.parts.append(_shuffle(stored))
        if len(floats):
            self._floats(floats)

    def _floats(self, floats: FloatArray) -> None:
        planes = np.ascontiguousarray(floats.astype("<f8")).view(np.uint8).reshape(len(floats), 8).T
        mask = 0
        kept = []
        for p in range(8):
            if _looks_random(planes[p]):
                mask |= 1 << p
                self.raw.append(planes[p].tobytes())
            else:
                kept.append(planes[p].tobytes())
        self.parts.append(bytes([mask]))
        self.parts.extend(kept)

    def columns(self, columns: FloatArray) -> None:
        """Every column; a sumsq column equal to sum²/count on every row (summaries sent without stddev)
        is the flag ``DERIVED`` alone: sums of squares are never round numbers and would otherwise cost
        8 incompressible bytes a row."""
        k = columns.shape[1]
        for j in range(min(k, 5)):
            self.column(np.ascontiguousarray(columns[:, j]))
        if k == 6:
            sumsq = np.ascontiguousarray(columns[:, 5])
            if len(sumsq) and _same_bits(sumsq, _derived_sumsq(columns)):
                self.parts.append(bytes([DERIVED]))
            else:
                self.column(sumsq)


def _looks_random(plane: npt.NDArray[np.uint8]) -> bool:
    """As many distinct bytes as uniformly random ones would show (zlib could not shrink them)."""
    n = len(plane)
    if n < 8:
        return False
    expected = 256.0 * (1.0 - float(np.exp(-n / 256.0)))
    return len(np.unique(plane)) >= 0.8 * expected


def _derived_sumsq(columns: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out: FloatArray = columns[:, 1] * columns[:, 1] / columns[:, 0]
    return out


def _same_bits(a: FloatArray, b: FloatArray) -> bool:
    return bool(np.array_equal(np.ascontiguousarray(a).view(np.uint64), np.ascontiguousarray(b).view(np.uint64)))


def _zigzag(ints: npt.NDArray[np.int64]) -> npt.NDArray[np.uint64]:
    return ((ints << 1) ^ (ints >> 63)).view(np.uint64)


def _unzigzag(z: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
    return (z >> np.uint64(1)).view(np.int64) ^ -(z & np.uint64(1)).view(np.int64)


def _packed_size(ints: npt.NDArray[np.int64] | npt.NDArray[np.uint64]) -> int:
    return len(zlib.compress(_shuffle(ints), 6))


def _exact_under(values: FloatArray, candidates: tuple[float, ...] = SCALES) -> npt.NDArray[np.bool_]:
    """n × len(candidates): which rows round(v·d)/d gives back bit for bit (never -0.0, infinities or NaN)."""
    scales = np.array(candidates, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        ints = np.rint(values[:, None] * scales[None, :])
        ok = np.abs(ints) < np.where(scales == 1.0, _EXACT, _SMALL_INT)[None, :]
        # As the reader computes it: through int64, so -0.0 comes back as 0.0 and stays a float row.
        back = np.where(ok, ints, 0.0).astype(np.int64).astype(np.float64) / scales[None, :]
    exact: npt.NDArray[np.bool_] = ok & (back.view(np.uint64) == values.view(np.uint64)[:, None])
    return exact


def _row_exact_under(value: float, d: float) -> bool:
    """``_exact_under`` for one row, in plain floats (the same IEEE operations, round half to even)."""
    scaled = value * d
    if not math.isfinite(scaled):
        return False
    whole = round(scaled)
    if abs(whole) >= (_EXACT if d == 1.0 else _SMALL_INT):
        return False
    back = whole / d
    return back == value and math.copysign(1.0, back) == math.copysign(1.0, value)


def _classify(values: FloatArray) -> tuple[list[float], npt.NDArray[np.uint8]]:
    """Scales for the column, greedily (most rows first, ``SCALES`` order on ties), and each row's class."""
    classes = np.full(len(values), FLOAT_ROW, dtype=np.uint8)
    if not len(values):
        return [], classes
    # Most columns are integers or short decimals: the first scale (in SCALES order) that gives back every
    # row is what the greedy pass below would choose alone, without testing all the others on every row.
    # The first row screens each scale cheaply (full-precision floats fail them all at once).
    first = float(values[0])
    for d in SCALES[:_FIRST_TRIED]:
        if _row_exact_under(first, d) and _exact_under(values, (d,)).all():
            return [d], np.zeros(len(values), dtype=np.uint8)
    exact = _exact_under(values)
    left = np.ones(len(values), dtype=bool)
    scales: list[float] = []
    while left.any() and len(scales) < DERIVED - 1:
        counts = exact[left].sum(axis=0)
        best = int(np.argmax(counts))
        if counts[best] == 0 or counts[best] < _MIN_SHARE * int(left.sum()):
            break
        chosen = left & exact[:, best]
        classes[chosen] = len(scales)
        scales.append(SCALES[best])
        exact[:, best] = False
        left &= ~chosen
    return scales, classes


def encode_slab(sections: list[Section]) -> bytes:
    """Encode sections of rows. Rows are re-sorted by (sid, offset), stably, within each section."""
    out = _Writer(SLAB_MAGIC)
    out.parts.append(struct.pack("<B", len(sections)))
    for sids, offsets, columns in sections:
        n, k = columns.shape
        order = np.lexsort((offsets, sids))
        out.parts += [
            struct.pack("<IB", n, k),
            sids[order].astype(f"S{SID_BYTES}").tobytes(),
            _shuffle(offsets[order].astype("<u2")),
        ]
        out.columns(columns[order])
    return out.blob()


def _is_plain(values: FloatArray) -> bool:
    v = values[:, 1]
    with np.errstate(over="ignore"):
        squares = v * v
    return bool(
        np.all(values[:, 0] == 1.0)
        and _same_bits(values[:, 2], v)
        and _same_bits(values[:, 3], v)
        and _same_bits(values[:, 4], v)
        and _same_bits(values[:, 5], squares)
    )


def encode_block(offsets: IntArray, values: FloatArray, sources: npt.NDArray[np.uint32] | None = None) -> bytes:
    """Rows of one series-hour: offsets (seconds in the hour, sorted), six columns, optional write sources."""
    n = len(offsets)
    plain = n > 0 and _is_plain(values)
    columns = values[:, 1:2] if plain else values
    out = _Writer(BLOCK_MAGIC)
    deltas = np.diff(offsets, prepend=0).astype("<u2")
    out.parts += [struct.pack("<IBB", n, columns.shape[1], 1 if sources is not None else 0), _shuffle(deltas)]
    out.columns(columns)
    if sources is not None:
        out.parts.append(sources.astype("<u4").tobytes())
    return out.blob()


def encode_rollups(hours: IntArray, values: FloatArray) -> bytes:
    """Hourly rows of one day: ``hours`` are 0..23 (unique, sorted), ``values`` n × 6."""
    bitmap = int(np.bitwise_or.reduce(np.left_shift(1, hours.astype(np.int64)))) if len(hours) else 0
    out = _Writer(ROLLUP_MAGIC)
    out.parts.append(struct.pack("<I", bitmap))
    for j in range(6):
        out.column(np.ascontiguousarray(values[:, j]))
    return out.blob()


# --- reading (v2, and v1 below) ---------------------------------------------------------------------------------------


class _Reader:
    """Cursors over the structured bytes and the raw planes of a v2 blob."""

    def __init__(self, blob: bytes) -> None:
        stream = zlib.decompressobj()
        data = stream.decompress(blob[3:])
        if not stream.eof:
            raise ValueError("zlib stream ends early")
        self._over(data, stream.unused_data)

    @classmethod
    def over(cls, data: bytes, raw: bytes) -> _Reader:
        """A reader of structured bytes already decompressed (other containers than the v2 blob's)."""
        reader = cls.__new__(cls)
        reader._over(data, raw)
        return reader

    def _over(self, data: bytes, raw: bytes) -> None:
        self.data = data
        self.pos = 0
        self.raw = memoryview(raw)
        self.raw_pos = 0

    def take(self, count: int) -> bytes:
        chunk = self.data[self.pos : self.pos + count]
        if len(chunk) != count:
            raise ValueError("structured bytes end early")
        self.pos += count
        return chunk

    def take_raw(self, count: int) -> bytes:
        chunk = bytes(self.raw[self.raw_pos : self.raw_pos + count])
        if len(chunk) != count:
            raise ValueError("raw planes end early")
        self.raw_pos += count
        return chunk

    def unpack(self, fmt: str) -> tuple[int, ...]:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))

    def end(self) -> None:
        if self.pos != len(self.data) or self.raw_pos != len(self.raw):
            raise ValueError("trailing bytes")

    def column(self, n: int) -> FloatArray:
        (flag,) = self.take(1)
        nan: npt.NDArray[np.bool_] | None = None
        if flag & HAS_NAN:
            nan = np.unpackbits(np.frombuffer(self.take((n + 7) // 8), dtype=np.uint8))[:n].astype(bool)
        m = n - int(nan.sum()) if nan is not None else n
        s = flag & 0x1F
        scales = [SCALES[i] for i in self.take(s)]
        if flag & CLASSES:
            values = self._classed(m, flag, np.array(scales, dtype=np.float64))
        elif s == 1:
            values = self._ints(m, flag) / scales[0]
        else:
            values = self._floats(m)
        if nan is None:
            return values
        col = np.empty(n, dtype=np.float64)
        col[~nan] = values
        col[nan] = np.nan
        return col

    def _classed(self, m: int, flag: int, scales: FloatArray) -> FloatArray:
        classes = np.frombuffer(self.take(m), dtype=np.uint8)
        is_int = classes != FLOAT_ROW
        if np.any(classes[is_int] >= len(scales)):
            raise ValueError("class of no scale")
        values = np.empty(m, dtype=np.float64)
        n_int = int(is_int.sum())
        values[is_int] = self._ints(n_int, flag) / scales[classes[is_int]]
        values[~is_int] = self._floats(m - n_int)
        return values

    def _ints(self, count: int, flag: int) -> FloatArray:
        if not count:
            return np.empty(0, dtype=np.float64)
        body = self.take(8 * count)
        if flag & DELTA:
            ints = np.cumsum(_unzigzag(_unshuffle(body, count, "<u8").astype(np.uint64)))
        else:
            ints = _unshuffle(body, count, "<i8").astype(np.int64)
        return ints.astype(np.float64)

    def _floats(self, r: int) -> FloatArray:
        if not r:
            return np.empty(0, dtype=np.float64)
        (mask,) = self.take(1)
        planes = b"".join(self.take_raw(r) if mask >> p & 1 else self.take(r) for p in range(8))
        return _unshuffle(planes, r, "<f8").astype(np.float64)

    def columns(self, n: int, k: int) -> FloatArray:
        columns = np.empty((n, k), dtype=np.float64, order="F")
        for j in range(k):
            if j == 5 and n and self.data[self.pos] == DERIVED:
                self.pos += 1
                columns[:, 5] = _derived_sumsq(columns)
            else:
                columns[:, j] = self.column(n)
        return columns


def decode_slab(blob: bytes) -> list[Section]:
    """Inverse of ``encode_slab``: the sections as (sids S12, offsets int64, columns n×k float64)."""
    if blob[:3] != SLAB_MAGIC:
        return _decode_slab_v1(blob)
    try:
        reader = _Reader(blob)
        (count,) = reader.unpack("<B")
        sections = []
        for _ in range(count):
            n, k = reader.unpack("<IB")
            sids = np.frombuffer(reader.take(n * SID_BYTES), dtype=f"S{SID_BYTES}").copy()
            offsets = _unshuffle(reader.take(2 * n), n, "<u2").astype(np.int64)
            sections.append((sids, offsets, reader.columns(n, k)))
        reader.end()
    except (zlib.error, struct.error, ValueError, IndexError) as exc:
        raise CodecError(f"slab is truncated or corrupt: {exc}") from exc
    return sections


def decode_block(blob: bytes) -> tuple[IntArray, FloatArray, npt.NDArray[np.uint32] | None]:
    """Inverse of ``encode_block``: (offsets, n × 6 values, sources or None)."""
    if blob[:3] != BLOCK_MAGIC:
        offsets, columns, sources = _decode_block_v1(blob)
    else:
        try:
            reader = _Reader(blob)
            n, k, flags = reader.unpack("<IBB")
            offsets = np.cumsum(_unshuffle(reader.take(2 * n), n, "<u2").astype(np.int64))
            columns = reader.columns(n, k)
            sources = None
            if flags & 1:
                sources = np.frombuffer(reader.take(4 * n), dtype="<u4").astype(np.uint32)
            reader.end()
        except (zlib.error, struct.error, ValueError, IndexError) as exc:
            raise CodecError(f"block is corrupt: {exc}") from exc
    if columns.shape[1] == 1:
        from polymetric.models.samples import from_values  # local: models imports nothing from storage

        return offsets, from_values(columns[:, 0]), sources
    return offsets, columns, sources


def decode_rollups(blob: bytes) -> tuple[IntArray, FloatArray]:
    """Inverse of ``encode_rollups``: (hours 0..23, n × 6 values)."""
    if blob[:3] != ROLLUP_MAGIC:
        return _decode_rollups_v1(blob)
    try:
        reader = _Reader(blob)
        (bitmap,) = reader.unpack("<I")
        hours = np.array([h for h in range(24) if bitmap >> h & 1], dtype=np.int64)
        values = np.empty((len(hours), 6), dtype=np.float64)
        for j in range(6):
            values[:, j] = reader.column(len(hours))
        reader.end()
    except (zlib.error, struct.error, ValueError, IndexError) as exc:
        raise CodecError(f"rollup is corrupt: {exc}") from exc
    return hours, values


# --- version 1 (PS2, PB1, PR1): read only -----------------------------------------------------------------------------
#
# The whole blob is one zlib stream of the layouts above, with columns as: flag u8, then its payload:
#     flag & 0x7F == 0x7F   float64 values, byte-shuffled
#     flag & 0x7F == e      int64 round(v·10^e), byte-shuffled (e ≤ 15)
#     flag & 0x80           a NaN bitmap (ceil(n/8) B) precedes the payload; NaNs are stored as 0
#     flag == 0x7E          (6th column only) sumsq == sum²/count on every row: no payload
# Slab offsets are plain u16 LE; block offsets are shuffled deltas, as in v2.
V1_SLAB_MAGIC = b"PS2"
V1_BLOCK_MAGIC = b"PB1"
V1_ROLLUP_MAGIC = b"PR1"
_V1_RAW = 0x7F
_V1_DERIVED = 0x7E


def _decode_column_v1(raw: bytes, pos: int, n: int) -> tuple[FloatArray, int]:
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
    if e == _V1_RAW:
        col = _unshuffle(body, n, "<f8").astype(np.float64)
    else:
        col = _unshuffle(body, n, "<i8").astype(np.float64) / (10.0**e)
    if nan is not None:
        col[nan] = np.nan
    return col, pos


def _decode_columns_v1(raw: bytes, pos: int, n: int, k: int) -> tuple[FloatArray, int]:
    columns = np.empty((n, k), dtype=np.float64, order="F")
    for j in range(k):
        if j == 5 and n and raw[pos] == _V1_DERIVED:
            columns[:, 5] = _derived_sumsq(columns)
            pos += 1
        else:
            columns[:, j], pos = _decode_column_v1(raw, pos, n)
    return columns, pos


def _decode_slab_v1(blob: bytes) -> list[Section]:
    try:
        raw = zlib.decompress(blob)
    except zlib.error as exc:
        raise CodecError("slab is not zlib data") from exc
    if raw[:3] != V1_SLAB_MAGIC:
        raise CodecError("slab has no PS3 or PS2 header")
    try:
        (count,) = struct.unpack_from("<B", raw, 3)
        pos = 4
        sections = []
        for _ in range(count):
            n, k = struct.unpack_from("<IB", raw, pos)
            pos += 5
            sids = np.frombuffer(raw, dtype=f"S{SID_BYTES}", count=n, offset=pos).copy()
            pos += n * SID_BYTES
            offsets = np.frombuffer(raw, dtype="<u2", count=n, offset=pos).astype(np.int64)
            pos += n * 2
            columns, pos = _decode_columns_v1(raw, pos, n, k)
            sections.append((sids, offsets, columns))
    except (struct.error, ValueError, IndexError) as exc:
        raise CodecError(f"slab is truncated or corrupt: {exc}") from exc
    return sections


def _decode_block_v1(blob: bytes) -> tuple[IntArray, FloatArray, npt.NDArray[np.uint32] | None]:
    try:
        raw = zlib.decompress(blob)
        if raw[:3] != V1_BLOCK_MAGIC:
            raise CodecError("block has no PB2 or PB1 header")
        n, k, flags = struct.unpack_from("<IBB", raw, 3)
        pos = 9
        offsets = np.cumsum(_unshuffle(raw[pos : pos + 2 * n], n, "<u2").astype(np.int64))
        pos += 2 * n
        columns, pos = _decode_columns_v1(raw, pos, n, k)
        sources = None
        if flags & 1:
            sources = np.frombuffer(raw, dtype="<u4", count=n, offset=pos).astype(np.uint32)
    except (zlib.error, struct.error, ValueError, IndexError) as exc:
        raise CodecError(f"block is corrupt: {exc}") from exc
    return offsets, columns, sources


def _decode_rollups_v1(blob: bytes) -> tuple[IntArray, FloatArray]:
    try:
        raw = zlib.decompress(blob)
        if raw[:3] != V1_ROLLUP_MAGIC:
            raise CodecError("rollup has no PR2 or PR1 header")
        (bitmap,) = struct.unpack_from("<I", raw, 3)
        hours = np.array([h for h in range(24) if bitmap >> h & 1], dtype=np.int64)
        pos = 7
        values = np.empty((len(hours), 6), dtype=np.float64)
        for j in range(6):
            values[:, j], pos = _decode_column_v1(raw, pos, len(hours))
    except (zlib.error, struct.error, ValueError, IndexError) as exc:
        raise CodecError(f"rollup is corrupt: {exc}") from exc
    return hours, values
