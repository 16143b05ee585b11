import json
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from polymetric.models.samples import from_values
from polymetric.models.series import SID_BYTES, series_id
from polymetric.storage import codecs
from polymetric.storage.codecs import (
    CLASSES,
    DELTA,
    HAS_NAN,
    SCALES,
    SLAB_MAGIC,
    CodecError,
    decode_block,
    decode_rollups,
    decode_slab,
    encode_block,
    encode_rollups,
    encode_slab,
)
from tests.unit.storage import codecs_v1

SID_A = b"A" * SID_BYTES
SID_B = b"B" * SID_BYTES
SID_C = b"C" * SID_BYTES
FLOAT = 0  # flag of a column of floats only: no scale, no classes
V1_FIXTURES = json.loads((Path(__file__).parent / "data" / "codecs_v1.json").read_text())


def _sids(*values: bytes) -> np.ndarray:
    return np.array(values, dtype=f"S{SID_BYTES}")


def _offs(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def _col(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64).reshape(-1, 1)


def _encode(sids: np.ndarray, offsets: np.ndarray, columns: np.ndarray) -> bytes:
    return encode_slab([(sids, offsets, columns)])


def _decode_one(blob: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    (section,) = decode_slab(blob)
    return section


def _round_trip(sids: np.ndarray, offsets: np.ndarray, columns: np.ndarray) -> tuple[np.ndarray, ...]:
    return _decode_one(_encode(sids, offsets, columns))


def _structured(blob: bytes) -> bytes:
    """The zlib-compressed part of a v2 blob."""
    assert blob[:3] in (codecs.SLAB_MAGIC, codecs.BLOCK_MAGIC, codecs.ROLLUP_MAGIC)
    return zlib.decompressobj().decompress(blob[3:])


def _column_flags(blob: bytes, *, delta: bool = False) -> list[int]:
    """The flag byte of the first column of a one-section slab (the only column of a plain section),
    without the DELTA bit unless asked (the writer picks deltas by what packs smaller)."""
    raw = _structured(blob)
    n = struct.unpack_from("<I", raw, 1)[0]
    flag = raw[1 + 5 + n * SID_BYTES + 2 * n]
    return [flag if delta else flag & ~DELTA]


def _scale_count(flag: int) -> int:
    return flag & 0x1F


def _bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


def _assert_exact(expected: np.ndarray, actual: np.ndarray) -> None:
    """Bit for bit: -0.0 stays -0.0, NaN payloads and subnormals are kept."""
    assert actual.shape == expected.shape
    assert actual.dtype == np.float64
    assert np.array_equal(_bits(actual), _bits(expected))


def _column_scales(blob: bytes) -> list[float]:
    """The scales of the first column of a one-section slab."""
    raw = _structured(blob)
    n = struct.unpack_from("<I", raw, 1)[0]
    pos = 1 + 5 + n * SID_BYTES + 2 * n
    flag = raw[pos]
    pos += 1 + ((n + 7) // 8 if flag & HAS_NAN else 0)
    return [SCALES[i] for i in raw[pos : pos + _scale_count(flag)]]


def _one_column(values: list[float] | np.ndarray) -> bytes:
    n = len(values)
    return _encode(_sids(*[SID_A] * n), _offs(*range(n)), _col(*values))


# --- round trips ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "exponent"),
    [
        ([12.0, 13.0, 0.0, 99.0], 0),
        ([12.5, 13.0, 0.5, 99.5], 1),
        ([0.25, 1.75, 3.5, 100.01], 2),
        ([0.125, 0.001, 3.333, 65.536], 3),
    ],
)
def test_round_trip_is_exact_for_gauges_with_few_decimals(values: list[float], exponent: int) -> None:
    columns = _col(*values)
    sids = _sids(SID_A, SID_A, SID_B, SID_C)
    offsets = _offs(0, 60, 0, 3599)

    blob = _encode(sids, offsets, columns)
    out_sids, out_offsets, out_columns = _decode_one(blob)

    assert out_sids.tolist() == sids.tolist()
    assert out_offsets.tolist() == offsets.tolist()
    assert out_offsets.dtype == np.int64
    _assert_exact(columns, out_columns)
    assert _column_flags(blob) == [1]  # one scale, every row an integer of it
    assert _column_scales(blob) == [10.0**exponent]


def test_round_trip_is_exact_for_integers() -> None:
    values = [0.0, 1.0, -1.0, 2.0**52, -(2.0**52), 123456789.0, 10.0**15]
    blob = _one_column(values)

    _assert_exact(_col(*values), _decode_one(blob)[2])
    assert _column_scales(blob) == [1.0]


@pytest.mark.parametrize(
    "values",
    [
        [1e300, -1e300, 1e-300],
        [np.pi, np.e, 0.1 + 0.2],
        [2.0**53, 2.0**60],
        [5e-324, 1e-310, -2.5e-320],
        [1e-16, -np.sqrt(2)],
        [-0.0, -0.0],
    ],
)
def test_round_trip_is_exact_for_values_stored_as_raw_floats(values: list[float]) -> None:
    blob = _one_column(values)

    _assert_exact(_col(*values), _decode_one(blob)[2])
    assert _column_flags(blob) == [FLOAT]


@pytest.mark.parametrize("values", [[-0.5, -12.25, -99.0], [-1e300, -1 / 3, -7.0]])
def test_round_trip_is_exact_for_negative_values(values: list[float]) -> None:
    n = len(values)
    out = _round_trip(_sids(*[SID_A] * n), _offs(*range(n)), _col(*values))[2]
    _assert_exact(_col(*values), out)


@pytest.mark.parametrize(
    ("values", "flag", "scales"),
    [
        ([np.nan, 1.5, np.nan, 2.25], HAS_NAN | 1, [100.0]),
        ([np.nan, 1 / 3, 2.0], HAS_NAN | 1, [60.0]),  # 60 precedes 3 in SCALES: both hold every row
        ([np.nan] * 9, HAS_NAN, []),
    ],
)
def test_round_trip_keeps_nans_with_a_mask(values: list[float], flag: int, scales: list[float]) -> None:
    blob = _one_column(values)

    _assert_exact(_col(*values), _decode_one(blob)[2])
    assert _column_flags(blob) == [flag]
    assert _column_scales(blob) == scales


def test_round_trip_keeps_infinities_as_raw_floats() -> None:
    blob = _one_column([np.inf, -np.inf])

    _assert_exact(_col(np.inf, -np.inf), _decode_one(blob)[2])
    assert _column_flags(blob) == [FLOAT]


def test_round_trip_keeps_negative_zero_subnormals_and_nan_payloads() -> None:
    odd_nan = np.frombuffer(bytes.fromhex("0100000000f0ff7f"), dtype="<f8")[0]  # a NaN with a payload
    quiet_negative_nan = -np.float64("nan")
    values = [-0.0, 0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-320, odd_nan, quiet_negative_nan, np.nan, 3.0]

    _assert_exact(_col(*values), _decode_one(_one_column(values))[2])


def test_round_trip_is_exact_for_six_summary_columns() -> None:
    # Given: plain values plus a summary whose min/max/last are absent (NaN) and stddev-derived sumsq is raw
    plain = from_values(np.array([1.5, 2.0, 3.25]))
    summary = np.array([[3.0, 10.0, np.nan, np.nan, np.nan, 1 / 3]])
    columns = np.vstack([plain, summary])
    sids = _sids(SID_A, SID_B, SID_C, SID_A)
    offsets = _offs(10, 10, 10, 20)

    # When
    blob = _encode(sids, offsets, columns)
    out_sids, out_offsets, out_columns = _decode_one(blob)

    # Then: rows come back sorted by (sid, offset); every column is exact
    order = [0, 3, 1, 2]
    assert out_sids.tolist() == sids[order].tolist()
    assert out_offsets.tolist() == offsets[order].tolist()
    _assert_exact(columns[order], out_columns)


def test_a_sumsq_of_sum_squared_over_count_is_derived_not_stored() -> None:
    rng = np.random.default_rng(7)
    count = rng.integers(1, 20, 200).astype(np.float64)
    total = rng.random(200) * 1000
    columns = np.column_stack(
        [count, total, total / count / 2, total / count * 2, np.full(200, np.nan), total**2 / count]
    )
    sids = np.repeat(_sids(SID_A, SID_B), 100)

    derived = _encode(sids, np.arange(200) % 3600, columns)
    columns[7, 5] += 1.0  # one row sent with a stddev: the column is stored
    stored = _encode(sids, np.arange(200) % 3600, columns)

    _assert_exact(columns[:, :5], _decode_one(stored)[2][:, :5])
    assert _bits(_decode_one(stored)[2][:, 5]).tolist() == _bits(columns[:, 5]).tolist()
    assert len(stored) - len(derived) > 6 * 200  # about 8 random bytes a row saved


def test_round_trip_is_exact_for_one_row() -> None:
    sids, offsets, columns = _round_trip(_sids(SID_A), _offs(3599), _col(42.5))

    assert sids.tolist() == [SID_A]
    assert offsets.tolist() == [3599]
    _assert_exact(_col(42.5), columns)


@pytest.mark.parametrize("k", [1, 6])
def test_round_trip_returns_empty_arrays_for_zero_rows(k: int) -> None:
    blob = _encode(np.empty(0, dtype="S12"), np.empty(0, dtype=np.int64), np.empty((0, k)))
    sids, offsets, columns = _decode_one(blob)

    assert sids.shape == (0,)
    assert offsets.shape == (0,)
    assert columns.shape == (0, k)


def test_round_trip_keeps_sids_with_trailing_zero_bytes() -> None:
    # numpy's S12 drops trailing NULs on access; the codec must still keep the ids distinct and in order
    sids = np.array([b"ab" + b"\x00" * 10, b"\x00" * 12, b"ab" + b"\x00" * 9 + b"\x01"], dtype="S12")
    out_sids, _, out_columns = _round_trip(sids, _offs(0, 0, 0), _col(1.0, 2.0, 3.0))

    assert out_sids.tolist() == [b"", b"ab", b"ab" + b"\x00" * 9 + b"\x01"]
    _assert_exact(_col(2.0, 1.0, 3.0), out_columns)


def _any_float64() -> st.SearchStrategy[float]:
    """Every kind of float64: any bit pattern (NaN payloads, subnormals, -0.0), round decimals, count rates."""
    bit_patterns = st.integers(0, 2**64 - 1).map(lambda b: float(np.array([b], dtype=np.uint64).view(np.float64)[0]))
    return st.one_of(
        st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True),
        bit_patterns,
        st.integers(-(10**6), 10**6).map(lambda i: i / 100),
        st.tuples(st.integers(0, 10**5), st.sampled_from([10, 60, 300, 3600, 7])).map(lambda t: t[0] / t[1]),
        st.integers(-(2**53), 2**53).map(float),
    )


@settings(max_examples=120, deadline=None)
@given(
    data=st.data(),
    n=st.integers(min_value=0, max_value=60),
    k=st.sampled_from([1, 6]),
)
def test_round_trip_is_exact_for_any_floats(data: st.DataObject, n: int, k: int) -> None:
    columns = data.draw(hnp.arrays(np.float64, (n, k), elements=_any_float64()))
    sid_pool = [bytes([i]) * SID_BYTES for i in range(1, 4)]
    sids = _sids(*data.draw(st.lists(st.sampled_from(sid_pool), min_size=n, max_size=n)))
    offsets = np.array(data.draw(st.lists(st.integers(0, 3599), min_size=n, max_size=n)), dtype=np.int64)

    out_sids, out_offsets, out_columns = _round_trip(sids, offsets, columns)

    order = sorted(range(n), key=lambda i: (sids[i], offsets[i]))
    assert out_sids.tolist() == sids[order].tolist()
    assert out_offsets.tolist() == offsets[order].tolist()
    _assert_exact(columns[order], out_columns)


@settings(max_examples=80, deadline=None)
@given(data=st.data(), n=st.integers(min_value=0, max_value=80), summaries=st.booleans(), with_sources=st.booleans())
def test_block_round_trip_is_exact_for_any_floats(
    data: st.DataObject, n: int, summaries: bool, with_sources: bool
) -> None:
    offsets = np.array(sorted(data.draw(st.lists(st.integers(0, 3599), min_size=n, max_size=n))), dtype=np.int64)
    if summaries:
        values = data.draw(hnp.arrays(np.float64, (n, 6), elements=_any_float64()))
    else:
        values = from_values(data.draw(hnp.arrays(np.float64, n, elements=_any_float64())))
    sources = np.array(data.draw(st.lists(st.integers(0, 2**32 - 1), min_size=n, max_size=n)), dtype=np.uint32)

    out_offsets, out_values, out_sources = decode_block(
        encode_block(offsets, values, sources if with_sources else None)
    )

    assert out_offsets.tolist() == offsets.tolist()
    _assert_exact(values, out_values)
    assert (out_sources.tolist() if out_sources is not None else None) == (sources.tolist() if with_sources else None)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_rollup_round_trip_is_exact_for_any_floats(data: st.DataObject) -> None:
    hours = np.array(sorted(data.draw(st.sets(st.integers(0, 23)))), dtype=np.int64)
    values = data.draw(hnp.arrays(np.float64, (len(hours), 6), elements=_any_float64()))

    out_hours, out_values = decode_rollups(encode_rollups(hours, values))

    assert out_hours.tolist() == hours.tolist()
    _assert_exact(values, out_values)


# --- integer classes ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "scales"),
    [
        ([0.0], [1.0]),
        ([1.0, -2.0, 300.0], [1.0]),
        ([0.5], [10.0]),
        ([0.1, 0.2, 0.3], [10.0]),
        ([1.25, 3.0], [100.0]),
        ([0.001], [1000.0]),
        ([12.5, 0.05, 1.0], [100.0]),
        ([0.123456789012345], [1e15]),
        ([1e15], [1.0]),
        ([-0.75], [100.0]),
        ([7 / 60, 1 / 60, 59 / 60], [60.0]),
        ([1 / 3, 2 / 3], [60.0]),
        ([1 / 7, 3 / 7], [7.0]),
        ([1 / 300, 299 / 300], [300.0]),
    ],
)
def test_a_column_of_one_kind_takes_one_scale(values: list[float], scales: list[float]) -> None:
    blob = _one_column(values)

    assert _column_scales(blob) == scales
    assert not _column_flags(blob)[0] & CLASSES
    _assert_exact(_col(*values), _decode_one(blob)[2])


def test_rates_of_counts_pack_as_small_integers() -> None:
    # A count per minute sent as a rate per second: count/60 is no decimal, but 60·v is a small integer
    rng = np.random.default_rng(3)
    rates = rng.integers(0, 500, 3600) / 60
    blob = _one_column(rates)

    assert _column_scales(blob) == [60.0]
    assert len(blob) < 2 * 3600
    assert len(blob) < 0.5 * len(codecs_v1.encode_slab([(_sids(*[SID_A] * 3600), np.arange(3600), _col(*rates))]))
    _assert_exact(_col(*rates), _decode_one(blob)[2])


def test_a_column_mixing_decimals_rates_and_full_floats_classes_each_row() -> None:
    rng = np.random.default_rng(4)
    kinds = rng.integers(0, 3, 3000)
    values = np.where(
        kinds == 0,
        np.round(rng.random(3000) * 100, 1),
        np.where(kinds == 1, rng.integers(0, 500, 3000) / 60, rng.random(3000)),
    )
    blob = _one_column(values)

    assert _column_flags(blob)[0] & CLASSES
    assert _column_scales(blob) == [60.0]  # one decimal digit is a multiple of 1/60 too
    _assert_exact(_col(*values), _decode_one(blob)[2])
    # the full floats cost what they must (about 7 B), the others about a byte: well under the v1 column
    assert len(blob) < 0.6 * len(codecs_v1.encode_slab([(_sids(*[SID_A] * 3000), np.arange(3000), _col(*values))]))


def test_a_counter_is_stored_as_deltas() -> None:
    counter = np.cumsum(np.random.default_rng(5).integers(900, 1100, 600)).astype(np.float64) + 10**12
    blob = _one_column(counter)

    assert _column_flags(blob, delta=True)[0] & DELTA
    assert len(blob) < 3 * 600
    _assert_exact(_col(*counter), _decode_one(blob)[2])


def test_random_full_precision_floats_stay_floats() -> None:
    # Many random doubles come back from their 16-digit decimal: as integers near 2^53 they would only add class bytes
    values = 50 + np.random.default_rng(6).normal(0, 5, 1000)
    blob = _one_column(values)

    assert _column_flags(blob) == [FLOAT]
    assert len(blob) < 7.2 * 1000 + SID_BYTES + 100  # the low 6 mantissa bytes are random: about 6.5 B a value


# --- row order --------------------------------------------------------------------------------------------------------


def test_encode_sorts_rows_by_sid_then_offset() -> None:
    sids = _sids(SID_C, SID_A, SID_B, SID_A, SID_C)
    offsets = _offs(5, 30, 0, 10, 1)
    columns = _col(1.0, 2.0, 3.0, 4.0, 5.0)

    out_sids, out_offsets, out_columns = _round_trip(sids, offsets, columns)

    assert out_sids.tolist() == [SID_A, SID_A, SID_B, SID_C, SID_C]
    assert out_offsets.tolist() == [10, 30, 0, 1, 5]
    assert out_columns[:, 0].tolist() == [4.0, 2.0, 3.0, 5.0, 1.0]


def test_encode_keeps_write_order_of_duplicate_sid_and_offset() -> None:
    sids = _sids(SID_B, SID_A, SID_B, SID_A, SID_B)
    offsets = _offs(7, 7, 7, 7, 7)
    columns = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0], [5.0, 50.0]])

    out_sids, _, out_columns = _round_trip(sids, offsets, columns)

    assert out_sids.tolist() == [SID_A, SID_A, SID_B, SID_B, SID_B]
    assert out_columns.tolist() == [[2.0, 20.0], [4.0, 40.0], [1.0, 10.0], [3.0, 30.0], [5.0, 50.0]]


def test_encode_writes_the_documented_header() -> None:
    blob = _encode(_sids(SID_B, SID_A), _offs(2, 1), np.zeros((2, 6)))
    raw = _structured(blob)

    assert blob[:3] == SLAB_MAGIC == b"PS3"
    assert raw[0] == 1
    assert struct.unpack_from("<IB", raw, 1) == (2, 6)
    assert raw[6 : 6 + 24] == SID_A + SID_B
    assert raw[30:34] == bytes([1, 2, 0, 0])  # offsets 1, 2 byte-shuffled


# --- sections ---------------------------------------------------------------------------------------------------------


def test_round_trip_keeps_plain_and_summary_sections_apart() -> None:
    # Given: one request's plain values and summaries for the same hour, as ingest writes them
    plain = (_sids(SID_B, SID_A), _offs(5, 5), _col(1.5, 2.5))
    summary = (_sids(SID_A), _offs(7), np.array([[3.0, 9.0, 2.0, 4.0, np.nan, 27.5]]))

    # When
    blob = encode_slab([plain, summary])
    (p_sids, p_offs, p_cols), (s_sids, s_offs, s_cols) = decode_slab(blob)

    # Then: each section keeps its own width and its own sort
    assert p_sids.tolist() == [SID_A, SID_B]
    assert p_offs.tolist() == [5, 5]
    _assert_exact(_col(2.5, 1.5), p_cols)
    assert s_sids.tolist() == [SID_A]
    assert s_offs.tolist() == [7]
    _assert_exact(summary[2], s_cols)


def test_round_trip_of_no_sections_is_no_sections() -> None:
    assert decode_slab(encode_slab([])) == []


def test_round_trip_keeps_an_empty_section_between_others() -> None:
    empty = (np.empty(0, dtype="S12"), np.empty(0, dtype=np.int64), np.empty((0, 6)))
    one = (_sids(SID_A), _offs(1), _col(4.0))

    sections = decode_slab(encode_slab([one, empty, one]))

    assert [s[2].shape for s in sections] == [(1, 1), (0, 6), (1, 1)]
    _assert_exact(_col(4.0), sections[2][2])


# --- v1 blobs (written before v2) still decode -----------------------------------------------------------------------


def _floats(rows: list[list[str]]) -> np.ndarray:
    return np.array([[float.fromhex(x) for x in row] for row in rows], dtype=np.float64)


@pytest.mark.parametrize("fixture", V1_FIXTURES["slabs"])
def test_v1_slabs_written_by_existing_deployments_decode(fixture: dict) -> None:
    sections = decode_slab(bytes.fromhex(fixture["blob"]))

    assert len(sections) == len(fixture["sections"])
    for (sids, offsets, columns), expected in zip(sections, fixture["sections"], strict=True):
        assert [s.ljust(SID_BYTES, b"\x00").hex() for s in sids.tolist()] == expected["sids"]
        assert offsets.tolist() == expected["offsets"]
        _assert_exact(_floats(expected["columns"]).reshape(columns.shape), columns)


@pytest.mark.parametrize("fixture", V1_FIXTURES["blocks"])
def test_v1_blocks_written_by_existing_deployments_decode(fixture: dict) -> None:
    offsets, values, sources = decode_block(bytes.fromhex(fixture["blob"]))

    assert offsets.tolist() == fixture["offsets"]
    _assert_exact(_floats(fixture["values"]), values)
    assert (sources.tolist() if sources is not None else None) == fixture["sources"]


@pytest.mark.parametrize("fixture", V1_FIXTURES["rollups"])
def test_v1_rollups_written_by_existing_deployments_decode(fixture: dict) -> None:
    hours, values = decode_rollups(bytes.fromhex(fixture["blob"]))

    assert hours.tolist() == fixture["hours"]
    _assert_exact(_floats(fixture["values"]), values)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n=st.integers(min_value=0, max_value=40), k=st.sampled_from([1, 6]))
def test_anything_the_v1_writers_wrote_decodes_as_they_meant(data: st.DataObject, n: int, k: int) -> None:
    # v1 kept values, not bits (-0.0 came back as 0.0, NaN payloads as NaN): compare as v1 did
    columns = data.draw(hnp.arrays(np.float64, (n, k), elements=_any_float64()))
    offsets = np.array(sorted(data.draw(st.lists(st.integers(0, 3599), min_size=n, max_size=n))), dtype=np.int64)
    sids = _sids(*[SID_A] * n) if n else np.empty(0, dtype="S12")

    with np.errstate(all="ignore"):  # v1's writer warns on squares and scales past float64's range
        slab = codecs_v1.encode_slab([(sids, offsets, columns)])
        block = codecs_v1.encode_block(offsets, from_values(columns[:, 0]))
    ((_, out_offsets, out_columns),) = decode_slab(slab)
    block_offsets, block_values, _ = decode_block(block)

    assert out_offsets.tolist() == offsets.tolist()
    assert np.array_equal(out_columns, columns, equal_nan=True)
    assert block_offsets.tolist() == offsets.tolist()
    assert np.array_equal(block_values[:, 1], columns[:, 0], equal_nan=True)


# --- corrupt blobs ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("blob", [b"", b"garbage", b"PS1\x01\x00\x00\x00\x01"])
def test_decode_raises_codec_error_for_non_zlib_data(blob: bytes) -> None:
    with pytest.raises(CodecError, match="not zlib data"):
        decode_slab(blob)


def test_decode_raises_codec_error_for_a_truncated_blob() -> None:
    blob = _encode(_sids(SID_A, SID_B), _offs(0, 1), _col(1 / 3, 2.5))
    for cut in range(3, len(blob)):
        with pytest.raises(CodecError, match="truncated or corrupt"):
            decode_slab(blob[:cut])


@pytest.mark.parametrize("payload", [b"XX1\x01\x00\x00\x00\x01", b"PS1\x01\x00\x00\x00\x01", b"PS", b""])
def test_decode_raises_codec_error_for_a_wrong_magic(payload: bytes) -> None:
    with pytest.raises(CodecError, match="no PS3 or PS2 header"):
        decode_slab(zlib.compress(payload))


def _slab(structured: bytes, raw: bytes = b"") -> bytes:
    return SLAB_MAGIC + zlib.compress(structured) + raw


def _two_rows() -> tuple[bytes, bytes]:
    """Structured bytes and raw planes of a 1-section, 2-row, 2-column slab."""
    blob = _encode(_sids(SID_A, SID_B), _offs(0, 1), np.array([[1.5, np.nan], [2.5, 3.0]]))
    stream = zlib.decompressobj()
    structured = stream.decompress(blob[3:])
    return structured, stream.unused_data


def test_decode_raises_codec_error_for_a_truncated_slab_at_any_byte() -> None:
    structured, raw = _two_rows()
    assert len(decode_slab(_slab(structured, raw))) == 1
    for cut in range(len(structured)):
        with pytest.raises(CodecError, match="truncated or corrupt"):
            decode_slab(_slab(structured[:cut], raw))


def test_decode_raises_codec_error_for_missing_or_extra_raw_planes() -> None:
    values = _col(*np.random.default_rng(8).random(64))
    blob = _encode(_sids(*[SID_A] * 64), _offs(*range(64)), values)
    _assert_exact(values, _decode_one(blob)[2])

    for bad in (blob[:-1], blob + b"\x00"):
        with pytest.raises(CodecError, match="truncated or corrupt"):
            decode_slab(bad)


def test_decode_raises_codec_error_when_a_section_is_missing() -> None:
    structured, raw = _two_rows()
    with pytest.raises(CodecError, match="truncated or corrupt"):
        decode_slab(_slab(b"\x02" + structured[1:], raw))


def test_decode_raises_codec_error_for_an_impossible_row_count() -> None:
    structured, raw = _two_rows()
    with pytest.raises(CodecError, match="truncated or corrupt"):
        decode_slab(_slab(structured[:1] + struct.pack("<I", 2**32 - 1) + structured[5:], raw))


def test_decode_raises_codec_error_for_a_scale_v2_does_not_know() -> None:
    structured = bytearray(_structured(_one_column([1.5, 2.5])))
    flag_at = 1 + 5 + 2 * SID_BYTES + 4
    assert structured[flag_at] & ~DELTA == 1
    structured[flag_at + 1] = 250  # the scale's index
    with pytest.raises(CodecError, match="truncated or corrupt"):
        decode_slab(_slab(bytes(structured)))


@pytest.mark.parametrize(("decode", "name"), [(decode_block, "block"), (decode_rollups, "rollup")])
def test_block_and_rollup_decoders_raise_codec_error(decode: object, name: str) -> None:
    for blob in (b"", b"garbage", codecs.BLOCK_MAGIC + b"x", codecs.ROLLUP_MAGIC + zlib.compress(b"\x01")):
        with pytest.raises(CodecError, match=name):
            decode(blob)  # type: ignore[operator]


# --- size -------------------------------------------------------------------------------------------------------------


def test_encode_packs_a_decimal_random_walk_into_about_one_byte_per_sample() -> None:
    # Given: 100 series × 60 one-minute samples of a random walk with 0.1 steps (a typical gauge)
    rng = np.random.default_rng(20240601)
    n_series, n_samples = 100, 60
    sids = np.array([series_id("t1", "cpu", {"host": f"h{i}"}) for i in range(n_series)], dtype="S12")
    start = rng.integers(0, 1000, size=(n_series, 1))
    walk = np.round((start + np.cumsum(rng.choice([-1, 0, 1], size=(n_series, n_samples)), axis=1)) * 0.1, 1)
    rows_sids = np.repeat(sids, n_samples)
    offsets = np.tile(np.arange(n_samples) * 60, n_series)

    # When
    blob = _encode(rows_sids, offsets, walk.reshape(-1, 1))

    # Then: measured ≈ 0.6 B/sample beyond the 12-byte sids; the bound leaves headroom
    per_sample = (len(blob) - SID_BYTES * n_series) / (n_series * n_samples)
    assert per_sample < 1.5
    assert len(blob) / (n_series * n_samples) < 4
    order = np.lexsort((offsets, rows_sids))
    _assert_exact(walk.reshape(-1, 1)[order], _decode_one(blob)[2])


def test_encode_folds_constant_summary_columns_to_a_few_bytes() -> None:
    # 6 columns of a constant gauge over 100 series × 60 minutes: every shuffled byte plane is a repeat
    n_series, n_samples = 100, 60
    columns = from_values(np.full(n_series * n_samples, 50.0))
    sids = np.repeat(np.array([bytes([i + 1]) * SID_BYTES for i in range(n_series)], dtype="S12"), n_samples)
    offsets = np.tile(np.arange(n_samples) * 60, n_series)

    blob = _encode(sids, offsets, columns)

    # measured: 0.14 B per row (all six columns, sids and offsets included)
    assert len(blob) / (n_series * n_samples) < 0.5


_KINDS = (
    st.integers(-(2**40), 2**40).map(float),  # integers
    st.integers(-(10**9), 10**9).map(lambda i: i / 10),  # one decimal
    st.integers(-(10**9), 10**9).map(lambda i: i / 1000),  # three decimals
    st.integers(0, 10**6).map(lambda i: i / 60),  # a count per second over a minute
    st.floats(allow_nan=True, allow_infinity=True),
)
# Columns of one kind (the fast path's case) and of mixed kinds.
_COLUMNS = st.one_of(
    *(st.lists(kind, min_size=1, max_size=40) for kind in _KINDS), st.lists(st.one_of(*_KINDS), min_size=1, max_size=40)
)


@settings(max_examples=300, deadline=None)
@given(_COLUMNS)
def test_the_first_scales_tried_alone_classify_as_the_whole_table_does(values: list[float]) -> None:
    column = np.array(values, dtype=np.float64)
    fast = codecs._classify(column)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(codecs, "_FIRST_TRIED", 0)
        slow = codecs._classify(column)
    assert fast[0] == slow[0] and fast[1].tolist() == slow[1].tolist()


@settings(max_examples=500, deadline=None)
@given(st.one_of(*_KINDS), st.sampled_from(codecs.SCALES))
def test_one_row_is_screened_as_the_whole_table_screens_it(value: float, d: float) -> None:
    assert codecs._row_exact_under(value, d) == bool(codecs._exact_under(np.array([value]), (d,))[0, 0])
