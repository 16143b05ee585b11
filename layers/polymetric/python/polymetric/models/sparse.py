"""A metric's sparse-data strategy (CloudWisdom ``sparseDataStrategy``) and the lifetime facts it needs."""

from dataclasses import dataclass, replace

NONE = "None"
ZERO = "ReplaceWithZero"
HISTORICAL_MAX = "ReplaceWithHistoricalMax"
HISTORICAL_MIN = "ReplaceWithHistoricalMin"
LAST = "ReplaceWithLast"
STRATEGIES = (NONE, ZERO, HISTORICAL_MAX, HISTORICAL_MIN, LAST)


@dataclass(frozen=True)
class Observation:
    """One stored sample as the strategies see it: its time (s), lowest, highest and last value."""

    time: int
    low: float
    high: float
    last: float


@dataclass(frozen=True)
class SparseSetting:
    """Strategy of one metric plus its lifetime minimum, maximum, last value and first sample time."""

    metric: str
    strategy: str = NONE
    high: float | None = None
    low: float | None = None
    last: float | None = None
    last_time: int | None = None
    since: int | None = None

    def observe(self, observations: list[Observation]) -> "SparseSetting":
        if not observations:
            return self
        latest = max(observations, key=lambda o: o.time)
        take_last = self.last_time is None or latest.time >= self.last_time
        return replace(
            self,
            high=max([o.high for o in observations] + ([self.high] if self.high is not None else [])),
            low=min([o.low for o in observations] + ([self.low] if self.low is not None else [])),
            last=latest.last if take_last else self.last,
            last_time=latest.time if take_last else self.last_time,
            since=min([o.time for o in observations] + ([self.since] if self.since is not None else [])),
        )
