"""Parse + validate a 1,000-measurement POST body: ours (pydantic-core from bytes) against json + BaseModel.

The baseline applies the rules of storage-and-performance.md §2.1 (name and tag patterns, length limits,
the 50-tag limit, |x| <= 1e126, value or count and sum) the plain way: json.loads, then a BaseModel with a
Python validator per measurement.
"""

import json
import math
import statistics
import time
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, model_validator

from bench.datasets import measurements_bytes
from polymetric.dialects.appoptics.measurements import parse
from polymetric.models.tags import MAX_TAGS, TAG_NAME_CHARS, TAG_NAME_MAX, TAG_VALUE_CHARS, TAG_VALUE_MAX

_Tags = Annotated[
    dict[
        Annotated[str, StringConstraints(pattern=rf"^{TAG_NAME_CHARS}+$", max_length=TAG_NAME_MAX)],
        Annotated[str, StringConstraints(pattern=rf"^{TAG_VALUE_CHARS}+$", max_length=TAG_VALUE_MAX)],
    ],
    Field(max_length=MAX_TAGS),
]


class _Measurement(BaseModel):
    name: str = Field(pattern=r"^[A-Za-z0-9.:\-_]+$", max_length=255)
    value: float | None = None
    count: float | None = None
    sum: float | None = None
    min: float | None = None
    max: float | None = None
    last: float | None = None
    time: float | None = None
    tags: _Tags = {}

    @model_validator(mode="after")
    def value_or_summary(self) -> "_Measurement":
        if (self.value is None) == (self.count is None or self.sum is None):
            raise ValueError("value xor count+sum")
        for x in (self.value, self.count, self.sum, self.min, self.max, self.last):
            if x is not None and (not math.isfinite(x) or abs(x) > 1e126):
                raise ValueError("out of range")
        self.tags = {k.lower(): v.lower() for k, v in self.tags.items()}
        return self


class _Payload(BaseModel):
    measurements: list[_Measurement]
    tags: _Tags = {}


def interleaved_medians(ours: Callable[[], Any], base: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median CPU seconds of each, run turn about so that on a shared machine both see the same load.

    Each timed call follows an untimed call of the same function: otherwise a call pays for reshaping
    the allocator's arenas after the other one (the baseline frees far more objects than ours).
    """
    runs: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, out in ((ours, runs[0]), (base, runs[1])):
            fn()
            t = time.process_time()
            fn()
            out.append(time.process_time() - t)
    return statistics.median(runs[0]), statistics.median(runs[1])


Rows = list[tuple[str, str, str]]


def run(_median_seconds: Callable[[Callable[[], Any], int], float]) -> tuple[dict[str, Any], Rows]:
    now = int(time.time())
    body = measurements_bytes("aggregator", time=now)
    n = 1000
    assert len(parse(body, now=now).accepted) == n
    seconds = interleaved_medians(lambda: parse(body, now=now), lambda: _Payload.model_validate(json.loads(body)), 60)
    ours, base = (s / n * 1e6 for s in seconds)
    results = {
        "validate_us_per_measurement": round(ours, 3),
        "validate_baseline_us_per_measurement": round(base, 3),
        "validate_ratio": round(base / ours, 2),
    }
    rows = [
        (
            f"validate µs / measurement (1,000, {len(body)} B)",
            f"{ours:.2f}",
            f"{base:.2f} json.loads + BaseModel ({base / ours:.1f}×)",
        )
    ]
    return results, rows
