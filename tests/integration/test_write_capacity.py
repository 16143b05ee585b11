"""Write and read costs, counted from the exact items under moto (timings are only in `make bench`).

Live shapes run at a reduced scale with the per-item economics of the full shapes (see
bench.storage.LIVE_SHAPES): items per POST per metric and samples per series-hour are the same.
"""

import pytest

from bench.datasets import SHAPES
from bench.storage import LIVE_SHAPES, items_read_in, live_cost, write_cost
from tests.conftest import Org


@pytest.mark.parametrize(
    ("shape", "max_items", "max_wcu", "max_requests"),
    [("aggregator", 10, 40, 2), ("per_host", 250, 260, 10)],  # worst (1,000 × 1): make bench
)
def test_a_post_writes_one_item_per_metric_hour(
    org: Org, shape: str, max_items: int, max_wcu: int, max_requests: int
) -> None:
    cost = write_cost(shape, org.tenant)
    metrics, _ = SHAPES[shape]
    assert cost["items"] == metrics <= max_items
    assert cost["wcu"] <= max_wcu
    assert cost["requests"] <= max_requests


@pytest.mark.parametrize(
    ("shape", "max_wcu_per_1000"),
    [
        ("aggregator", 75),
        ("per_host", 300),
        # 1,000 metrics of one series: a slab per POST, a block and a rollup per metric-hour, and the
        # round's share (a HEAD per hour, a mark per chunk of metrics): never above 1.05 per sample.
        ("worst", 1050),
    ],
)
def test_live_traffic_plus_compaction_write_units(org: Org, shape: str, max_wcu_per_1000: float) -> None:
    metrics, series = LIVE_SHAPES[shape]
    cost = live_cost(org.tenant, metrics, series)
    assert cost["total"] <= max_wcu_per_1000
    assert cost["billed_bytes_per_sample"] <= 8


@pytest.mark.parametrize(("interval", "max_wcu_per_1000"), [(60, 75), (300, 300)])
def test_full_precision_floats_and_series_churn_write_units(org: Org, interval: int, max_wcu_per_1000: float) -> None:
    """Issue #15's workload: full-precision floats, a tenth of the series replaced every 10 minutes (at 60 s).
    Chunks of hour blocks and a daily fold of the rollups keep it under the goal (one item per series-hour
    and a rollup item rewritten every hour cost 100 WCU per 1,000 samples)."""
    metrics, series = LIVE_SHAPES["aggregator"]
    cost = live_cost(org.tenant, metrics, series, interval=interval, floats=True, churn=interval == 60)
    assert cost["total"] <= max_wcu_per_1000


@pytest.mark.parametrize(
    ("series", "days", "resolution", "max_items"),
    [(1, 7, 3600, 8), (1, 1, 60, 24), (10, 1, 3600, 10)],
)
def test_reads_touch_few_items(org: Org, series: int, days: int, resolution: int, max_items: int) -> None:
    count, _ = items_read_in(org.tenant, series, days, resolution)
    assert count <= max_items
