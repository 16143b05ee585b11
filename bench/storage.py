"""Write units per 1,000 samples for the three POST shapes, bytes per sample, items read per query (moto)."""

import json
import math
import os
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from moto import mock_aws

from bench.datasets import SHAPES, measurements_body
from bench.meter import ReadMeter, Replay
from polymetric.dialects.appoptics.measurements import parse
from polymetric.domain import compaction, folding, ingest, query, tenants
from polymetric.models.query import MeasurementsQuery
from polymetric.models.tags import TagFilter
from polymetric.models.tenant import Role
from polymetric.observability import metrics as powertools_metrics
from polymetric.storage import batch, cache, capacity, clients, keys

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
    """One POST as the handler runs it. Its metrics are dropped as the handler's flush would: Powertools
    prints the set unasked once a metric holds 100 values, which a long bench run would reach."""
    parsed = parse(json.dumps(body).encode(), now=int(time.time()))
    ingest.accept(tenant, parsed.accepted, total=parsed.total, errors=parsed.errors)
    powertools_metrics.clear_metrics()


def write_cost(shape: str, tenant: str) -> dict[str, float]:
    """Steady state: the second POST of the hour (metrics, series and the hour are known by then).

    Also used by tests/integration/test_write_capacity.py, which asserts the counts.
    """
    start = int(time.time()) // HOUR * HOUR  # the open hour, as live traffic
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


class Recorder:
    """Every item written (BatchWriteItem puts), update and conditional delete made while active.

    Index writes are billed too: a put of an item carrying PendingIndex keys (an HOURS item) writes
    the index, and deleting one (the compactor's conditional delete) removes its index entry.
    """

    def __init__(self) -> None:
        self.puts: list[dict[str, Any]] = []
        self.deletes = 0
        self.updates = 0
        self._write, self._delete_if, self._update_if = batch.write, batch.delete_if, batch.update_if

    def __enter__(self) -> "Recorder":
        def write(table: str, puts: Any = (), deletes: Any = ()) -> int:
            self.puts.extend(puts)
            self.deletes += len(deletes)
            return self._write(table, puts, deletes)

        def delete_if(*args: Any) -> bool:
            self.deletes += 2  # the HOURS item and its PendingIndex entry
            return self._delete_if(*args)

        def update_if(*args: Any, **kwargs: Any) -> bool:
            self.updates += 1  # small items (an organization's watermarks): 1 WCU
            return self._update_if(*args, **kwargs)

        batch.write, batch.delete_if, batch.update_if = write, delete_if, update_if  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        batch.write, batch.delete_if, batch.update_if = self._write, self._delete_if, self._update_if  # type: ignore[assignment]

    @property
    def wcu(self) -> int:
        indexed = sum(1 for i in self.puts if "gpk" in i)  # keys-only index entries are < 1 KB
        return capacity.write_units(self.puts) + indexed + self.deletes + self.updates


def compact_all(now: float | None = None) -> int:
    """One compaction tick at ``now``, then every queued message through ``compaction.compact``."""
    queued = compaction.enqueue(now)
    sqs, url = clients.sqs(), clients.get_settings().COMPACTION_QUEUE_URL
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            compaction.compact(compaction.job_from_message(json.loads(message["Body"])), now)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return queued


def live_cost(
    tenant: str,
    metrics: int,
    series: int,
    summaries: float = 0.2,
    *,
    interval: int = 60,
    floats: bool = False,
    churn: bool = False,
) -> dict[str, float]:
    """One closed hour of live traffic (a POST every ``interval`` s, one sample per series each), then its
    compaction.

    Steady state: metrics and series are indexed by a POST earlier that day, not counted, except that the
    index is rewritten once per series and day: that cost is spread over the day's samples. The hour
    runs in a new container (per-container caches empty), and every read the POSTs make is priced
    (``hot_rcu``). Returns write units per 1,000 samples for the hot path, the compaction and both, and
    billed bytes per stored sample once the slabs expired (the hour's block chunks plus its rows in the day's
    rollup chunks).
    """
    # The current hour, as live traffic writes it (a past hour counts as late data and is costlier).
    hour = int(time.time()) // HOUR * HOUR
    with Recorder() as setup:
        post(tenant, shaped_body(metrics, series, hour, summaries, seed=0, floats=floats))
    compact_all()
    index_wcu = capacity.write_units(i for i in setup.puts if "#SER" in i["pk"]["S"] or "#TAG#" in i["pk"]["S"])
    cache.clear_all()
    posts = HOUR // interval
    with Recorder() as hot, ReadMeter() as reads:
        for n in range(posts):
            body = shaped_body(
                metrics, series, hour + interval * n, summaries, seed=n, floats=floats, churn=n // 10 if churn else 0
            )
            post(tenant, body)
    with Recorder() as compacted:
        compact_all(now=hour + 2 * HOUR)
        # The day's fold (at its hour 23, or now if this is it: then this finds it done).
        for m in range(metrics):
            folding.fold_through(tenant, f"live.m{m:04d}", keys.day_of(hour), hour + 2 * HOUR, None)
    samples_count = posts * metrics * series
    daily_index = index_wcu * 1000 / (metrics * series * 86400 / interval)
    blocks = [i for i in compacted.puts if _tier(i) == "B"]
    rollups = [i for i in compacted.puts if _tier(i) == "R"]
    fold_bytes, fold_wcu = day_share(rollups)
    compaction_wcu = compacted.wcu - capacity.write_units(rollups) + fold_wcu
    stored = capacity.billed_bytes(blocks) + fold_bytes
    return {
        "hot": hot.wcu * 1000 / samples_count + daily_index,
        "compaction": compaction_wcu * 1000 / samples_count,
        "total": (hot.wcu + compaction_wcu) * 1000 / samples_count + daily_index,
        "billed_bytes_per_sample": stored / samples_count,
        "hot_rcu": reads.rcu * 1000 / samples_count,
        "samples": samples_count,
    }


def day_share(rollups: list[dict[str, Any]]) -> tuple[float, float]:
    """Bytes stored and write units of a day's fold that are this hour's, from the fold of a day holding
    this hour only: its rows in full, and 1/24 of the keys, attributes and overhead of the items (and of
    the write units of the day's items, projected to hold 24 such hours). The fold of one hour alone
    would overstate both 24 times for metrics with a series or two."""
    stored = written = 0.0
    for item in rollups:
        rows = len(item["d"]["B"])
        rest = capacity.item_size(item) - rows
        stored += rows + (rest + capacity.STORAGE_OVERHEAD) / 24
        written += math.ceil((rest + 24 * rows) / 1024) / 24
    return stored, written


def _tier(item: dict[str, Any]) -> str:
    """``B`` for a chunk of hour blocks, ``R`` for a chunk of a day's rollups (``storage.keys``), else ``""``."""
    kind = item["pk"]["S"].split("#")[4:5]
    return kind[0] if kind in (["B"], ["R"]) else ""


def shaped_body(
    metrics: int, series: int, t: int, summaries: float, seed: int, floats: bool = False, churn: int = 0
) -> dict[str, Any]:
    """``floats``: full-precision values (a ratio, a mean), not short decimals. ``churn``: every tenth
    series takes a new tag value each time it changes (a pod or deploy id), so the index keeps growing."""
    rnd = random.Random(seed)
    out = []
    for m in range(metrics):
        for s in range(series):
            host = f"h{s:03d}" + (f"-{churn}" if churn and s % 10 == 0 else "")
            item: dict[str, Any] = {"name": f"live.m{m:04d}", "time": t, "tags": {"host": host}}
            if (m * series + s) % int(1 / summaries if summaries else 10**9) == 0:
                count = rnd.randint(1, 20)
                mean = rnd.uniform(1, 300) if floats else round(rnd.uniform(1, 300), 3)
                lo, hi = (mean * rnd.uniform(0.3, 1), mean * rnd.uniform(1, 3)) if floats else (mean / 2, mean * 2)
                item.update(count=count, sum=mean * count, min=lo, max=hi)
                if not floats:
                    item.update(sum=round(mean * count, 3), min=round(lo, 3), max=round(hi, 3))
            elif s % 2:
                gauge = 50 + rnd.gauss(0, 5)
                item["value"] = gauge if floats else round(gauge, 1)  # a percentage-like gauge
            else:
                count = rnd.randint(0, 500)
                item["value"] = count / 60 if floats else float(count)  # a rate per second, or a count
            out.append(item)
    return {"measurements": out}


def items_read(series: int, days: int, resolution: int) -> tuple[int, float]:
    with local_aws() as tenant:
        return items_read_in(tenant, series, days, resolution)


def items_read_in(tenant: str, series: int, days: int, resolution: int) -> tuple[int, float]:
    """POST a minute of data per series for every minute of ``days`` days (one POST per hour), compact, read it."""
    start, end = _populate(tenant, series, days)
    return _read(tenant, series, start, end, resolution)


def _populate(tenant: str, series: int, days: int) -> tuple[int, int]:
    # Whole days that ended at least two hours ago, so that every hour is compacted before the read.
    end = (int(time.time()) - 2 * HOUR) // 86400 * 86400
    start = end - days * 86400
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
    compact_all()
    return start, end


def _read(tenant: str, series: int, start: int, end: int, resolution: int) -> tuple[int, float]:
    q = MeasurementsQuery(
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


def read_with_latency(series: int = 100, latency: float = 0.005) -> dict[str, float]:
    """The 100-series group_by read with each chunk Query answered as DynamoDB would: after a network
    round trip (``latency``), not after moto's in-process work (which holds the GIL and grows with the
    table). The answers are the ones moto gave to a first read.
    """
    real = batch.edge_between
    answers: dict[tuple[Any, ...], Any] = {}

    def recorded(*args: Any, **kwargs: Any) -> Any:
        answers[(*args, *sorted(kwargs.items()))] = real(*args, **kwargs)
        return answers[(*args, *sorted(kwargs.items()))]

    def delayed(*args: Any, **kwargs: Any) -> Any:
        time.sleep(latency)
        return answers[(*args, *sorted(kwargs.items()))]

    out = {}
    with local_aws() as tenant:
        start, end = _populate(tenant, series, 1)
        batch.edge_between = recorded  # type: ignore[assignment]
        _read(tenant, series, start, end, 3600)
        batch.edge_between = delayed  # type: ignore[assignment]
        try:
            for concurrency in (1, clients.get_settings().READ_CONCURRENCY):
                os.environ["READ_CONCURRENCY"] = str(concurrency)
                clients.get_settings.cache_clear()
                out[str(concurrency)] = _read(tenant, series, start, end, 3600)[1]
        finally:
            batch.edge_between = real  # type: ignore[assignment]
            os.environ.pop("READ_CONCURRENCY", None)
            clients.get_settings.cache_clear()
    return out


LIVE_SHAPES = {
    # name: (metrics, series) at a scale moto runs in seconds; per-item economics are those of the
    # full shapes (10×100, 250×4, 1000×1): items per POST per metric and samples per series-hour match.
    "aggregator": (2, 100),
    "per_host": (10, 4),
    "worst": (30, 1),
}


def get_baseline_ms(series_week_samples: int = 10080) -> tuple[float, float]:
    """Time a full GET for 1 series × 1 week @3600 through the handler, and the item-per-sample Query alone."""
    from bench.__main__ import REPO
    from functions.measurements.app import lambda_handler
    from polymetric_local import partitions
    from polymetric_local.template import load_template

    template = load_template(REPO / "template.yaml")
    del template
    # As on DynamoDB, a Query costs its partition: plain moto walks the whole table for each one, so the
    # week of data written here (slabs, blocks, rollups) would slow our reads and not the baseline's table.
    partitions.install()
    end = (int(time.time()) - 2 * HOUR) // 86400 * 86400
    start = end - 7 * 86400
    with local_aws() as tenant:
        token = tenants.create_token(tenant, Role.VIEWER, "bench")
        for hour in range(start, end, HOUR):
            post(
                tenant,
                {
                    "measurements": [
                        {"name": "week", "value": float(m % 13), "time": hour + 60 * m, "tags": {"h": "a"}}
                        for m in range(60)
                    ]
                },
            )
        compact_all()
        event = _get_event(token, "week", start, end - 1)
        runs = []
        for _ in range(6):  # the first run pays this process's first imports and caches: a median of the rest
            t = time.perf_counter()
            reply = lambda_handler(event, _Context())
            runs.append((time.perf_counter() - t) * 1000)
            assert reply["statusCode"] == 200, reply["body"]
        ours = statistics.median(runs[1:])
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="item-per-sample",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "ts", "AttributeType": "N"},
            ],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "ts", "KeyType": "RANGE"}],
        )
        rows = [
            {
                "PutRequest": {
                    "Item": {"pk": {"S": "T#x#series"}, "ts": {"N": str(start + 60 * i)}, "v": {"N": str(i % 13)}}
                }
            }
            for i in range(series_week_samples)
        ]
        for i in range(0, len(rows), 25):
            client.batch_write_item(RequestItems={"item-per-sample": rows[i : i + 25]})
        paginator = client.get_paginator("query")
        baselines = []
        for _ in range(3):
            t = time.perf_counter()
            count = sum(
                len(page["Items"])
                for page in paginator.paginate(
                    TableName="item-per-sample",
                    KeyConditionExpression="pk = :pk",
                    ExpressionAttributeValues={":pk": {"S": "T#x#series"}},
                )
            )
            baselines.append((time.perf_counter() - t) * 1000)
            assert count == series_week_samples
        baseline = statistics.median(baselines)
    return ours, baseline


def handler_event(token: str, method: str, name: str | None, query_params: dict[str, str], body: Any = None) -> Any:
    """An API Gateway event for the measurements function, from the sample events in events/apigw."""
    import base64

    from bench.__main__ import REPO

    event = json.loads((REPO / f"events/apigw/measurements-{method.lower()}.json").read_text())
    if name is not None:
        event.update(path=f"/v1/measurements/{name}", pathParameters={"name": name})
    event.update(
        multiValueQueryStringParameters={k: [v] for k, v in query_params.items()} or None,
        queryStringParameters=query_params or None,
    )
    if body is not None:
        event.update(body=json.dumps(body), isBase64Encoded=False)
    event["headers"]["Authorization"] = "Basic " + base64.b64encode(f"{token}:".encode()).decode()
    return event


def big_post_status(count: int = 35_000) -> int:
    """POST ``count`` full-precision floats of one metric-hour, each its own series, through the handler."""
    from functions.measurements.app import lambda_handler

    rnd = random.Random(3)
    hour = int(time.time()) // HOUR * HOUR
    body = {
        "measurements": [
            {"name": "big", "value": rnd.random() * 100, "time": hour + i % 3600, "tags": {"host": f"h{i:06d}"}}
            for i in range(count)
        ]
    }
    with local_aws() as tenant:
        token = tenants.create_token(tenant, Role.RECORDER, "bench")
        reply = lambda_handler(handler_event(token, "POST", None, {}, body), _Context())
        powertools_metrics.clear_metrics()
    return int(reply["statusCode"])


def get_many_series(total: int, per_post: int = 25_000) -> tuple[float, float, dict[str, int]]:
    """A metric with ``total`` series ever seen (a third of them churned away two days ago), live data in
    the open hour: GET one series over the last hour through the handler. Returns RCU (every call priced),
    ms (each DynamoDB call answered after 5 ms: ``Replay``), and the calls made."""
    from functions.measurements.app import lambda_handler

    now = int(time.time())
    hour = now // HOUR * HOUR
    rnd = random.Random(5)
    with local_aws() as tenant:
        token = tenants.create_token(tenant, Role.VIEWER, "bench")
        gone = total // 3
        for first in range(0, total, per_post):
            when = now - 2 * 86400 if first < gone else hour
            post(
                tenant,
                {
                    "measurements": [
                        {"name": "wide", "value": rnd.random(), "time": when, "tags": {"host": f"h{i:06d}"}}
                        for i in range(first, min(first + per_post, total))
                    ]
                },
            )
        wanted = f"h{total - 7:06d}"
        post(tenant, {"measurements": [{"name": "wide", "value": 1.5, "time": now - 30, "tags": {"host": wanted}}]})
        event = handler_event(
            token,
            "GET",
            "wide",
            {"start_time": str(now - HOUR), "end_time": str(now), "resolution": "60", "tags[host]": wanted},
        )
        lambda_handler(event, _Context())  # warm: imports, clients
        tenants.forget_cached_tokens()
        with Replay() as replay:
            with ReadMeter() as reads:
                reply = lambda_handler(event, _Context())
            assert reply["statusCode"] == 200, reply["body"]
            assert len(json.loads(reply["body"])["series"]) == 1
            tenants.forget_cached_tokens()
            replay.replaying = True  # the same calls again, answered after 5 ms each as DynamoDB would
            t = time.perf_counter()
            reply = lambda_handler(event, _Context())
            ms = (time.perf_counter() - t) * 1000
    return reads.rcu, ms, reads.calls


class _Context:
    function_name = "bench"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id = "bench"


def _get_event(token: str, name: str, start: int, end: int) -> dict[str, Any]:
    import base64
    import json

    from bench.__main__ import REPO

    event = json.loads((REPO / "events/apigw/measurements-get.json").read_text())
    query_params = {"start_time": [str(start)], "end_time": [str(end)], "resolution": ["3600"]}
    event.update(
        path=f"/v1/measurements/{name}",
        pathParameters={"name": name},
        multiValueQueryStringParameters=query_params,
        queryStringParameters={k: v[0] for k, v in query_params.items()},
    )
    event["headers"]["Authorization"] = "Basic " + base64.b64encode(f"{token}:".encode()).decode()
    return event


def run(_: Callable[[Callable[[], Any], int], float]) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    results: dict[str, Any] = {}
    rows: list[tuple[str, str, str]] = []
    for shape, (metrics, series) in LIVE_SHAPES.items():
        with local_aws() as tenant:
            cost = live_cost(tenant, metrics, series)
        results[f"wcu_per_1000_samples_{shape}"] = round(cost["total"], 1)
        results[f"wcu_per_1000_samples_{shape}_hot"] = round(cost["hot"], 1)
        results[f"wcu_per_1000_samples_{shape}_compaction"] = round(cost["compaction"], 1)
        if shape == "aggregator":
            results["billed_bytes_per_sample"] = round(cost["billed_bytes_per_sample"], 2)
        full_metrics, full_series = SHAPES[shape]
        rows.append(
            (
                f"WCU / 1,000 live samples, {shape} ({full_metrics}×{full_series} shape)",
                f"{cost['total']:.1f}",
                f"1000 item per sample (hot {cost['hot']:.1f} + compaction {cost['compaction']:.1f})",
            )
        )
    for interval in (10, 60, 300):
        metrics, series = LIVE_SHAPES["aggregator"]
        with local_aws() as tenant:
            cost = live_cost(tenant, metrics, series, interval=interval, floats=True, churn=interval == 60)
        results[f"wcu_per_1000_samples_{interval}s"] = round(cost["total"], 1)
        results[f"billed_bytes_per_sample_{interval}s"] = round(cost["billed_bytes_per_sample"], 2)
        results[f"hot_rcu_per_1000_samples_{interval}s"] = round(cost["hot_rcu"], 1)
        if interval == 60:
            results["wcu_per_1000_samples_aggregator_float"] = round(cost["total"], 1)
            results["billed_bytes_per_sample_float"] = round(cost["billed_bytes_per_sample"], 2)
        rows.append(
            (
                f"aggregator, full floats, every {interval} s{' + tag churn' if interval == 60 else ''}: "
                "WCU / RCU per 1,000, billed B/sample",
                f"{cost['total']:.1f} / {cost['hot_rcu']:.1f} / {cost['billed_bytes_per_sample']:.2f}",
                "1000 WCU item per sample; RCU: every read of the POSTs priced",
            )
        )
    status = big_post_status()
    results["post_35k_one_metric_hour_status"] = status
    rows.append(("POST of 35,000 measurements of one metric-hour (status)", str(status), "was 503 (slab > 400 KB)"))
    wide = int(os.environ.get("BENCH_WIDE_SERIES", "100000"))
    rcu, ms, calls = get_many_series(wide)
    suffix = f"{wide // 1000}k" if wide % 1000 == 0 else str(wide)
    results[f"get_rcu_1series_1h_{suffix}_series"] = round(rcu, 1)
    results[f"get_ms_1series_1h_{suffix}_series"] = round(ms, 1)
    rows.append(
        (
            f"GET 1 series × last hour of a metric with {wide:,} series (RCU / ms)",
            f"{rcu:.1f} / {ms:.0f}",
            f"calls {calls}; each answered after 5 ms",
        )
    )
    rows.append(
        (
            "billed B / stored sample (blocks + rollups, mixed)",
            f"{results['billed_bytes_per_sample']:.2f}",
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
        rows.append(
            (
                f"items read, {series} series × {days} d @{resolution}",
                f"{count}",
                f"{series * days * 1440} item per sample ({ms:.0f} ms under moto)",
            )
        )
    timings = read_with_latency()
    sequential, concurrent = timings["1"], timings[max(timings, key=int)]
    results["read_100series_1day_3600_5ms_queries_ms"] = round(concurrent, 1)
    results["read_100series_1day_3600_5ms_queries_sequential_ms"] = round(sequential, 1)
    rows.append(
        (
            "read 100 series × 1 d @3600, 5 ms per Query (ms)",
            f"{concurrent:.0f}",
            f"{sequential:.0f} one Query at a time ({sequential / concurrent:.1f}×, {max(timings, key=int)} at once)",
        )
    )
    ours, baseline = get_baseline_ms()
    results["get_1series_1week_3600_ms"] = round(ours, 2)
    results["get_1series_1week_3600_item_per_sample_ms"] = round(baseline, 2)
    rows.append(
        (
            "GET 1 series × 1 week @3600 through the handler (ms)",
            f"{ours:.1f}",
            f"{baseline:.0f} item-per-sample Query alone ({baseline / ours:.0f}×; medians; Query by partition)",
        )
    )
    return results, rows
