"""Alert evaluation: DynamoDB requests of one tick and its evaluation CPU (1,000 conditions over 100 metrics).

Each of 100 metrics has 5 series (hosts) with a sample a minute for the last 10 minutes; 10 alerts per
metric hold one condition each (above / below with and without duration, absent, derivative, grouped
tag filters), so every metric is named by 10 conditions. The tick's series reads are counted (one per metric,
shared by its conditions), and so are the DynamoDB requests behind them at botocore (Query, GetItem,
BatchGetItem); the evaluation CPU is ``judge_all`` on the tick's reads, held in memory.
"""

import os
from collections.abc import Callable
from typing import Any

from bench.storage import local_aws, post

METRICS = int(os.environ.get("BENCH_ALERT_METRICS", "100"))
HOSTS = 5
MINUTES = 10
READ_OPERATIONS = ("Query", "GetItem", "BatchGetItem", "Scan")


def _conditions(metric: str) -> list[dict[str, Any]]:
    hosts = [{"name": "host", "values": ["web-*"], "grouped": False}]
    return [
        {"type": "above", "metric_name": metric, "threshold": 90},
        {"type": "above", "metric_name": metric, "threshold": 50, "duration": 300},
        {"type": "below", "metric_name": metric, "threshold": 5},
        {"type": "below", "metric_name": metric, "threshold": 1, "duration": 120, "summary_function": "min"},
        {"type": "absent", "metric_name": metric, "duration": 300},
        {
            "type": "above",
            "metric_name": metric,
            "threshold": 10,
            "summary_function": "derivative",
            "detect_reset": True,
        },
        {"type": "above", "metric_name": metric, "threshold": 70, "tags": hosts},
        {"type": "above", "metric_name": metric, "threshold": 60, "tags": [{**hosts[0], "grouped": True}]},
        {"type": "above", "metric_name": metric, "threshold": 95, "summary_function": "max", "tags": hosts},
        {"type": "below", "metric_name": metric, "threshold": 20, "summary_function": "average", "duration": 180},
    ]


class CountingRequests:
    """Counts DynamoDB read requests made through any botocore client (boto3 and PynamoDB alike)."""

    def __init__(self) -> None:
        import botocore.client

        self.calls: dict[str, int] = {}
        self._cls = botocore.client.BaseClient
        self._real = self._cls._make_api_call

    def __enter__(self) -> "CountingRequests":
        real, calls = self._real, self.calls

        def counted(client: Any, operation: str, params: Any) -> Any:
            calls[operation] = calls.get(operation, 0) + 1
            return real(client, operation, params)

        self._cls._make_api_call = counted  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        self._cls._make_api_call = self._real  # type: ignore[method-assign]

    @property
    def reads(self) -> int:
        return sum(n for op, n in self.calls.items() if op in READ_OPERATIONS)


def run(median_seconds: Callable[[Callable[[], Any], int], float]) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    import time

    from polymetric.domain import alert_rules as rules
    from polymetric.domain import evaluation
    from polymetric.models.alert import Alert
    from polymetric.storage import alert_state
    from polymetric.storage import alerts as store
    from polymetric.storage.alerts import AlertItem
    from polymetric.storage.tables import bound

    with local_aws() as tenant:
        now = int(time.time()) // 60 * 60
        for m in range(METRICS):
            body = {
                "measurements": [
                    {
                        "name": f"bench.alert.m{m}",
                        "value": 40 + (m + h + i) % 30,
                        "time": now - 60 * i,
                        "tags": {"host": f"web-{h}"},
                    }
                    for h in range(HOSTS)
                    for i in range(MINUTES)
                ]
            }
            post(tenant, body)
        # The alerts are validated as POST /v1/alerts does, but stored in batches: moto's transactions copy
        # the whole table each (minutes for 1,000 alerts), and storing them is not what is measured.
        created = []
        for m in range(METRICS):
            for i, condition in enumerate(_conditions(f"bench.alert.m{m}")):
                doc = {"name": f"bench.alert.{m}.{i}", "conditions": [condition]}
                ids = iter(range(len(created) * 2 + 1, len(created) * 2 + 3))
                conditions = rules.conditions(doc["conditions"], set(), ids.__next__)
                # Tracking starts with the alert: judge as if the alerts were an hour old.
                created.append(Alert(next(ids), doc["name"], conditions, created_at=now - 3600, updated_at=now - 3600))
        with bound(AlertItem).batch_write() as batch:
            for alert in created:
                batch.save(store._to_item(tenant, alert))
        listed = store.list_alerts(tenant)
        conditions = sum(len(a.conditions) for a in listed)
        with CountingRequests() as counted:
            data = evaluation.Reads(tenant, listed, now)
            states = alert_state.all_states(tenant)
            steps = evaluation.judge_all(listed, states, data, now)
        fired = sum(1 for _, _, step in steps if step.kind == "trigger")
        seconds = median_seconds(lambda: evaluation.judge_all(listed, states, data, now), 5)
    results = {
        "alert_tick_conditions": conditions,
        # Series reads of the query engine (one per metric and tick, shared by its 10 conditions) ...
        "alert_tick_queries_1000_conditions": data.count,
        # ... and the DynamoDB requests behind them (registry, slabs of open hours, blocks per series).
        "alert_tick_dynamodb_reads_1000_conditions": counted.reads,
        "alert_tick_ms_1000_conditions": round(seconds * 1000, 1),
        "alert_tick_alerts_fired": fired,
        "alert_tick_requests_by_operation": dict(sorted(counted.calls.items())),
    }
    rows = [
        (
            "alert tick: series reads (1,000 conditions, 100 metrics)",
            str(data.count),
            f"{conditions} one per condition",
        ),
        ("alert tick: DynamoDB read requests behind them", str(counted.reads), "–"),
        ("alert tick: evaluation ms (storage in memory)", f"{seconds * 1000:.0f}", "–"),
    ]
    return results, rows
