"""A measurement as every dialect hands it to ingest (``domain.ingest.write``)."""

from collections.abc import Iterator, Sequence
from itertools import repeat
from typing import Any, NamedTuple, overload

# Every dialect stores numbers up to this magnitude (AppOptics: exponents above 10^126 are refused) and
# stores 0 < |x| < TINY as 0.0.
HUGE = 1e126
TINY = 1e-130


class Measurement(NamedTuple):
    """One accepted measurement, normalised: tags as written, integer time, plain value or summary.

    A NamedTuple, not a frozen dataclass: it is built once per measurement on the ingest hot path.
    ``properties`` (period, attributes, display_name, description) apply when the metric is created.
    """

    name: str
    tags: dict[str, str]
    time: int
    value: float | None
    summary: tuple[float, float, float, float, float, float | None] | None  # count, sum, min, max, last, stddev
    properties: dict[str, Any]
    position: int = 0  # index in the request, for error reports


Summary = tuple[float, float, float, float, float, float | None]
_new = tuple.__new__


class MeasurementBatch(Sequence[Measurement]):
    """Accepted measurements as columns, one list per field of ``Measurement``, all of one length.

    What the AppOptics reader builds from a valid body and what ``domain.ingest`` reads: a batch of 1,000
    costs a few list operations in C instead of 1,000 tuples made one by one. Code that wants a
    ``Measurement`` gets one (indexing, iteration); slicing gives a batch.
    """

    __slots__ = ("names", "positions", "properties", "summaries", "tags", "times", "values")

    def __init__(
        self,
        names: list[str],
        tags: list[dict[str, str]],
        times: list[int],
        values: list[float | None],
        summaries: list[Summary | None],
        properties: list[dict[str, Any]],
        positions: list[int],
    ) -> None:
        self.names, self.tags, self.times, self.values = names, tags, times, values
        self.summaries, self.properties, self.positions = summaries, properties, positions

    @classmethod
    def of(cls, measurements: Sequence[Measurement]) -> "MeasurementBatch":
        """The batch of any sequence of measurements (itself when it is one)."""
        if isinstance(measurements, MeasurementBatch):
            return measurements
        if not measurements:
            return cls([], [], [], [], [], [], [])
        names, tags, times, values, summaries, properties, positions = map(list, zip(*measurements, strict=True))
        return cls(names, tags, times, values, summaries, properties, positions)

    def _columns(self) -> tuple[list[Any], ...]:
        return self.names, self.tags, self.times, self.values, self.summaries, self.properties, self.positions

    def __len__(self) -> int:
        return len(self.names)

    @overload
    def __getitem__(self, index: int) -> Measurement: ...

    @overload
    def __getitem__(self, index: slice) -> "MeasurementBatch": ...

    def __getitem__(self, index: int | slice) -> "Measurement | MeasurementBatch":
        if isinstance(index, slice):
            return MeasurementBatch(*(column[index] for column in self._columns()))
        return Measurement(*(column[index] for column in self._columns()))

    def __iter__(self) -> Iterator[Measurement]:
        return map(_new, repeat(Measurement), zip(*self._columns(), strict=True))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"MeasurementBatch({list(self)!r})"
