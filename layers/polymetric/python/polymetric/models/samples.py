"""Samples in columnar form, the shape that storage decodes into and the query engine reads.

Every sample is a summary: count, sum, min, max, last and sum of squares. A plain value ``v`` is
(1, v, v, v, v, v²); a submitted summary keeps its fields (min/max/last NaN when absent) and turns
its population stddev into a sum of squares, so that any coarser resolution, grouping or summary
function (mean, stddev included) is computed exactly from the same six columns.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

COLUMNS = ("count", "sum", "min", "max", "last", "sumsq")
COUNT, SUM, MIN, MAX, LAST, SUMSQ = range(6)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
SidArray = npt.NDArray[np.bytes_]


@dataclass(frozen=True)
class SampleFrame:
    """Samples of several series. Rows are in write order: a later row wins over an earlier one at the same time.

    ``series`` indexes the list of series the frame was read for, ``times`` are epoch seconds,
    ``values`` the six columns.
    """

    series: IntArray
    times: IntArray
    values: FloatArray

    @classmethod
    def empty(cls) -> "SampleFrame":
        return cls(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty((0, 6), dtype=np.float64))

    @classmethod
    def concat(cls, frames: "list[SampleFrame]") -> "SampleFrame":
        if not frames:
            return cls.empty()
        if len(frames) == 1:
            return frames[0]
        return cls(
            np.concatenate([f.series for f in frames]),
            np.concatenate([f.times for f in frames]),
            np.concatenate([f.values for f in frames]),
        )

    def __len__(self) -> int:
        return len(self.times)

    def select(self, mask: npt.NDArray[np.bool_]) -> "SampleFrame":
        return SampleFrame(self.series[mask], self.times[mask], self.values[mask])


def from_values(values: FloatArray) -> FloatArray:
    """Six-column rows for plain values."""
    out = np.empty((len(values), 6), dtype=np.float64)
    out[:, COUNT] = 1.0
    out[:, SUM] = values
    out[:, MIN] = values
    out[:, MAX] = values
    out[:, LAST] = values
    out[:, SUMSQ] = values * values
    return out


def sumsq_from_stddev(count: float, total: float, stddev: float | None) -> float:
    """Σx² of a summary from its population stddev (0 when not given): n·(σ² + μ²)."""
    if count <= 0:
        return 0.0
    mean = total / count
    sd = stddev or 0.0
    return count * (sd * sd + mean * mean)
