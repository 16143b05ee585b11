"""stddev_m2 as Librato documents it, and as statsd-librato-backend sends it (a sample stddev)."""

import json
import math
import statistics

import pytest

from polymetric.dialects import stddev_m2
from polymetric.dialects.appoptics import measurements
from polymetric.dialects.librato import requests as legacy

VALUES = [12.0, 3.0, 7.0, 1.0, 9.0, 4.0, 10.0, 2.0, 8.0, 5.0]
NOW = 1_790_000_000
STATSD_UA = "statsd-librato-backend/2.0.16"


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [(STATSD_UA, True), ("statsd-librato-backend/unknown", True), ("librato-metrics/3.1", False), (None, False)],
)
def test_the_backend_is_known_by_its_user_agent(user_agent: str | None, expected: bool) -> None:
    assert stddev_m2.sends_sample_stddev(user_agent) is expected


def test_a_sample_stddev_becomes_the_population_stddev_statsd_reports() -> None:
    sample = statistics.stdev(VALUES)
    got = stddev_m2.population_stddev(sample, len(VALUES), sample_stddev=True)
    assert math.isclose(got, statistics.pstdev(VALUES))
    assert stddev_m2.population_stddev(0.0, 1, sample_stddev=True) == 0.0


def test_librato_m2_is_the_sum_of_squared_deviations() -> None:
    mean = statistics.fmean(VALUES)
    m2 = sum((v - mean) ** 2 for v in VALUES)
    assert math.isclose(stddev_m2.population_stddev(m2, len(VALUES), sample_stddev=False), statistics.pstdev(VALUES))


def _timer() -> dict[str, object]:
    sample = statistics.stdev(VALUES)
    return {"name": "t", "count": len(VALUES), "sum": sum(VALUES), "min": 1, "max": 12, "stddev_m2": sample}


def test_measurements_post_reads_the_backend_s_stddev_m2_as_a_sample_stddev() -> None:
    body = json.dumps({"tags": {"h": "a"}, "measurements": [_timer()]})
    [from_statsd] = measurements.parse(body, now=NOW, user_agent=STATSD_UA).accepted
    [from_other] = measurements.parse(body, now=NOW, user_agent="curl/8").accepted
    assert from_statsd.summary is not None and from_other.summary is not None
    assert math.isclose(from_statsd.summary[5] or 0.0, statistics.pstdev(VALUES))
    assert math.isclose(from_other.summary[5] or 0.0, math.sqrt(statistics.stdev(VALUES) / len(VALUES)))


def test_legacy_gauges_read_the_backend_s_stddev_m2_as_a_sample_stddev() -> None:
    doc = {"source": "web-1", "gauges": [_timer()]}
    [from_statsd] = legacy.parse(doc, now=NOW, user_agent=STATSD_UA)
    [from_other] = legacy.parse(doc, now=NOW)
    assert from_statsd.summary is not None and from_other.summary is not None
    assert math.isclose(from_statsd.summary[5] or 0.0, statistics.pstdev(VALUES))
    assert math.isclose(from_other.summary[5] or 0.0, math.sqrt(statistics.stdev(VALUES) / len(VALUES)))
