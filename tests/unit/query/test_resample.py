import itertools
import math
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from polymetric.models.samples import COUNT, LAST, MAX, MIN, SUM, SUMSQ, SampleFrame, from_values
from polymetric.query.resample import GROUP_FUNCTIONS, Buckets, downsample, group, split, summarize

A, B, C, D = 0, 1, 2, 3  # series indices, as storage numbers the series it read a frame for
NAN = math.nan
HOUR = 1_699_999_200  # a whole hour: every resolution below divides it
T0 = 1_700_000_000  # not aligned: T0 % 60 == 20, T0 % 300 == 200, T0 % 3600 == 800

Row = tuple[int, int, tuple[float, float, float, float, float, float]]


# --- building inputs --------------------------------------------------------------------------------------------------


def _plain(series: int, t: int, v: float) -> Row:
    return series, t, (1.0, v, v, v, v, v * v)


def _frame(rows: list[Row]) -> SampleFrame:
    if not rows:
        return SampleFrame.empty()
    return SampleFrame(
        np.array([r[0] for r in rows], dtype=np.int64),
        np.array([r[1] for r in rows], dtype=np.int64),
        np.array([r[2] for r in rows], dtype=np.float64).reshape(-1, 6),
    )


def _plain_frame(series: list[int], times: list[int], values: list[float]) -> SampleFrame:
    return SampleFrame(
        np.array(series, dtype=np.int64),
        np.array(times, dtype=np.int64),
        from_values(np.array(values, dtype=np.float64)),
    )


def _rows_of(b: Buckets) -> list[tuple[int, int, list[float]]]:
    return [(int(s), int(t), stats.tolist()) for s, t, stats in zip(b.series, b.times, b.stats, strict=True)]


# --- an independent, pure-Python model of the documented steps --------------------------------------------------------


def _ref_downsample(rows: list[Row], resolution: int) -> list[tuple[int, int, list[float]]]:
    latest: dict[tuple[int, int], tuple[float, ...]] = {}
    for series, t, values in rows:  # write order: a later write replaces an earlier one
        latest[(series, t)] = values
    merged: dict[tuple[int, int], list[tuple[float, ...]]] = defaultdict(list)
    for s, t in sorted(latest):
        merged[(s, t - t % resolution)].append(latest[(s, t)])
    out = []
    for (s, bucket), samples in sorted(merged.items()):
        mins = [v[MIN] for v in samples if not math.isnan(v[MIN])]
        maxs = [v[MAX] for v in samples if not math.isnan(v[MAX])]
        newest = samples[-1]
        last = newest[SUM] / newest[COUNT] if math.isnan(newest[LAST]) else newest[LAST]
        stats = [
            sum(v[COUNT] for v in samples),
            sum(v[SUM] for v in samples),
            min(mins) if mins else NAN,
            max(maxs) if maxs else NAN,
            last,
            sum(v[SUMSQ] for v in samples),
        ]
        out.append((s, bucket, stats))
    return out


def _ref_summary(stats: list[float], function: str) -> float:
    count, total, lo, hi, _last, sumsq = stats
    mean = total / count
    return {
        "mean": mean,
        "sum": total,
        "count": count,
        "min": mean if math.isnan(lo) else lo,
        "max": mean if math.isnan(hi) else hi,
        "stddev": math.sqrt(max(sumsq / count - mean * mean, 0.0)),
    }[function]


def _ref_summarize(buckets: list[tuple[int, int, list[float]]], function: str) -> list[tuple[int, int, float]]:
    if function != "derivative":
        return [(s, t, _ref_summary(stats, function)) for s, t, stats in buckets]
    out = []
    for (s0, _t0, prev), (s1, t1, cur) in itertools.pairwise(buckets):
        if s0 == s1:
            out.append((s1, t1, cur[LAST] - prev[LAST]))
    return out


def _ref_group(
    values: list[tuple[int, int, float]], group_of_series: list[int], function: str
) -> list[tuple[int, int, float]]:
    folded: dict[tuple[int, int], list[float]] = defaultdict(list)
    for s, t, v in values:
        if group_of_series[s] >= 0:
            folded[(group_of_series[s], t)].append(v)
    fold = {"sum": sum, "min": min, "max": max, "mean": lambda xs: sum(xs) / len(xs)}[function]
    return [(g, t, fold(vs)) for (g, t), vs in sorted(folded.items())]


def _assert_same_buckets(actual: Buckets, expected: list[tuple[int, int, list[float]]]) -> None:
    got = _rows_of(actual)
    assert [(s, t) for s, t, _ in got] == [(s, t) for s, t, _ in expected]
    for (_, _, g), (_, _, e) in zip(got, expected, strict=True):
        assert g == pytest.approx(e, rel=1e-12, abs=1e-12, nan_ok=True)


# --- downsample: explicit examples ------------------------------------------------------------------------------------


def test_downsample_merges_samples_of_a_bucket() -> None:
    frame = _plain_frame([A, A, A, A], [HOUR + 60, HOUR + 90, HOUR + 119, HOUR + 120], [1.0, 4.0, 2.0, 8.0])

    b = downsample(frame, 60)

    assert _rows_of(b) == [
        (0, HOUR + 60, [3.0, 7.0, 1.0, 4.0, 2.0, 21.0]),
        (0, HOUR + 120, [1.0, 8.0, 8.0, 8.0, 8.0, 64.0]),
    ]


@pytest.mark.parametrize(
    ("resolution", "bucket"),
    [(1, T0 + 5), (60, T0 - 20), (300, T0 - 200), (3600, T0 - 800), (86400, 1_699_920_000)],
)
def test_downsample_aligns_buckets_on_the_epoch_not_on_the_first_sample(resolution: int, bucket: int) -> None:
    frame = _plain_frame([A], [T0 + 5], [1.0])

    b = downsample(frame, resolution)

    assert b.times.tolist() == [bucket]
    assert bucket % resolution == 0


def test_downsample_keeps_the_later_write_of_a_duplicate_time() -> None:
    frame = _plain_frame([A, B, A, A], [HOUR + 10, HOUR + 10, HOUR + 10, HOUR + 20], [1.0, 7.0, 5.0, 2.0])

    b = downsample(frame, 60)

    assert _rows_of(b) == [
        (0, HOUR, [2.0, 7.0, 2.0, 5.0, 2.0, 29.0]),
        (1, HOUR, [1.0, 7.0, 7.0, 7.0, 7.0, 49.0]),
    ]


def test_downsample_takes_last_from_the_latest_time_not_the_latest_write() -> None:
    frame = _plain_frame([A, A], [HOUR + 50, HOUR + 10], [9.0, 1.0])

    b = downsample(frame, 60)

    assert b.stats[0, LAST] == 9.0


def test_downsample_sorts_buckets_by_series_then_time() -> None:
    frame = _plain_frame([C, A, B, A, C], [HOUR + 60, HOUR + 60, HOUR, HOUR, HOUR], [1.0, 2.0, 3.0, 4.0, 5.0])

    b = downsample(frame, 60)

    assert list(zip(b.series.tolist(), b.times.tolist(), strict=True)) == [
        (A, HOUR),
        (A, HOUR + 60),
        (B, HOUR),
        (C, HOUR),
        (C, HOUR + 60),
    ]
    assert b.stats[:, SUM].tolist() == [4.0, 2.0, 3.0, 5.0, 1.0]


def test_downsample_keeps_series_indices_with_gaps() -> None:
    frame = _plain_frame([7, 0, 1000], [HOUR, HOUR, HOUR], [1.0, 2.0, 3.0])

    assert downsample(frame, 60).series.tolist() == [0, 7, 1000]


def test_downsample_keeps_series_apart_across_a_wide_time_span() -> None:
    # Samples ten years apart: the combined (series, time) sort key must still order and separate them
    later = HOUR + 10 * 365 * 86400
    frame = _plain_frame([B, A, B, A, A], [HOUR, later, later, HOUR, later], [1.0, 2.0, 3.0, 4.0, 5.0])

    b = downsample(frame, 3600)

    assert _rows_of(b) == [
        (A, HOUR, [1.0, 4.0, 4.0, 4.0, 4.0, 16.0]),
        (A, later, [1.0, 5.0, 5.0, 5.0, 5.0, 25.0]),
        (B, HOUR, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
        (B, later, [1.0, 3.0, 3.0, 3.0, 3.0, 9.0]),
    ]


def test_downsample_returns_no_buckets_for_an_empty_frame() -> None:
    b = downsample(SampleFrame.empty(), 60)

    assert len(b) == 0
    assert b.stats.shape == (0, 6)


def test_downsample_merges_submitted_summaries_exactly() -> None:
    # Given: a summary of 4 samples (sd 1.5 → sumsq 4·(1.5² + 2.5²)) and a plain value in the same minute
    summary: Row = (A, HOUR + 5, (4.0, 10.0, 1.0, 4.0, 3.0, 34.0))
    frame = _frame([summary, _plain(A, HOUR + 30, 6.0)])

    # When
    b = downsample(frame, 60)

    # Then
    assert _rows_of(b) == [(0, HOUR, [5.0, 16.0, 1.0, 6.0, 6.0, 70.0])]
    assert summarize(b, "mean")[1].tolist() == [3.2]
    assert summarize(b, "stddev")[1].tolist() == pytest.approx([math.sqrt(70.0 / 5 - 3.2**2)])


def test_downsample_ignores_absent_min_max_of_summaries() -> None:
    frame = _frame([(A, HOUR, (2.0, 10.0, NAN, NAN, NAN, 50.0)), _plain(A, HOUR + 1, 3.0)])

    b = downsample(frame, 60)

    assert b.stats[0, MIN] == 3.0
    assert b.stats[0, MAX] == 3.0


def test_downsample_keeps_min_max_absent_when_no_sample_has_them() -> None:
    frame = _frame([(A, HOUR, (2.0, 10.0, NAN, NAN, NAN, 50.0))])

    b = downsample(frame, 60)

    assert np.isnan(b.stats[0, MIN])
    assert np.isnan(b.stats[0, MAX])
    assert summarize(b, "min")[1].tolist() == [5.0]
    assert summarize(b, "max")[1].tolist() == [5.0]


def test_downsample_falls_back_to_the_mean_when_the_latest_summary_has_no_last() -> None:
    frame = _frame([_plain(A, HOUR, 100.0), (A, HOUR + 1, (2.0, 10.0, NAN, NAN, NAN, 50.0))])

    b = downsample(frame, 60)

    assert b.stats[0, LAST] == 5.0


# --- summarize --------------------------------------------------------------------------------------------------------


def _two_series_buckets() -> Buckets:
    frame = _plain_frame(
        [A, A, A, A, B, B, B],
        [HOUR, HOUR + 30, HOUR + 60, HOUR + 180, HOUR, HOUR + 60, HOUR + 90],
        [2.0, 4.0, 10.0, 7.0, 1.0, 3.0, 5.0],
    )
    return downsample(frame, 60)


@pytest.mark.parametrize(
    ("function", "expected"),
    [
        ("mean", [3.0, 10.0, 7.0, 1.0, 4.0]),
        ("sum", [6.0, 10.0, 7.0, 1.0, 8.0]),
        ("min", [2.0, 10.0, 7.0, 1.0, 3.0]),
        ("max", [4.0, 10.0, 7.0, 1.0, 5.0]),
        ("count", [2.0, 1.0, 1.0, 1.0, 2.0]),
        ("stddev", [1.0, 0.0, 0.0, 0.0, 1.0]),
    ],
)
def test_summarize_gives_one_value_per_bucket(function: str, expected: list[float]) -> None:
    b = _two_series_buckets()

    out_b, values = summarize(b, function)

    assert out_b is b
    assert b.series.tolist() == [0, 0, 0, 1, 1]
    assert b.times.tolist() == [HOUR, HOUR + 60, HOUR + 180, HOUR, HOUR + 60]
    assert values.tolist() == pytest.approx(expected)


def test_summarize_derivative_drops_the_first_bucket_of_each_series() -> None:
    b = _two_series_buckets()  # last per bucket: A 4, 10, 7 · B 1, 5

    out_b, values = summarize(b, "derivative")

    assert out_b.series.tolist() == [0, 0, 1]
    assert out_b.times.tolist() == [HOUR + 60, HOUR + 180, HOUR + 60]
    assert values.tolist() == [6.0, -3.0, 4.0]
    assert out_b.stats[:, LAST].tolist() == [10.0, 7.0, 5.0]


def test_summarize_derivative_is_empty_for_single_buckets() -> None:
    b = downsample(_plain_frame([A, B], [HOUR, HOUR], [1.0, 2.0]), 60)

    out_b, values = summarize(b, "derivative")

    assert len(out_b) == 0
    assert values.shape == (0,)


def test_summarize_stddev_is_zero_not_nan_for_constant_decimals() -> None:
    # Σx²/n − mean² of 0.1, 0.1, 0.1 is slightly negative in floating point; the variance is clamped at 0
    b = downsample(_plain_frame([A, A, A], [HOUR, HOUR + 1, HOUR + 2], [0.1, 0.1, 0.1]), 60)

    assert summarize(b, "stddev")[1].tolist() == [0.0]


def test_summarize_sum_and_count_do_not_alias_the_buckets() -> None:
    b = _two_series_buckets()

    summarize(b, "sum")[1][:] = -1.0
    summarize(b, "count")[1][:] = -1.0

    assert b.stats[:, SUM].tolist() == [6.0, 10.0, 7.0, 1.0, 8.0]
    assert b.stats[:, COUNT].tolist() == [2.0, 1.0, 1.0, 1.0, 2.0]


@pytest.mark.parametrize("function", ["average", "all", "p99", ""])
def test_summarize_refuses_an_unknown_function(function: str) -> None:
    with pytest.raises(ValueError, match="unknown summary function"):
        summarize(_two_series_buckets(), function)


# --- group ------------------------------------------------------------------------------------------------------------


def _three_series_means() -> tuple[Buckets, np.ndarray]:
    frame = _plain_frame(
        [A, B, C, A, C, D],
        [HOUR, HOUR, HOUR, HOUR + 60, HOUR + 60, HOUR],
        [1.0, 2.0, 6.0, 3.0, 5.0, 100.0],
    )
    return summarize(downsample(frame, 60), "mean")


@pytest.mark.parametrize(
    ("function", "group0", "group1"),
    [
        ("sum", [3.0, 3.0], [6.0, 5.0]),
        ("min", [1.0, 3.0], [6.0, 5.0]),
        ("max", [2.0, 3.0], [6.0, 5.0]),
        ("mean", [1.5, 3.0], [6.0, 5.0]),
    ],
)
def test_group_folds_series_bucket_by_bucket(function: str, group0: list[float], group1: list[float]) -> None:
    # Given: A and B in group 0, C in group 1, D left out (-1)
    b, values = _three_series_means()

    # When
    g, times, out = group(b, values, np.array([0, 0, 1, -1]), function)

    # Then: the mean divides by the series present in that bucket (B has no sample at HOUR + 60)
    assert g.tolist() == [0, 0, 1, 1]
    assert times.tolist() == [HOUR, HOUR + 60, HOUR, HOUR + 60]
    assert out.tolist() == group0 + group1


def test_group_returns_nothing_when_every_series_is_left_out() -> None:
    b, values = _three_series_means()

    g, times, out = group(b, values, np.array([-1, -1, -1, -1]), "sum")

    assert (len(g), len(times), len(out)) == (0, 0, 0)


@pytest.mark.parametrize("function", ["average", "count", ""])
def test_group_refuses_an_unknown_function(function: str) -> None:
    b, values = _three_series_means()
    with pytest.raises(ValueError, match="unknown group function"):
        group(b, values, np.array([0, 0, 0, 0]), function)


# --- split ------------------------------------------------------------------------------------------------------------


def test_split_gives_one_slice_per_id() -> None:
    ids = np.array([0, 0, 2, 2, 2, 3])

    assert split(ids, 5) == [slice(0, 2), slice(2, 2), slice(2, 5), slice(5, 6), slice(6, 6)]


def test_split_of_no_ids_gives_empty_slices() -> None:
    assert split(np.array([], dtype=np.int64), 2) == [slice(0, 0), slice(0, 0)]
    assert split(np.array([0, 1]), 0) == []


# --- properties against the pure-Python model -------------------------------------------------------------------------

_SUMMARY_FUNCTIONS = ["mean", "sum", "min", "max", "count", "stddev", "derivative"]
# Multiples of 1/4 in ±1000: sums are exact in any order, so numpy and the model agree bit for bit.
_quarter = st.integers(-4000, 4000).map(lambda i: i / 4)
_maybe = st.one_of(st.just(NAN), _quarter)


_summary_values = st.tuples(st.integers(1, 5).map(float), _quarter, _maybe, _maybe, _maybe, _quarter.map(abs))
# Times on a coarse grid with gaps; few series, so duplicate (series, time) writes are likely
_row = st.tuples(
    st.sampled_from([A, B, C, 40]),
    st.sampled_from([0, 1, 2, 5, 7, 20, 59, 60, 61, 119, 300, 301, 900, 3599, 3600, 7000, 315_360_000]).map(
        lambda d: T0 + d
    ),
    st.one_of(_quarter.map(lambda v: (1.0, v, v, v, v, v * v)), _summary_values),
)
_rows = st.lists(_row, max_size=40)


@settings(max_examples=80, deadline=None)
@given(
    rows=_rows,
    resolution=st.sampled_from([1, 7, 60, 300, 3600]),
)
def test_downsample_matches_the_pure_python_model(rows: list[Row], resolution: int) -> None:
    b = downsample(_frame(rows), resolution)

    _assert_same_buckets(b, _ref_downsample(rows, resolution))


@settings(max_examples=80, deadline=None)
@given(
    rows=_rows,
    resolution=st.sampled_from([1, 60, 300]),
    function=st.sampled_from(_SUMMARY_FUNCTIONS),
    group_function=st.sampled_from(GROUP_FUNCTIONS),
    membership=st.lists(st.integers(-1, 1), min_size=41, max_size=41),
)
def test_summarize_and_group_match_the_pure_python_model(
    rows: list[Row], resolution: int, function: str, group_function: str, membership: list[int]
) -> None:
    expected_buckets = _ref_downsample(rows, resolution)
    expected = _ref_summarize(expected_buckets, function)

    b, values = summarize(downsample(_frame(rows), resolution), function)

    assert list(zip(b.series.tolist(), b.times.tolist(), strict=True)) == [(s, t) for s, t, _ in expected]
    assert values.tolist() == pytest.approx([v for _, _, v in expected], rel=1e-12, abs=1e-12)

    g, times, out = group(b, values, np.array(membership), group_function)
    grouped = _ref_group(expected, membership, group_function)

    assert list(zip(g.tolist(), times.tolist(), strict=True)) == [(gi, t) for gi, t, _ in grouped]
    assert out.tolist() == pytest.approx([v for _, _, v in grouped], rel=1e-12, abs=1e-12)

    for i, sl in enumerate(split(g, 2)):
        assert set(g[sl].tolist()) <= {i}
        assert sl.stop - sl.start == sum(1 for gi, _, _ in grouped if gi == i)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 6), max_size=30), st.integers(0, 8))
def test_split_slices_partition_a_sorted_id_array(raw_ids: list[int], count: int) -> None:
    ids = np.array(sorted(raw_ids), dtype=np.int64)

    slices = split(ids, count)

    assert len(slices) == count
    for i, sl in enumerate(slices):
        assert ids[sl].tolist() == [i] * raw_ids.count(i)
