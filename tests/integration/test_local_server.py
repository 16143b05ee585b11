"""`make serve` with the real template: data survives a clean restart, compaction runs on its schedule."""

import json
import threading
import time
from collections.abc import Callable

import boto3

from polymetric.storage import keys
from polymetric_local.server import LocalRuntime
from tests.conftest import REPO
from tests.e2e.http import call


def test_data_survives_a_restart(tmp_path) -> None:
    first = LocalRuntime(REPO, port=0, data_dir=tmp_path, admin_token="restart-token", schedules_enabled=False).start()
    try:
        call(
            f"{first.url}/v1/measurements",
            "POST",
            token="restart-token",
            content_type="application/json",
            body=json.dumps({"measurements": [{"name": "kept", "value": 3, "tags": {"h": "a"}}]}).encode(),
        )
    finally:
        first.stop()
    second = LocalRuntime(REPO, port=0, data_dir=tmp_path, admin_token="restart-token", schedules_enabled=False)
    second.start()
    try:
        got = call(f"{second.url}/v1/measurements/kept?duration=600&resolution=1", token="restart-token")
        assert got.json["series"][0]["measurements"][0]["value"] == 3.0
    finally:
        second.stop()


def test_the_local_server_compacts_on_schedule_and_reads_stay_the_same() -> None:
    runtime = LocalRuntime(REPO, port=0, admin_token="compact-token", schedules_enabled=False).start()
    try:
        hour = keys.hour_of(int(time.time())) - 3 * keys.HOUR  # closed: late data
        read = _post(runtime, "compact-token", "sched", hour, range(hour, hour + 3600, 60))
        before = read()
        assert runtime.run_schedules_now() >= 1  # the compactor tick (schedules are in template.yaml)
        runtime.drain_queues(timeout=30)  # and the SQS worker, as the event source mapping would
        assert _items(runtime, "B")  # (rollups wait for the day's fold: tests/integration/test_folding.py)
        assert not any(i["pk"]["S"].endswith("#HOURS") for i in _items(runtime))
        assert read() == before
    finally:
        runtime.stop()


def test_a_drain_ends_when_the_server_is_stopping() -> None:
    """SIGTERM during `kill -USR1`'s drain stops the server at once; the pollers deliver what is left."""
    runtime = LocalRuntime(REPO, port=0, admin_token="cancel-token", schedules_enabled=False).start()
    try:
        hour = keys.hour_of(int(time.time())) - 3 * keys.HOUR
        _post(runtime, "cancel-token", "cancelled", hour, range(hour, hour + 3600, 60))
        assert runtime.run_schedules_now() >= 1
        stopping = threading.Event()
        stopping.set()
        assert runtime.drain_queues(timeout=30, cancel=stopping) == 0  # returns without waiting for the queues
        runtime.drain_queues(timeout=30)  # the pollers and this drain deliver the rest
        assert _items(runtime, "B")
    finally:
        runtime.stop()


def test_the_local_server_compacts_a_live_hour_once_it_has_closed() -> None:
    runtime = LocalRuntime(REPO, port=0, admin_token="round-token", schedules_enabled=False).start()
    try:
        now = int(time.time())
        hour = keys.hour_of(now)
        read = _post(runtime, "round-token", "live", hour, range(hour, now + 1, 60))
        before = read()
        assert runtime.run_schedules_now() >= 1
        runtime.drain_queues(timeout=30)
        assert not _items(runtime, "B")  # still open: nothing to compact
        assert runtime.run_schedules_now(at=hour + 2 * keys.HOUR + 15 * 60) >= 1  # as the tick after it closed
        runtime.drain_queues(timeout=30)
        assert _items(runtime, "B")
        assert read() == before
    finally:
        runtime.stop()


def _post(runtime: LocalRuntime, token: str, name: str, hour: int, times: range) -> Callable[[], dict]:
    """POST a point per time; returns a reader of the hour at resolutions 1, 60 and 3600."""
    rows = [{"name": name, "value": float(t % 7), "time": t, "tags": {"h": "a"}} for t in times]
    call(
        f"{runtime.url}/v1/measurements",
        "POST",
        token=token,
        content_type="application/json",
        body=json.dumps({"measurements": rows}).encode(),
    )
    url = f"{runtime.url}/v1/measurements/{name}?start_time={hour}&end_time={hour + 3599}&resolution="
    return lambda: {r: call(url + str(r), token=token).json for r in (1, 60, 3600)}


def _items(runtime: LocalRuntime, kind: str = "") -> list[dict]:
    """Every item of the samples table, or with ``kind`` the chunks of that tier (``B`` hour blocks)."""
    with runtime.lock:
        table = runtime.resources.tables["SamplesTable"]
        items = boto3.client("dynamodb", region_name="us-east-1").scan(TableName=table)["Items"]
    return [i for i in items if not kind or i["pk"]["S"].split("#")[4:5] == [kind]]
