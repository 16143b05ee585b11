"""Write and read costs, counted from the exact items under moto (timings are only in `make bench`)."""

import time

import pytest

from bench.datasets import SHAPES
from bench.storage import post, write_cost
from polymetric.domain import query
from polymetric.query.tags import TagFilter
from polymetric.storage import keys
from tests.conftest import Org


@pytest.mark.parametrize(
    ("shape", "max_items", "max_wcu", "max_requests"),
    [
        ("aggregator", 10, 40, 2),
        ("per_host", 250, 260, 10),
        ("worst", 1000, 1000, 40),
    ],
)
def test_hot_path_writes_one_item_per_metric_hour(
    org: Org, shape: str, max_items: int, max_wcu: int, max_requests: int
) -> None:
    cost = write_cost(shape, org.tenant)
    metrics, _ = SHAPES[shape]
    assert cost["items"] == metrics <= max_items
    assert cost["wcu"] <= max_wcu
    assert cost["requests"] <= max_requests
    assert cost["wcu"] <= 1.01 * 1000


def test_aggregator_slabs_store_few_bytes_per_sample(org: Org) -> None:
    assert write_cost("aggregator", org.tenant)["billed_bytes_per_sample"] < 25


def test_one_day_query_reads_one_item_per_hour(org: Org) -> None:
    end = int(time.time()) // 3600 * 3600 - 3600
    start = end - 86400
    for hour in range(start, end, 3600):
        post(
            org.tenant,
            {
                "measurements": [
                    {"name": "day", "value": 1.0, "time": hour + 60 * m, "tags": {"h": "a"}} for m in range(60)
                ]
            },
        )
    result = query.measurements(
        org.tenant, query.MeasurementsQuery(name="day", start=start, end=end - 1, resolution=60, tags=TagFilter())
    )
    assert result.items_read == 24
    assert sum(len(s.points) for s in result.series) == 1440
    assert keys.hour_of(start) == start
