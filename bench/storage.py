"""Write units per 1,000 samples for the three POST shapes, bytes per sample, items read per query (moto)."""

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from moto import mock_aws

from bench.datasets import SHAPES, measurements_body
from polymetric.dialects.appoptics.measurements import parse
from polymetric.domain import ingest, query, tenants
from polymetric.models.tenant import Role
from polymetric.query.tags import TagFilter
from polymetric.storage import batch, capacity, clients

HOUR = 3600


@contextmanager
def local_aws() -> Iterator[str]:
    """moto with the template's tables; yields a fresh tenant."""
    from bench.__main__ import REPO
    from polymetric_local.resources import create_resources
    from polymetric_local.template import load_template

    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1")
    with mock_aws():
        template = load_template(REPO / "template.yaml")
        resources = create_resources(template)
        os.environ.update(resources.env_for(next(iter(template.functions.values()))))
        clients.reset()
        tenant = tenants.create_org("bench")
        tenants.create_token(tenant, Role.ADMIN, "bench")
        yield tenant
    clients.reset()


def scan(table: str) -> dict[tuple[str, str], dict[str, Any]]:
    client = boto3.client("dynamodb", region_name="us-east-1")
    out = {}
    for page in client.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            out[(item["pk"]["S"], item["sk"]["S"])] = item
    return out


class CountingWrites:
    def __init__(self) -> None:
        self.requests = 0
        self._real = batch.write

    def __enter__(self) -> "CountingWrites":
        def counted(table: str, puts: Any = (), deletes: Any = ()) -> int:
            calls = self._real(table, puts, deletes)
            self.requests += calls
            return calls

        batch.write = counted  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        batch.write = self._real  # type: ignore[assignment]


def post(tenant: str, body: dict[str, Any]) -> None:
    import json

    parsed = parse(json.dumps(body).encode(), now=int(time.time()))
    ingest.accept(tenant, parsed.accepted, total=parsed.total, errors=parsed.errors)


def write_cost(shape: str, tenant: str) -> dict[str, float]:
    """Steady state: the second POST of the hour (metrics, series and the hour are known by then).

    Also used by tests/integration/test_write_capacity.py, which asserts the counts.
    """
    start = int(time.time()) // HOUR * HOUR - 2 * HOUR
    settings = clients.get_settings()
    post(tenant, measurements_body(shape, time=start))
    before = {**scan(settings.SAMPLES_TABLE), **scan(settings.META_TABLE)}
    with CountingWrites() as counter:
        post(tenant, measurements_body(shape, time=start + 60, seed=8))
    after = {**scan(settings.SAMPLES_TABLE), **scan(settings.META_TABLE)}
    new = [item for key, item in after.items() if key not in before]
    slabs = [i for i in new if "d" in i]
    return {
        "items": len(new),
        "requests": counter.requests,
        "wcu": capacity.write_units(new),
        "billed_bytes_per_sample": capacity.billed_bytes(slabs) / 1000,
        "item_bytes_per_sample": sum(capacity.item_size(i) for i in slabs) / 1000,
    }


def items_read(series: int, days: int, resolution: int) -> tuple[int, float]:
    """POST a minute of data per series for every minute of ``days`` days (one POST per hour), then read it."""
    end = int(time.time()) // HOUR * HOUR - HOUR
    start = end - days * 86400
    with local_aws() as tenant:
        for hour in range(start, end, HOUR):
            post(
                tenant,
                {
                    "measurements": [
                        {
                            "name": "read.metric",
                            "value": float(minute % 17),
                            "time": hour + 60 * minute,
                            "tags": {"host": f"h{s:03d}"},
                        }
                        for s in range(series)
                        for minute in range(60)
                    ]
                },
            )
        q = query.MeasurementsQuery(
            name="read.metric",
            start=start,
            end=end - 1,
            resolution=resolution,
            tags=TagFilter(),
            group_by=("*",) if series > 1 else (),
            group_by_function="sum" if series > 1 else None,
        )
        t = time.perf_counter()
        result = query.measurements(tenant, q)
        elapsed = (time.perf_counter() - t) * 1000
        return result.items_read, elapsed


def run(_: Callable[[Callable[[], Any], int], float]) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    results: dict[str, Any] = {}
    rows: list[tuple[str, str, str]] = []
    for shape in SHAPES:
        with local_aws() as tenant:
            cost = write_cost(shape, tenant)
        key = "per_host" if shape == "per_host" else shape
        results[f"wcu_per_1000_samples_{key}"] = cost["wcu"]
        results[f"hot_items_per_post_{key}"] = cost["items"]
        results[f"batch_requests_per_post_{key}"] = cost["requests"]
        if shape == "aggregator":
            results["billed_bytes_per_sample_hot"] = round(cost["billed_bytes_per_sample"], 2)
        metrics, series = SHAPES[shape]
        rows.append(
            (
                f"WCU / 1,000 samples, {shape} POST ({metrics}×{series})",
                f"{cost['wcu']:.0f}",
                f"1000 item per sample ({cost['items']:.0f} items, {cost['requests']:.0f} BatchWriteItem)",
            )
        )
    rows.append(
        (
            "billed B / sample, hot slabs (aggregator)",
            f"{results['billed_bytes_per_sample_hot']:.1f}",
            "153.6 item per sample",
        )
    )
    for series, days, resolution, key in (
        (1, 1, 60, "items_read_1series_1day_60"),
        (1, 7, 3600, "items_read_1series_1week_3600"),
        (100, 1, 3600, "items_read_100series_1day_3600"),
    ):
        count, ms = items_read(series, days, resolution)
        results[key] = count
        samples = series * days * 1440
        rows.append(
            (
                f"items read, {series} series × {days} d @{resolution}",
                f"{count}",
                f"{samples} item per sample ({ms:.0f} ms under moto)",
            )
        )
    return results, rows
