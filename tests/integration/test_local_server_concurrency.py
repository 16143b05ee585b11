"""`make serve` runs invocations concurrently, as Lambda does: a long compaction never stalls ingest or reads,
and many clients at once lose nothing, in moto or in the journal (issue 15, 6)."""

import json
import logging
import shutil
import threading
import time

from polymetric.domain import compaction
from polymetric.storage import keys
from polymetric_local.server import LocalRuntime
from tests.conftest import REPO
from tests.e2e.http import call

TOKEN = "concurrency-token"


def _post(runtime: LocalRuntime, rows: list[dict]) -> int:
    body = json.dumps({"measurements": rows}).encode()
    return call(
        f"{runtime.url}/v1/measurements", "POST", token=TOKEN, content_type="application/json", body=body
    ).status


def _series(runtime: LocalRuntime, name: str, hour: int) -> dict[str, list[tuple[int, float]]]:
    """Every series of the metric in the hour at resolution 60, by its tags (as a sorted JSON text)."""
    got = call(
        f"{runtime.url}/v1/measurements/{name}?start_time={hour}&end_time={hour + 3599}&resolution=60", token=TOKEN
    )
    assert got.status == 200, got.body
    return {
        json.dumps(s["tags"], sort_keys=True): [(m["time"], m["value"]) for m in s["measurements"]]
        for s in got.json["series"]
    }


def test_a_post_and_a_read_answer_while_a_compaction_runs(monkeypatch) -> None:
    started, release, finished = threading.Event(), threading.Event(), threading.Event()
    original = compaction.compact

    def slow_compact(*args, **kwargs):  # a compaction made long on purpose: it waits for the test
        started.set()
        release.wait(30)
        try:
            return original(*args, **kwargs)
        finally:
            finished.set()

    monkeypatch.setattr(compaction, "compact", slow_compact)
    runtime = LocalRuntime(REPO, port=0, admin_token=TOKEN, schedules_enabled=False).start()
    try:
        hour = keys.hour_of(int(time.time())) - 3 * keys.HOUR  # closed: its late data gets compacted
        assert (
            _post(
                runtime,
                [{"name": "late", "value": 1.0, "time": t, "tags": {"h": "a"}} for t in range(hour, hour + 3600, 60)],
            )
            == 202
        )
        ticked = threading.Thread(target=runtime.run_schedules_now)  # the tick queues the job; a worker runs it
        ticked.start()
        assert started.wait(30), "the compaction job never started"

        assert _post(runtime, [{"name": "fresh", "value": 2.0, "time": hour, "tags": {"h": "a"}}]) == 202
        assert _series(runtime, "fresh", hour) == {'{"h": "a"}': [(hour, 2.0)]}
        assert not finished.is_set(), "the POST and the GET waited for the compaction to finish"

        release.set()
        ticked.join(30)
        runtime.drain_queues(timeout=60)
        assert finished.is_set()
        assert len(_series(runtime, "late", hour)['{"h": "a"}']) == 60
    finally:
        release.set()
        runtime.stop()


POSTERS = 6
BATCHES = 8
READERS = 2


def test_many_clients_at_once_lose_nothing_in_moto_or_the_journal(tmp_path, caplog) -> None:
    caplog.set_level(logging.ERROR, logger="polymetric_local")
    runtime = LocalRuntime(REPO, port=0, data_dir=tmp_path / "data", admin_token=TOKEN, schedules_enabled=False)
    runtime.start()
    hour = keys.hour_of(int(time.time())) - 2 * keys.HOUR
    failures: list[str] = []
    posting = threading.Event()

    def poster(p: int) -> None:
        for b in range(BATCHES):
            rows = [
                {
                    "name": f"stress.{p}",
                    "value": p * 10000.0 + b * 100 + m,
                    "time": hour + m * 60,
                    "tags": {"b": str(b)},
                }
                for m in range(60)
            ]
            rows.append({"name": "stress.shared", "value": float(b), "time": hour + b * 60, "tags": {"p": str(p)}})
            status = _post(runtime, rows)
            if status != 202:
                failures.append(f"poster {p} batch {b}: {status}")

    def reader() -> None:
        while posting.is_set():
            got = call(f"{runtime.url}/v1/measurements/stress.shared?duration=86400&resolution=60", token=TOKEN)
            if got.status not in (200, 404):  # 404 until the first POST has created the metric
                failures.append(f"reader: {got.status} {got.body[:200]!r}")

    def ticks() -> None:
        while posting.is_set():
            runtime.run_schedules_now()  # compaction ticks, alerts and heartbeats, next to the POSTs

    try:
        posting.set()
        threads = [threading.Thread(target=poster, args=(p,)) for p in range(POSTERS)]
        background = [threading.Thread(target=reader) for _ in range(READERS)] + [threading.Thread(target=ticks)]
        for thread in threads + background:
            thread.start()
        for thread in threads:
            thread.join(120)
        posting.clear()
        for thread in background:
            thread.join(120)
        runtime.drain_queues(timeout=60)
        assert (
            _post(runtime, [{"name": "last", "value": 1.0, "time": hour, "tags": {"h": "a"}}]) == 202
        )  # commits every write before it

        assert failures == []
        expected = {
            p: {
                json.dumps({"b": str(b)}): [(hour + m * 60, p * 10000.0 + b * 100 + m) for m in range(60)]
                for b in range(BATCHES)
            }
            for p in range(POSTERS)
        }
        shared = {
            json.dumps({"p": str(p)}): [(hour + b * 60, float(b)) for b in range(BATCHES)] for p in range(POSTERS)
        }
        for p in range(POSTERS):
            assert _series(runtime, f"stress.{p}", hour) == expected[p]
        assert _series(runtime, "stress.shared", hour) == shared
        crashed = shutil.copytree(tmp_path / "data", tmp_path / "crashed")  # what a SIGKILL now would leave
    finally:
        posting.clear()
        runtime.stop()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []

    restarted = LocalRuntime(REPO, port=0, data_dir=crashed, admin_token=TOKEN, schedules_enabled=False).start()
    try:
        for p in range(POSTERS):
            assert _series(restarted, f"stress.{p}", hour) == expected[p]
        assert _series(restarted, "stress.shared", hour) == shared
    finally:
        restarted.stop()


def test_answers_go_out_without_waiting_for_the_clients_ack() -> None:
    """Headers and body are two writes: with Nagle's algorithm on, the body of every answer on a kept-alive
    connection waited ~40 ms for the client's delayed ACK of the headers (make load: 14k samples/s for one
    poster, 38k without). Every connection the server accepts has TCP_NODELAY set."""
    import http.client
    import socket

    runtime = LocalRuntime(REPO, port=0, admin_token=TOKEN, schedules_enabled=False).start()
    try:
        server = runtime._require_running().server
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
        connection.request("GET", "/v1/metrics", headers={"Authorization": "Basic Y29uY3VycmVuY3ktdG9rZW46"})
        assert connection.getresponse().read()
        with server.connections_lock:
            accepted = list(server.connections)
        assert accepted, "the kept-alive connection is tracked by the server"
        assert all(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for s in accepted)
        connection.close()
    finally:
        runtime.stop()
