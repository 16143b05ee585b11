import numpy as np
import pytest

from polymetric.models.sparse import Observation, SparseSetting
from polymetric.query.resample import Buckets
from polymetric.query.sparse import MAX_FILL, fill


def buckets(series: list[int], times: list[int], values: list[float]) -> tuple[Buckets, np.ndarray]:
    stats = np.zeros((len(times), 6))
    return Buckets(np.array(series, dtype=np.int64), np.array(times, dtype=np.int64), stats), np.array(values)


SETTING = SparseSetting("m", "ReplaceWithZero", high=9.0, low=1.0, last=4.0, last_time=0, since=60)


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        ("ReplaceWithZero", [5.0, 0.0, 0.0, 7.0, 0.0]),
        ("ReplaceWithHistoricalMax", [5.0, 9.0, 9.0, 7.0, 9.0]),
        ("ReplaceWithHistoricalMin", [5.0, 1.0, 1.0, 7.0, 1.0]),
        ("ReplaceWithLast", [5.0, 5.0, 5.0, 7.0, 7.0]),
    ],
)
def test_fill_injects_each_strategy(strategy: str, expected: list[float]) -> None:
    b, v = buckets([0, 0], [60, 240], [5.0, 7.0])
    setting = SparseSetting(**{**SETTING.__dict__, "strategy": strategy})
    out, values = fill(b, v, 1, setting, start=0, end=400, resolution=60, now=400)
    assert out.times.tolist() == [60, 120, 180, 240, 300]  # 360 has not ended at now=400; before since: none
    assert values.tolist() == expected


def test_fill_none_and_series_without_samples() -> None:
    b, v = buckets([0], [60], [5.0])
    assert fill(b, v, 2, SparseSetting("m"), start=0, end=400, resolution=60, now=400)[1].tolist() == [5.0]
    out, values = fill(b, v, 2, SETTING, start=0, end=200, resolution=60, now=400)
    assert list(zip(out.series.tolist(), out.times.tolist(), values.tolist(), strict=True)) == [
        (0, 60, 5.0),
        (0, 120, 0.0),
        (0, 180, 0.0),
        (1, 60, 0.0),
        (1, 120, 0.0),
        (1, 180, 0.0),
    ]


def test_fill_last_before_the_read_uses_the_lifetime_last_only_when_older() -> None:
    b, v = buckets([], [], [])
    setting = SparseSetting("m", "ReplaceWithLast", last=4.0, last_time=30, since=0)
    assert fill(b, v, 1, setting, start=60, end=180, resolution=60, now=400)[1].tolist() == [4.0, 4.0, 4.0]
    newer = SparseSetting("m", "ReplaceWithLast", last=4.0, last_time=500, since=0)
    assert fill(b, v, 1, newer, start=60, end=180, resolution=60, now=600)[1].tolist() == []


def test_fill_gives_up_beyond_max_fill() -> None:
    b, v = buckets([0], [0], [1.0])
    out, _ = fill(
        b, v, 1, SparseSetting("m", "ReplaceWithZero", since=0), start=0, end=MAX_FILL * 2, resolution=1, now=10**9
    )
    assert len(out) == 1


def test_setting_observe_keeps_lifetime_facts() -> None:
    s = SparseSetting("m", "ReplaceWithLast").observe([Observation(100, 2, 8, 5), Observation(50, 1, 3, 2)])
    assert (s.low, s.high, s.last, s.last_time, s.since) == (1, 8, 5, 100, 50)
    s = s.observe([Observation(70, 0, 9, 7)])
    assert (s.low, s.high, s.last, s.last_time, s.since) == (0, 9, 5, 100, 50)
