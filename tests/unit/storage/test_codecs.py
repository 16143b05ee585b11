import struct
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from polymetric.models.samples import from_values
from polymetric.models.series import SID_BYTES, series_id
from polymetric.storage.codecs import HAS_NAN, MAGIC, RAW, CodecError, decimal_exponent, decode_slab, encode_slab

SID_A = b"A" * SID_BYTES
SID_B = b"B" * SID_BYTES
SID_C = b"C" * SID_BYTES


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


def _raw(blob: bytes) -> bytes:
    return zlib.decompress(blob)


def _section_flags(blob: bytes) -> list[list[int]]:
    """The flag byte of each column of each section (walks the layout of the module docstring)."""
    raw = _raw(blob)
    assert raw[:3] == MAGIC
    pos = 4
    sections = []
    for _ in range(raw[3]):
        n, k = struct.unpack_from("<IB", raw, pos)
        pos += 5 + n * SID_BYTES + n * 2
        flags = []
        for _ in range(k):
            flag = raw[pos]
            flags.append(flag)
            pos += 1 + ((n + 7) // 8 if flag & HAS_NAN else 0) + n * 8
        sections.append(flags)
    assert pos == len(raw)
    return sections


def _column_flags(blob: bytes) -> list[int]:
    (flags,) = _section_flags(blob)
    return flags


def _assert_exact(expected: np.ndarray, actual: np.ndarray) -> None:
    """Bit-for-bit equal, NaN included (0.0 and -0.0 compare equal: the codec keeps numeric value only)."""
    assert actual.shape == expected.shape
    assert actual.dtype == np.float64
    assert np.array_equal(actual, expected, equal_nan=True)


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
    assert _column_flags(blob) == [exponent]


def test_round_trip_is_exact_for_integers() -> None:
    values = [0.0, 1.0, -1.0, 2.0**52, -(2.0**52), 123456789.0, 10.0**15]
    n = len(values)
    blob = _encode(_sids(*[SID_A] * n), _offs(*range(n)), _col(*values))

    _assert_exact(_col(*values), _decode_one(blob)[2])
    assert _column_flags(blob) == [0]


@pytest.mark.parametrize(
    "values",
    [
        [1e300, -1e300, 1.0],
        [1 / 3, 2 / 3, 0.1 + 0.2],
        [2.0**53, 1.0],
        [5e-324, 1.0],
        [1e-16, 0.5],
        [np.pi, np.e, -np.sqrt(2)],
    ],
)
def test_round_trip_is_exact_for_values_stored_as_raw_floats(values: list[float]) -> None:
    n = len(values)
    blob = _encode(_sids(*[SID_A] * n), _offs(*range(n)), _col(*values))

    _assert_exact(_col(*values), _decode_one(blob)[2])
    assert _column_flags(blob) == [RAW]


@pytest.mark.parametrize("values", [[-0.5, -12.25, -99.0], [-1e300, -1 / 3, -7.0]])
def test_round_trip_is_exact_for_negative_values(values: list[float]) -> None:
    n = len(values)
    out = _round_trip(_sids(*[SID_A] * n), _offs(*range(n)), _col(*values))[2]
    _assert_exact(_col(*values), out)


@pytest.mark.parametrize(
    ("values", "flag"),
    [
        ([np.nan, 1.5, np.nan, 2.25], HAS_NAN | 2),
        ([np.nan, 1 / 3, 2.0], HAS_NAN | RAW),
        ([np.nan] * 9, HAS_NAN | 0),
    ],
)
def test_round_trip_keeps_nans_with_a_mask(values: list[float], flag: int) -> None:
    n = len(values)
    blob = _encode(_sids(*[SID_A] * n), _offs(*range(n)), _col(*values))

    _assert_exact(_col(*values), _decode_one(blob)[2])
    assert _column_flags(blob) == [flag]


def test_round_trip_keeps_infinities_as_raw_floats() -> None:
    blob = _encode(_sids(SID_A, SID_A), _offs(0, 1), _col(np.inf, -np.inf))

    _assert_exact(_col(np.inf, -np.inf), _decode_one(blob)[2])
    assert _column_flags(blob) == [RAW]


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
    assert _column_flags(blob) == [0, 2, HAS_NAN | 2, HAS_NAN | 2, HAS_NAN | 2, RAW]


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
    assert _column_flags(blob) == [0] * k


def test_round_trip_keeps_sids_with_trailing_zero_bytes() -> None:
    # numpy's S12 drops trailing NULs on access; the codec must still keep the ids distinct and in order
    sids = np.array([b"ab" + b"\x00" * 10, b"\x00" * 12, b"ab" + b"\x00" * 9 + b"\x01"], dtype="S12")
    out_sids, _, out_columns = _round_trip(sids, _offs(0, 0, 0), _col(1.0, 2.0, 3.0))

    assert out_sids.tolist() == [b"", b"ab", b"ab" + b"\x00" * 9 + b"\x01"]
    _assert_exact(_col(2.0, 1.0, 3.0), out_columns)


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    n=st.integers(min_value=0, max_value=40),
    k=st.sampled_from([1, 6]),
)
def test_round_trip_is_exact_for_any_floats(data: st.DataObject, n: int, k: int) -> None:
    columns = data.draw(
        hnp.arrays(
            np.float64,
            (n, k),
            elements=st.one_of(
                st.floats(allow_nan=True, allow_infinity=True),
                st.integers(-(10**6), 10**6).map(lambda i: i / 100),
            ),
        )
    )
    sid_pool = [bytes([i]) * SID_BYTES for i in range(1, 4)]
    sids = _sids(*data.draw(st.lists(st.sampled_from(sid_pool), min_size=n, max_size=n)))
    offsets = np.array(data.draw(st.lists(st.integers(0, 3599), min_size=n, max_size=n)), dtype=np.int64)

    out_sids, out_offsets, out_columns = _round_trip(sids, offsets, columns)

    order = sorted(range(n), key=lambda i: (sids[i], offsets[i]))
    assert out_sids.tolist() == sids[order].tolist()
    assert out_offsets.tolist() == offsets[order].tolist()
    _assert_exact(columns[order], out_columns)


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
    raw = _raw(blob)

    assert raw[:3] == MAGIC == b"PS2"
    assert raw[3] == 1
    assert struct.unpack_from("<IB", raw, 4) == (2, 6)
    assert raw[9 : 9 + 24] == SID_A + SID_B
    assert raw[33:37] == struct.pack("<HH", 1, 2)


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
    assert _section_flags(blob) == [[1], [0, 0, 0, 0, HAS_NAN | 0, 1]]


def test_round_trip_of_no_sections_is_no_sections() -> None:
    assert decode_slab(encode_slab([])) == []


def test_round_trip_keeps_an_empty_section_between_others() -> None:
    empty = (np.empty(0, dtype="S12"), np.empty(0, dtype=np.int64), np.empty((0, 6)))
    one = (_sids(SID_A), _offs(1), _col(4.0))

    sections = decode_slab(encode_slab([one, empty, one]))

    assert [s[2].shape for s in sections] == [(1, 1), (0, 6), (1, 1)]
    _assert_exact(_col(4.0), sections[2][2])


# --- decimal_exponent -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], 0),
        ([0.0], 0),
        ([1.0, -2.0, 300.0], 0),
        ([0.5], 1),
        ([0.1, 0.2, 0.3], 1),
        ([1.25, 3.0], 2),
        ([0.001], 3),
        ([12.5, 0.05, 1.0], 2),
        ([0.123456789012345], 15),
        ([1e15], 0),
        ([-0.75], 2),
    ],
)
def test_decimal_exponent_is_the_smallest_exact_scale(values: list[float], expected: int) -> None:
    assert decimal_exponent(np.array(values, dtype=np.float64)) == expected


@pytest.mark.parametrize(
    "values",
    [
        [np.nan],
        [1.0, np.inf],
        [-np.inf],
        [1 / 3],
        [0.1 + 0.2],
        [1e-16],
        [2.0**53],
        [1e300],
        [1e15 + 0.5],
        [0.5, 1e16],
    ],
)
def test_decimal_exponent_is_none_when_values_need_raw_floats(values: list[float]) -> None:
    assert decimal_exponent(np.array(values, dtype=np.float64)) is None


# --- corrupt blobs ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("blob", [b"", b"garbage", b"PS1\x01\x00\x00\x00\x01"])
def test_decode_raises_codec_error_for_non_zlib_data(blob: bytes) -> None:
    with pytest.raises(CodecError, match="not zlib data"):
        decode_slab(blob)


def test_decode_raises_codec_error_for_a_truncated_zlib_stream() -> None:
    blob = _encode(_sids(SID_A, SID_B), _offs(0, 1), _col(1 / 3, 2.5))
    with pytest.raises(CodecError, match="not zlib data"):
        decode_slab(blob[: len(blob) // 2])


@pytest.mark.parametrize("payload", [b"XX1\x01\x00\x00\x00\x01", b"PS1\x01\x00\x00\x00\x01", b"PS", b""])
def test_decode_raises_codec_error_for_a_wrong_magic(payload: bytes) -> None:
    with pytest.raises(CodecError, match="no PS2 header"):
        decode_slab(zlib.compress(payload))


def _slab_cut_at(cut: int) -> bytes:
    """A valid zlib stream holding the first ``cut`` bytes of a 1-section, 2-row, 2-column slab (72 bytes in all)."""
    raw = _raw(_encode(_sids(SID_A, SID_B), _offs(0, 1), np.array([[1.5, np.nan], [2.5, 3.0]])))
    assert len(raw) == 72
    return zlib.compress(raw[:cut])


@pytest.mark.parametrize("cut", [3, 4, 8, 20, 35, 37, 38, 53, 54, 55, 71])
def test_decode_raises_codec_error_for_a_truncated_slab(cut: int) -> None:
    with pytest.raises(CodecError, match="truncated or corrupt"):
        decode_slab(_slab_cut_at(cut))


def test_decode_raises_codec_error_when_a_section_is_missing() -> None:
    raw = bytearray(_raw(_encode(_sids(SID_A), _offs(0), _col(1.0))))
    raw[3] = 2  # claims two sections, holds one

    with pytest.raises(CodecError, match="truncated or corrupt"):
        decode_slab(zlib.compress(bytes(raw)))


def test_decode_raises_codec_error_for_an_impossible_row_count() -> None:
    raw = bytearray(_raw(_encode(_sids(SID_A), _offs(0), _col(1.0))))
    raw[4:8] = struct.pack("<I", 2**32 - 1)

    with pytest.raises(CodecError, match="truncated or corrupt"):
        decode_slab(zlib.compress(bytes(raw)))


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

    # Then: measured ≈ 0.77 B/sample beyond the 12-byte sids (≈ 0.97 B/sample in all); the bound leaves headroom
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
