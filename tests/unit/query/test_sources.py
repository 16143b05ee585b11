"""Legacy reads by source (query/sources.py): the window of count, paging by next_time, combining series."""

import math

import numpy as np
import pytest

from polymetric.errors import InvalidInputError
from polymetric.models.query import SourceFilter, SourcesQuery
from polymetric.query import limits, sources
from polymetric.query.resample import Buckets

T = 1_700_000_040  # a whole minute
NAN = math.nan


def q(**kw: object) -> SourcesQuery:
    kw.setdefault("start", None)
    kw.setdefault("end", None)
    kw.setdefault("resolution", 60)
    return SourcesQuery("cpu", **kw)  # type: ignore[arg-type]


def buckets(*rows: tuple[int, int, float] | tuple[int, int, tuple[float, ...]]) -> Buckets:
    """(series, time, value) for a plain sample, or (series, time, (count, sum, min, max)) for a summary."""
    rows_sorted = sorted(rows, key=lambda r: (r[0], r[1]))
    stats = []
    for _, _, v in rows_sorted:
        if isinstance(v, tuple):
            n, s, lo, hi = v
            stats.append((n, s, lo, hi, NAN, NAN))
        else:
            stats.append((1.0, v, v, v, v, v * v))
    return Buckets(
        np.array([r[0] for r in rows_sorted], dtype=np.int64),
        np.array([r[1] for r in rows_sorted], dtype=np.int64),
        np.array(stats, dtype=np.float64).reshape(-1, 6),
    )


# --- window -------------------------------------------------------------------------------------------------------


def test_without_count_the_window_is_the_interval() -> None:
    assert sources.window(q(start=T - 600, end=T), 60) == (T - 600, T)


def test_last_count_points_end_in_the_bucket_of_end_time() -> None:
    # end_time 30 s into a minute: 8 minutes (twice the 4 points) up to and including that one.
    assert sources.window(q(end=T + 30, count=4), 60) == (T - 420, T + 30)


def test_count_covers_the_metric_period_when_it_is_coarser_than_the_resolution() -> None:
    assert sources.window(q(end=T, count=4, resolution=1), 300) == (T + 1 - 2400, T)
    assert sources.window(q(end=T, count=4, resolution=1), None) == (T + 1 - 480, T)  # 60 s by default


def test_first_count_points_from_start_time_up_to_end_time_when_given() -> None:
    assert sources.window(q(start=T, count=3), 60) == (T, T + 359)
    assert sources.window(q(start=T, end=T + 100, count=3), 60) == (T, T + 100)


# --- plan ---------------------------------------------------------------------------------------------------------


def test_a_read_within_the_points_limit_covers_the_window() -> None:
    assert sources.plan(q(start=T, end=T + 3600), 10, T, T + 3600) == sources.Read(T, T + 3600)


def test_a_longer_window_is_read_up_to_the_limit_and_continues_at_next_time() -> None:
    series = 1000
    read = sources.plan(q(start=T, end=T + 10**7, resolution=1), series, T, T + 10**7)
    per_series = limits.MAX_POINTS // series
    assert read == sources.Read(T, T + per_series - 1, T + per_series)


def test_with_count_a_read_past_the_limit_is_refused_not_paged() -> None:
    with pytest.raises(InvalidInputError) as err:
        sources.plan(q(end=T, count=10_000, resolution=1), 1000, 0, T)
    assert list(err.value.params) == ["count"]


def test_too_many_series_is_a_400_on_the_filter() -> None:
    with pytest.raises(InvalidInputError) as err:
        sources.plan(q(start=T, end=T + 60), limits.MAX_SERIES + 1, T, T + 60)
    assert list(err.value.params) == ["source"]
    with pytest.raises(InvalidInputError) as err:
        sources.plan(q(start=T, end=T + 60, sources=SourceFilter(names=("a",))), limits.MAX_SERIES + 1, T, T + 60)
    assert list(err.value.params) == ["sources"]


# --- by_source ----------------------------------------------------------------------------------------------------


def test_points_by_source_plain_and_summarized() -> None:
    b = buckets((0, T, 1.0), (0, T + 60, 2.0), (1, T, (4.0, 10.0, 1.0, 4.0)), (1, T + 60, (2.0, 5.0, NAN, NAN)))
    got, next_time = sources.by_source(["web-1", "web-2"], b, q(start=T, end=T + 120))
    assert next_time is None
    assert got == {
        "web-1": [{"time": T, "value": 1.0, "count": 1}, {"time": T + 60, "value": 2.0, "count": 1}],
        "web-2": [
            {"time": T, "value": 2.5, "count": 4, "sum": 10.0, "min": 1.0, "max": 4.0},
            {"time": T + 60, "value": 2.5, "count": 2, "sum": 5.0},
        ],
    }


def test_series_of_one_source_combine_mean_of_values_counts_summed() -> None:
    # Two series without a source (unassigned) and two spellings of one source.
    b = buckets((0, T, 1.0), (1, T, 3.0), (1, T + 60, 5.0), (2, T, 10.0), (3, T, 20.0))
    got, _ = sources.by_source(["unassigned", "unassigned", "Web", "web"], b, q(start=T, end=T + 120))
    assert got == {
        "unassigned": [
            {"time": T, "value": 2.0, "count": 2, "sum": 4.0, "min": 1.0, "max": 3.0},
            {"time": T + 60, "value": 5.0, "count": 1},
        ],
        "Web": [{"time": T, "value": 15.0, "count": 2, "sum": 30.0, "min": 10.0, "max": 20.0}],
    }


def test_summarize_sources_adds_all_and_breakout_false_keeps_it_alone() -> None:
    b = buckets((0, T, 1.0), (1, T, (3.0, 9.0, 2.0, 4.0)), (1, T + 60, 7.0))
    got, _ = sources.by_source(["a", "b"], b, q(start=T, end=T + 120, summarize_sources=True))
    assert got["all"] == [
        {"time": T, "value": 2.0, "count": 4, "sum": 10.0, "min": 1.0, "max": 4.0},
        {"time": T + 60, "value": 7.0, "count": 1},
    ]
    assert set(got) == {"a", "b", "all"}
    alone, _ = sources.by_source(["a", "b"], b, q(start=T, end=T + 120, summarize_sources=True, breakout_sources=False))
    assert alone == {"all": got["all"]}


def test_count_keeps_the_last_points_of_each_source_or_the_first_after_start() -> None:
    b = buckets(*[(0, T + 60 * i, float(i)) for i in range(5)], (1, T + 240, 9.0))
    last, next_time = sources.by_source(["a", "b"], b, q(end=T + 240, count=2), next_time=123)
    assert next_time is None
    assert [p["value"] for p in last["a"]] == [3.0, 4.0] and [p["value"] for p in last["b"]] == [9.0]
    first, _ = sources.by_source(["a", "b"], b, q(start=T, count=2))
    assert [p["value"] for p in first["a"]] == [0.0, 1.0] and [p["value"] for p in first["b"]] == [9.0]


def test_count_times_sources_over_the_page_is_refused() -> None:
    b = buckets((0, T, 1.0), (1, T, 1.0))
    with pytest.raises(InvalidInputError) as err:
        sources.by_source(["a", "b"], b, q(end=T, count=sources.PAGE_POINTS // 2 + 1))
    assert list(err.value.params) == ["count"]


def test_a_page_over_the_return_size_is_cut_at_a_time_and_next_time_is_the_first_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sources, "PAGE_POINTS", 5)
    b = buckets(*[(s, T + 60 * i, float(i)) for s in (0, 1) for i in range(4)])
    got, next_time = sources.by_source(["a", "b"], b, q(start=T, end=T + 600))
    assert next_time == T + 120  # two whole times (4 points) fit; the third would make 6
    assert [p["time"] for p in got["a"]] == [T, T + 60] == [p["time"] for p in got["b"]]
    # The rest, asked from next_time, is whole and says nothing more follows.
    rest = buckets(*[(s, T + 60 * i, float(i)) for s in (0, 1) for i in (2, 3)])
    got, next_time = sources.by_source(["a", "b"], rest, q(start=T + 120, end=T + 600))
    assert next_time is None and [p["time"] for p in got["a"]] == [T + 120, T + 180]


def test_the_read_s_next_time_stands_when_the_page_is_not_cut() -> None:
    got, next_time = sources.by_source(["a"], buckets((0, T, 1.0)), q(start=T, end=T + 10**7), next_time=T + 5000)
    assert next_time == T + 5000 and got == {"a": [{"time": T, "value": 1.0, "count": 1}]}
