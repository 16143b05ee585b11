"""Samples in columnar form, the shape that storage decodes into and the query engine reads.

Every sample is a summary: count, sum, min, max, last and sum of squares. A plain value ``v`` is
(1, v, v, v, v, v²); a submitted summary keeps its fields (min/max/last NaN when absent) and turns
its population stddev into a sum of squares, so that any coarser resolution, grouping or summary
function (mean, stddev included) is computed exactly from the same six columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from polymetric.lazy import np

if TYPE_CHECKING:
    import numpy.typing as npt

COLUMNS = ("count", "sum", "min", "max", "last", "sumsq")
COUNT, SUM, MIN, MAX, LAST, SUMSQ = range(6)

# Strings at run time (numpy loads at first use); every module naming them defers its annotations.
FloatArray: TypeAlias = "npt.NDArray[np.float64]"
IntArray: TypeAlias = "npt.NDArray[np.int64]"
SidArray: TypeAlias = "npt.NDArray[np.bytes_]"  # dtype S12


def sid_list(sids: SidArray) -> list[bytes]:
    """The ids as 12-byte strings. numpy's ``S12`` drops trailing NUL bytes when it hands out Python
    bytes, so a plain ``tolist()`` would lose them for one series in 256."""
    return [s.ljust(12, b"\x00") for s in sids.tolist()]


SourceArray: TypeAlias = "npt.NDArray[np.uint32]"


@dataclass(frozen=True)
class SampleFrame:
    """Samples of several series. Rows are in write order: a later row wins over an earlier one at the same time.

    ``series`` indexes the list of series the frame was read for, ``times`` are epoch seconds,
    ``values`` the six columns.
    """

    series: IntArray
    times: IntArray
    values: FloatArray
    # Which write each row came from (service-side aggregation combines rows of different writes and
    # must not count one write twice); None when unknown, which reads as source 0.
    sources: SourceArray | None = None

    @classmethod
    def empty(cls) -> SampleFrame:
        return cls(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty((0, 6), dtype=np.float64))

    def source_ids(self) -> SourceArray:
        return self.sources if self.sources is not None else np.zeros(len(self.times), dtype=np.uint32)

    @classmethod
    def concat(cls, frames: list[SampleFrame]) -> SampleFrame:
        if not frames:
            return cls.empty()
        if len(frames) == 1:
            return frames[0]
        return cls(
            np.concatenate([f.series for f in frames]),
            np.concatenate([f.times for f in frames]),
            np.concatenate([f.values for f in frames]),
            np.concatenate([f.source_ids() for f in frames]) if any(f.sources is not None for f in frames) else None,
        )

    def __len__(self) -> int:
        return len(self.times)

    def select(self, mask: npt.NDArray[np.bool_] | IntArray) -> SampleFrame:
        """Rows by boolean mask or by index array."""
        sources = self.sources[mask] if self.sources is not None else None
        return SampleFrame(self.series[mask], self.times[mask], take_rows(self.values, mask), sources)


def take_rows(values: FloatArray, rows: npt.NDArray[np.bool_] | IntArray) -> FloatArray:
    """``values[rows]``, kept column-major: the engine reduces column by column, and numpy's fancy
    indexing would hand back a row-major array whose columns are strided (2-3× slower to reduce)."""
    out = np.empty((int(rows.sum()) if rows.dtype == np.bool_ else len(rows), values.shape[1]), order="F")
    for j in range(values.shape[1]):
        out[:, j] = values[:, j][rows]
    return out


def from_values(values: FloatArray) -> FloatArray:
    """Six-column rows for plain values."""
    out = np.empty((len(values), 6), dtype=np.float64, order="F")  # column-major: the engine reduces by column
    out[:, COUNT] = 1.0
    out[:, SUM] = values
    out[:, MIN] = values
    out[:, MAX] = values
    out[:, LAST] = values
    with np.errstate(over="ignore"):  # a square past float64's range is inf, as the engine's sums would be
        out[:, SUMSQ] = values * values
    return out


def sumsq_from_stddev(count: float, total: float, stddev: float | None) -> float:
    """Σx² of a summary from its population stddev (0 when not given): n·(σ² + μ²)."""
    if count <= 0:
        return 0.0
    if not stddev:
        return total * total / count  # exactly what the codecs subtract, so it stores as zero
    mean = total / count
    return count * (stddev * stddev + mean * mean)
