"""Query compute: 100 series × 1 day @60 s data, downsampled to 3600 and grouped with sum (5 % gaps)."""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

from polymetric.models.samples import SampleFrame, from_values
from polymetric.query import resample


def dataset(series: int = 100, minutes: int = 1440, gaps: float = 0.05) -> SampleFrame:
    rnd = np.random.default_rng(3)
    rows_series = np.repeat(np.arange(series, dtype=np.int64), minutes)
    rows_t = np.tile(np.arange(minutes, dtype=np.int64) * 60, series) + 1_795_000_000 // 86400 * 86400
    values = np.round(rnd.uniform(0, 100, series * minutes), 1)
    keep = rnd.uniform(size=series * minutes) >= gaps
    return SampleFrame(rows_series[keep], rows_t[keep], from_values(values[keep]))


def engine(frame: SampleFrame, series: int = 100) -> Any:
    b = resample.downsample(frame, 3600)
    b, v = resample.summarize(b, "mean")
    return resample.group(b, v, np.zeros(series, dtype=np.int64), "sum")


def pure_python(frame: SampleFrame) -> dict[int, float]:
    rows = list(zip(frame.series.tolist(), frame.times.tolist(), frame.values[:, 1].tolist(), strict=True))
    buckets: dict[tuple[int, int], list[float]] = defaultdict(list)
    for sid, t, v in rows:
        buckets[(sid, t - t % 3600)].append(v)
    out: dict[int, float] = defaultdict(float)
    for (_, b), vs in buckets.items():
        out[b] += sum(vs) / len(vs)
    return out


def run(median_seconds: Callable[[Callable[[], Any], int], float]) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    frame = dataset()
    _, times, values = engine(frame)
    reference = pure_python(frame)
    assert np.allclose(values, [reference[int(t)] for t in times])
    ours = median_seconds(lambda: engine(frame), 30) * 1000
    base = median_seconds(lambda: pure_python(frame), 5) * 1000
    return (
        {"groupby_100x1d_ms": round(ours, 3), "groupby_100x1d_python_ms": round(base, 3)},
        [("group_by sum, 100 series × 1 d (ms)", f"{ours:.2f}", f"{base:.2f} pure Python ({base / ours:.0f}×)")],
    )
