import contextlib
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from polymetric.models.samples import from_values
from polymetric.models.series import SID_BYTES, series_id
from polymetric.storage import chunk_codec
from polymetric.storage.chunk_codec import CHUNK_MAGIC, ChunkSeries, decode_chunk, encode_chunk
from polymetric.storage.codecs import CodecError, decode_block, encode_block
from tests.unit.storage.test_codecs import _any_float64, _assert_exact

# --- strategies -------------------------------------------------------------------------------------------------------


def _plain(values: np.ndarray) -> np.ndarray:
    return from_values(np.asarray(values, dtype=np.float64))


@st.composite
def _values(draw: st.DrawFn, n: int) -> np.ndarray:
    """n × 6 rows of one series, of every shape a chunk groups apart."""
    kind = draw(st.sampled_from(["any", "ints", "rates", "decimals", "summary", "derived", "mixed"]))
    if kind == "any":
        return _plain(draw(hnp.arrays(np.float64, n, elements=_any_float64())))
    if kind == "ints":
        return _plain(draw(hnp.arrays(np.int64, n, elements=st.integers(-(2**40), 2**40))).astype(np.float64))
    if kind == "rates":
        return _plain(draw(hnp.arrays(np.int64, n, elements=st.integers(0, 10**5))) / 60)
    if kind == "decimals":
        return _plain(draw(hnp.arrays(np.int64, n, elements=st.integers(-(10**6), 10**6))) / 10)
    values = draw(hnp.arrays(np.float64, (n, 6), elements=_any_float64()))
    if kind == "derived":
        values[:, 0] = draw(hnp.arrays(np.int64, n, elements=st.integers(1, 50)))
        with np.errstate(all="ignore"):
            values[:, 5] = values[:, 1] * values[:, 1] / values[:, 0]
    if kind == "mixed":  # plain rows and one summary row: a summary series as a whole
        values[1:] = _plain(values[1:, 1])
    return np.asfortranarray(values)


@st.composite
def _chunks(draw: st.DrawFn, max_series: int = 10) -> list[ChunkSeries]:
    # Sids collide on their first byte often (its deltas are 0), and end in NUL bytes sometimes.
    sids = sorted(
        draw(
            st.sets(
                st.tuples(st.integers(0, 3), st.binary(min_size=SID_BYTES - 1, max_size=SID_BYTES - 1)).map(
                    lambda t: bytes([t[0] * 85]) + t[1]
                ),
                min_size=1,
                max_size=max_series,
            )
        )
    )
    with_sources = draw(st.booleans())
    out: list[ChunkSeries] = []
    for sid in sids:
        n = draw(st.integers(1, 40))
        if with_sources:  # the same second can hold rows of several writes
            offsets = sorted(draw(st.lists(st.integers(0, 3599), min_size=n, max_size=n)))
            sources = np.array(draw(st.lists(st.integers(0, 2**32 - 1), min_size=n, max_size=n)), dtype=np.uint32)
        else:
            offsets = sorted(draw(st.sets(st.integers(0, 3599), min_size=n, max_size=n)))
            sources = None
        out.append((sid, np.array(offsets, dtype=np.int64), draw(_values(n)), sources))
    return out


def _assert_same_series(expected: ChunkSeries, actual: ChunkSeries) -> None:
    sid, offsets, values, sources = expected
    assert actual[0] == sid
    assert actual[1].dtype == np.int64 and actual[1].tolist() == offsets.tolist()
    _assert_exact(values, actual[2])
    if sources is None:
        assert actual[3] is None
    else:
        assert actual[3] is not None and actual[3].dtype == np.uint32 and actual[3].tolist() == sources.tolist()


# --- round trips ------------------------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(_chunks())
def test_round_trip_is_exact_for_every_shape_of_series(series: list[ChunkSeries]) -> None:
    blob = encode_chunk(series)

    back = decode_chunk(blob)

    assert blob[:3] == CHUNK_MAGIC
    assert len(back) == len(series)
    for expected, actual in zip(series, back, strict=True):
        _assert_same_series(expected, actual)


@settings(max_examples=100, deadline=None)
@given(_chunks(max_series=6))
def test_each_series_decodes_as_its_own_block_does(series: list[ChunkSeries]) -> None:
    back = decode_chunk(encode_chunk(series))

    for (sid, offsets, values, sources), actual in zip(series, back, strict=True):
        expected = decode_block(encode_block(offsets, values, sources))
        _assert_same_series((sid, *expected), actual)
        # Columns of a series are contiguous, as the engine reduces them (decode_block: column-major).
        assert all(actual[2][:, j].flags.c_contiguous for j in range(6))


def test_special_floats_survive_in_plain_and_summary_series() -> None:
    # Quiet NaNs: squaring a signalling one warns (from_values does, on decode_block's path too).
    payload_nan, negative_nan = np.array([0x7FF8000000000123, 0xFFF8000000000000], dtype=np.uint64).view(np.float64)
    specials = np.array(
        [np.nan, payload_nan, negative_nan, -0.0, np.inf, -np.inf, 5e-324, -2.5e-310, 1 / 3, 0.0, 1e308]
    )
    summary = np.asfortranarray(np.tile(specials[:, None], (1, 6)))
    series = [
        (b"\x00" * SID_BYTES, np.arange(11, dtype=np.int64) * 60, _plain(specials), None),
        (b"\x00" * 11 + b"\x01", np.arange(11, dtype=np.int64), summary, None),
        (b"\xff" * SID_BYTES, np.array([3599], dtype=np.int64), _plain(np.array([-0.0])), None),
    ]

    for expected, actual in zip(series, decode_chunk(encode_chunk(series)), strict=True):
        _assert_same_series(expected, actual)


def test_series_are_grouped_by_shape_and_come_back_in_sid_order() -> None:
    # Given: interleaved shapes (rates, floats, a summary, counts), so that groups are not runs of sids
    rng = np.random.default_rng(7)
    offsets = np.arange(60, dtype=np.int64) * 60
    shapes = [
        lambda: _plain(rng.integers(0, 500, 60) / 60),
        lambda: _plain(50 + rng.normal(0, 5, 60)),
        lambda: np.asfortranarray(rng.uniform(1, 9, (60, 6))),
        lambda: _plain(rng.integers(0, 500, 60).astype(np.float64)),
    ]
    sids = sorted(bytes(rng.integers(0, 256, SID_BYTES, dtype=np.uint8)) for _ in range(12))
    series = [(sid, offsets, shapes[i % 4](), None) for i, sid in enumerate(sids)]

    blob = encode_chunk(series)

    groups = chunk_codec._unpack(blob[3:])[0][5]
    assert groups == 4
    for expected, actual in zip(series, decode_chunk(blob), strict=True):
        _assert_same_series(expected, actual)


@pytest.mark.parametrize(
    ("series", "message"),
    [
        ([], "at least one series"),
        ([(b"a" * SID_BYTES, np.empty(0, dtype=np.int64), np.empty((0, 6)), None)], "≥ 1 row"),
        ([(b"a" * 11, np.zeros(1, dtype=np.int64), _plain(np.ones(1)), None)], "sorted and unique"),
        (
            [
                (b"b" * SID_BYTES, np.zeros(1, dtype=np.int64), _plain(np.ones(1)), None),
                (b"a" * SID_BYTES, np.zeros(1, dtype=np.int64), _plain(np.ones(1)), None),
            ],
            "sorted and unique",
        ),
        (
            [
                (b"a" * SID_BYTES, np.zeros(1, dtype=np.int64), _plain(np.ones(1)), np.zeros(1, dtype=np.uint32)),
                (b"b" * SID_BYTES, np.zeros(1, dtype=np.int64), _plain(np.ones(1)), None),
            ],
            "sources, or none",
        ),
        ([(b"a" * SID_BYTES, np.array([5, 4], dtype=np.int64), _plain(np.ones(2)), None)], "sorted seconds"),
        ([(b"a" * SID_BYTES, np.array([3600], dtype=np.int64), _plain(np.ones(1)), None)], "sorted seconds"),
    ],
)
def test_encode_refuses_what_it_cannot_store(series: list[ChunkSeries], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        encode_chunk(series)


# --- corrupt input ----------------------------------------------------------------------------------------------------


def _sample_chunk() -> bytes:
    rng = np.random.default_rng(3)
    offsets = np.arange(30, dtype=np.int64) * 120
    sources = np.arange(30, dtype=np.uint32)
    return encode_chunk(
        [
            (b"\x10" * SID_BYTES, offsets, _plain(rng.normal(0, 1, 30)), sources),
            (b"\x20" * SID_BYTES, offsets, _plain(rng.integers(0, 9, 30) / 60), sources),
            (b"\x30" * SID_BYTES, offsets, np.asfortranarray(rng.uniform(0, 1, (30, 6))), sources),
        ]
    )


@pytest.mark.parametrize("blob", [b"", b"PC", b"PB2garbage", b"garbage"])
def test_decode_refuses_what_is_no_chunk(blob: bytes) -> None:
    with pytest.raises(CodecError, match="no PC1 header"):
        decode_chunk(blob)


def test_every_truncation_raises_codec_error() -> None:
    blob = _sample_chunk()
    for end in range(3, len(blob)):
        with pytest.raises(CodecError, match="truncated or corrupt"):
            decode_chunk(blob[:end])
    with pytest.raises(CodecError, match="truncated or corrupt"):
        decode_chunk(blob + b"\x00")


def _repacked(structured: bytes, raw: bytes) -> bytes:
    return CHUNK_MAGIC + chunk_codec._pack(structured) + raw


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: s[:4] + b"\x02" + s[5:],  # an unknown flag
        lambda s: s[:5] + b"\x00" + s[6:],  # no group
        lambda s: s[:5] + b"\x09" + s[6:],  # more groups than series
        lambda s: struct.pack("<I", 0) + s[4:],  # no series
        lambda s: struct.pack("<I", 2**31) + s[4:],  # more series than bytes
        lambda s: s[: 6 + 3] + b"\xff" * 12 + s[6 + 3 + 12 :],  # row counts of gigabytes
        lambda s: s[: 6 + 3] + b"\x00" * 12 + s[6 + 3 + 12 :],  # series without rows
        lambda s: s[: 6 + 3 + 12] + b"\x07" + s[6 + 3 + 13 :],  # a series of no group
        lambda s: s[: 6 + 3 + 12] + b"\x00\x00\x00" + s[6 + 3 + 15 :],  # empty groups
        lambda s: s[: 6 + 3 + 12 + 3] + b"\x02" + s[6 + 3 + 12 + 4 :],  # 2 columns
        lambda s: s[:-1],  # the sources end early
        lambda s: s + b"\x00",  # trailing bytes
    ],
)
def test_corrupt_structure_raises_codec_error(edit: object) -> None:
    structured, raw = chunk_codec._unpack(_sample_chunk()[3:])
    assert decode_chunk(_repacked(structured, raw))  # the unedited bytes decode

    with pytest.raises(CodecError, match="truncated or corrupt"):
        decode_chunk(_repacked(edit(structured), raw))  # type: ignore[operator]


def test_flipped_bytes_raise_codec_error_or_decode_to_other_values() -> None:
    blob = bytearray(_sample_chunk())
    for i in range(3, len(blob)):
        blob[i] ^= 0x5A
        with contextlib.suppress(CodecError):
            decode_chunk(bytes(blob))
        blob[i] ^= 0x5A


# --- size -------------------------------------------------------------------------------------------------------------


def _hour(seed: int, series: int = 60) -> list[ChunkSeries]:
    """An hour of one metric at 60 s: full-precision gauges, rates count/60, counts, 20 % summaries."""
    rng = np.random.default_rng(seed)
    offsets = np.arange(60, dtype=np.int64) * 60
    sids = sorted(series_id("t1", "live.m0000", {"host": f"h{s:03d}"}) for s in range(series))
    out: list[ChunkSeries] = []
    for s, sid in enumerate(sids):
        if s % 5 == 0:
            count = rng.integers(1, 21, 60).astype(np.float64)
            mean = rng.uniform(1, 300, 60)
            total = mean * count
            values = np.column_stack(
                [count, total, mean * rng.uniform(0.3, 1, 60), mean * rng.uniform(1, 3, 60), np.full(60, np.nan)]
            )
            out.append((sid, offsets, np.asfortranarray(np.column_stack([values, total * total / count])), None))
        elif s % 3 == 0:
            out.append((sid, offsets, _plain(rng.integers(0, 500, 60).astype(np.float64)), None))
        elif s % 2:
            out.append((sid, offsets, _plain(50 + rng.normal(0, 5, 60)), None))
        else:
            out.append((sid, offsets, _plain(rng.integers(0, 500, 60) / 60), None))
    return out


def test_a_chunk_is_smaller_than_the_blocks_of_its_series(monkeypatch: pytest.MonkeyPatch) -> None:
    hour = _hour(seed=20260601)
    samples = 60 * len(hour)
    blocks = sum(len(encode_block(offsets, values, sources)) for _, offsets, values, sources in hour)
    alone = sum(len(encode_chunk([one])) for one in hour)

    chunk = len(encode_chunk(hour))
    # Without grouping by shape: every series in one group of six columns, or plain series of every scale in one
    shape = chunk_codec._group_key
    monkeypatch.setattr(chunk_codec, "_group_key", lambda values: (6, 0))
    ungrouped = len(encode_chunk(hour))
    monkeypatch.setattr(chunk_codec, "_group_key", lambda values: (1, 0xFF) if shape(values)[0] == 1 else shape(values))
    one_plain_group = len(encode_chunk(hour))

    # measured, B a sample: blocks 7.51, chunks of one series each 7.72, the chunk 6.84, one group 11.92,
    # one group of plain series 7.02
    assert chunk < 0.93 * blocks
    assert chunk < 0.92 * alone
    assert chunk < 0.7 * ungrouped
    assert chunk < 0.99 * one_plain_group
    assert chunk / samples < 7.0
