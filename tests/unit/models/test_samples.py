import math

import numpy as np
import pytest

from polymetric.models.samples import (
    COLUMNS,
    COUNT,
    LAST,
    MAX,
    MIN,
    SUM,
    SUMSQ,
    SampleFrame,
    from_values,
    sumsq_from_stddev,
)


def test_columns_are_in_the_documented_order() -> None:
    assert COLUMNS == ("count", "sum", "min", "max", "last", "sumsq")
    assert (COUNT, SUM, MIN, MAX, LAST, SUMSQ) == (0, 1, 2, 3, 4, 5)


def test_from_values_makes_one_sample_summaries() -> None:
    rows = from_values(np.array([2.5, -3.0, 0.0]))

    assert rows.shape == (3, 6)
    assert rows.dtype == np.float64
    assert rows.tolist() == [
        [1.0, 2.5, 2.5, 2.5, 2.5, 6.25],
        [1.0, -3.0, -3.0, -3.0, -3.0, 9.0],
        [1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    ]


def test_from_values_returns_no_rows_for_no_values() -> None:
    assert from_values(np.empty(0)).shape == (0, 6)


def test_from_values_keeps_nan() -> None:
    rows = from_values(np.array([np.nan]))
    assert rows[0, COUNT] == 1.0
    assert np.isnan(rows[0, 1:]).all()


@pytest.mark.parametrize(
    ("count", "total", "stddev", "expected"),
    [
        (1.0, 5.0, None, 25.0),
        (4.0, 10.0, None, 25.0),  # n·μ² = 4 · 2.5²
        (4.0, 10.0, 0.0, 25.0),
        (4.0, 10.0, 1.5, 4.0 * (1.5**2 + 2.5**2)),
        (2.0, -6.0, 2.0, 2.0 * (4.0 + 9.0)),
        (0.0, 10.0, 3.0, 0.0),
        (-1.0, 10.0, 3.0, 0.0),
    ],
)
def test_sumsq_from_stddev_is_n_times_variance_plus_mean_squared(
    count: float, total: float, stddev: float | None, expected: float
) -> None:
    assert sumsq_from_stddev(count, total, stddev) == pytest.approx(expected)


def test_sumsq_from_stddev_matches_the_samples_it_summarises() -> None:
    samples = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
    n, total = len(samples), sum(samples)
    population_sd = math.sqrt(sum((x - total / n) ** 2 for x in samples) / n)  # 2.0

    assert sumsq_from_stddev(n, total, population_sd) == pytest.approx(sum(x * x for x in samples))


def test_sample_frame_empty_has_the_six_column_shape() -> None:
    frame = SampleFrame.empty()

    assert len(frame) == 0
    assert frame.series.dtype == np.int64
    assert frame.times.dtype == np.int64
    assert frame.values.shape == (0, 6)


def _frame(series: list[int], times: list[int], values: list[float]) -> SampleFrame:
    return SampleFrame(np.array(series, dtype=np.int64), np.array(times, dtype=np.int64), from_values(np.array(values)))


def test_sample_frame_concat_keeps_write_order() -> None:
    a = _frame([0], [10], [1.0])
    b = _frame([1, 0], [20, 10], [2.0, 3.0])

    both = SampleFrame.concat([a, b])

    assert len(both) == 3
    assert both.series.tolist() == [0, 1, 0]
    assert both.times.tolist() == [10, 20, 10]
    assert both.values[:, SUM].tolist() == [1.0, 2.0, 3.0]


def test_sample_frame_concat_of_nothing_is_empty() -> None:
    assert len(SampleFrame.concat([])) == 0


def test_sample_frame_concat_of_one_frame_is_that_frame() -> None:
    a = _frame([0], [10], [1.0])
    assert SampleFrame.concat([a]) is a


def test_sample_frame_select_keeps_masked_rows() -> None:
    frame = _frame([0, 1, 2], [1, 2, 3], [1.0, 2.0, 3.0])

    picked = frame.select(np.array([True, False, True]))

    assert picked.series.tolist() == [0, 2]
    assert picked.times.tolist() == [1, 3]
    assert picked.values[:, SUM].tolist() == [1.0, 3.0]
