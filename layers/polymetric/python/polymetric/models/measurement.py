"""A measurement as every dialect hands it to ingest (``domain.ingest.write``)."""

from typing import Any, NamedTuple


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
