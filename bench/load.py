"""`make load`: the local server (`make serve`, journal on) under a bounded load, then everything read back.

1. Load: CLIENTS concurrent posters send 1,000-measurement batches to POST /v1/measurements for SECONDS
   seconds; every batch holds new (series, minute) samples whose values say who sent them. Then every
   series is read back at resolution 60: the samples acknowledged (202) must come back exactly, none lost,
   none doubled, none changed. Figures: load_samples_per_s (acknowledged samples / posting time) and
   load_p50_ms / load_p95_ms / load_p99_ms per POST.
2. Scale (``--scale N``, N samples, e.g. 10000000): a week of 1-minute data for 10 + 100 + 100·k series
   posted the same way (backdated), then timed reads through the server: a 10-series metric over 1 hour
   (local_get_10x1h_ms_<n>) and a 100-series metric over 1 day grouped by a tag at 3600 s
   (local_groupby_100x1d_ms_<n>); then the server is SIGKILLed and started again: restart_s_<n> and
   journal_mb_<n> (the data directory on disk), and the reads must give the same answers.
Results are merged into bench-results.json at the repository root (keys of `make bench` are kept, and
`make bench` keeps these: ``LOAD_KEYS``).
Heavy: keep it out of `make test`; CLIENTS, SECONDS and the scale are arguments.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

REPO = Path(__file__).resolve().parents[1]
LOAD_KEYS = ("load_", "local_", "restart_", "journal_", "scale_")  # the prefixes of this module's figures
TOKEN = "load-test-token"
BATCH = 1000
MINUTE = 60
WEEK_MINUTES = 7 * 24 * 60


class Server:
    """`python -m polymetric_local serve` in a subprocess on a data directory of its own."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> float:
        """Start and wait until it listens; returns the seconds that took."""
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                [str(REPO / "layers" / "polymetric" / "python"), str(REPO / "layers" / "local" / "python"), str(REPO)]
            ),
            "POLYMETRIC_SCHEDULES": "off",
            "POLYMETRIC_ADMIN_TOKEN": TOKEN,
            # Throughput, not the per-token limits (1,000,000 measurements a minute by default), is measured:
            # one token posting 50k samples/s would reach it in 20 s and get 429s.
            "RATE_LIMIT_MEASUREMENTS": "1000000000",
            "RATE_LIMIT_REQUESTS": "10000000",
        }
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "polymetric_local", "serve", "--port", "0", "--data-dir", str(self.data_dir)],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=open(self.data_dir.parent / f"{self.data_dir.name}.log", "a"),  # noqa: SIM115 - the child owns it
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("Polymetric listening on "):
            raise RuntimeError(f"the server did not start: {line!r}")
        self.url = line.split()[-1]
        # The handlers log to stdout; a pipe nobody reads fills up and blocks the server.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()
        return time.perf_counter() - started

    def kill(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(60)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(600)
            self.process = None


class Client:
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=600)
        auth = base64.b64encode(f"{TOKEN}:".encode()).decode()
        self.headers = {"Authorization": f"Basic {auth}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: bytes | None = None) -> tuple[int, Any]:
        self.connection.request(method, path, body=body, headers=self.headers)
        response = self.connection.getresponse()
        text = response.read()
        return response.status, json.loads(text) if text else None

    def close(self) -> None:
        self.connection.close()


def batch_body(metric: str, hosts: list[str], start: int, minutes: int, value: float) -> bytes:
    """len(hosts) x minutes measurements of one metric from `start`; each value is `value` + host index."""
    measurements = [
        {"name": metric, "time": start + m * MINUTE, "value": value + h, "tags": {"host": host, "region": f"r{h % 5}"}}
        for m in range(minutes)
        for h, host in enumerate(hosts)
    ]
    return json.dumps({"measurements": measurements}, separators=(",", ":")).encode()


# --- 1. load -----------------------------------------------------------------------------------------------


def run_load(url: str, clients: int, seconds: float) -> dict[str, float]:
    hosts = [f"h{i:03d}" for i in range(100)]
    base = (int(time.time()) - 8 * 86_400) // 3600 * 3600
    sent: list[list[tuple[int, int]]] = [[] for _ in range(clients)]  # (batch start, value base) acknowledged
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures: list[str] = []
    start_gate = threading.Barrier(clients + 1)
    deadline = [float("inf")]  # set by this thread as the gate opens

    def poster(c: int) -> None:
        client = Client(url)
        # Warm up (handler imports, the metric's creation) before the clock starts; not read back.
        client.call("POST", "/v1/measurements", batch_body(f"load.c{c}", hosts[:1], base - 3600, 1, -1.0))
        start_gate.wait()
        k = 0
        while time.perf_counter() < deadline[0]:
            start = base + k * 10 * MINUTE
            body = batch_body(f"load.c{c}", hosts, start, 10, float(k * 1000))
            t = time.perf_counter()
            status, answer = client.call("POST", "/v1/measurements", body)
            latencies[c].append(time.perf_counter() - t)
            if status == 202 and answer["measurements"]["summary"]["accepted"] == BATCH:
                sent[c].append((start, k * 1000))
            else:
                failures.append(f"client {c} batch {k}: {status} {answer}")
            k += 1
        client.close()

    threads = [threading.Thread(target=poster, args=(c,)) for c in range(clients)]
    for thread in threads:
        thread.start()
    start_gate.wait()  # every poster is warm
    began = time.perf_counter()
    deadline[0] = began + seconds
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    acknowledged = sum(len(s) for s in sent) * BATCH
    lost, doubled, changed = read_back(url, hosts, base, sent)
    all_latencies = sorted(x for per in latencies for x in per)
    figures = {
        "load_clients": clients,
        "load_seconds": round(elapsed, 1),
        "load_samples_acknowledged": acknowledged,
        "load_samples_per_s": round(acknowledged / elapsed),
        "load_p50_ms": round(_percentile(all_latencies, 50) * 1000, 1),
        "load_p95_ms": round(_percentile(all_latencies, 95) * 1000, 1),
        "load_p99_ms": round(_percentile(all_latencies, 99) * 1000, 1),
        "load_lost": lost,
        "load_duplicated": doubled,
        "load_changed": changed,
        "load_failed_posts": len(failures),
    }
    for failure in failures[:5]:
        print("  failed:", failure)
    return figures


def read_back(url: str, hosts: list[str], base: int, sent: list[list[tuple[int, int]]]) -> tuple[int, int, int]:
    """Every acknowledged sample, read back at resolution 60 in 6-hour windows: (lost, extra, changed) counts."""
    client = Client(url)
    lost = extra = changed = 0
    for c, batches in enumerate(sent):
        if not batches:
            continue
        expected: dict[tuple[str, int], float] = {}
        for start, value in batches:
            for m in range(10):
                for h, host in enumerate(hosts):
                    expected[(host, start + m * MINUTE)] = float(value + h)
        end = max(start for start, _ in batches) + 10 * MINUTE
        got: dict[tuple[str, int], list[float]] = {}
        for window in range(base, end, 6 * 3600):
            query = {"start_time": window, "end_time": min(end, window + 6 * 3600) - 1, "resolution": 60}
            path: str | None = f"/v1/measurements/load.c{c}?{urlencode(query)}"
            while path:
                status, answer = client.call("GET", path)
                if status != 200:
                    raise RuntimeError(f"read back {path}: {status} {answer}")
                for series in answer["series"]:
                    host = series["tags"]["host"]
                    for point in series["measurements"]:
                        got.setdefault((host, point["time"]), []).append(point["value"])
                path = _next_path(answer, path)
        for key, value in expected.items():
            values = got.pop(key, [])
            if not values:
                lost += 1
            elif len(values) > 1:
                extra += len(values) - 1
            elif values[0] != value:
                changed += 1
        extra += sum(len(v) for v in got.values())
    client.close()
    return lost, extra, changed


def _next_path(answer: dict[str, Any], path: str) -> str | None:
    for link in answer.get("links") or []:
        if link.get("rel") == "next":
            href = str(link["href"])
            return href if href.startswith("/") else path.split("?")[0] + "?" + href.split("?", 1)[-1]
    return None


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(len(values) * p / 100))]


# --- 2. scale -----------------------------------------------------------------------------------------------


def run_scale(server: Server, samples: int, clients: int) -> dict[str, float]:
    label = _label(samples)
    minutes = WEEK_MINUTES
    series_fill = max(0, samples // minutes - 110)
    metrics = [("scale.ten", 10), ("scale.hundred", 100)] + [
        (f"scale.fill{i}", min(100, series_fill - 100 * i)) for i in range((series_fill + 99) // 100)
    ]
    base = (int(time.time()) - 7 * 86_400) // 3600 * 3600 - 3600
    jobs: list[tuple[str, list[str], int, int]] = []  # metric, hosts, start, minutes
    for metric, count in metrics:
        hosts = [f"h{i:03d}" for i in range(count)]
        per_batch = max(1, BATCH // count)
        jobs.extend(
            (metric, hosts, base + m * MINUTE, min(per_batch, minutes - m)) for m in range(0, minutes, per_batch)
        )
    random.Random(1).shuffle(jobs)
    began = time.perf_counter()
    lock = threading.Lock()
    posted = [0]

    def poster() -> None:
        client = Client(server.url)
        while True:
            with lock:
                if not jobs:
                    break
                metric, hosts, start, count = jobs.pop()
            status, answer = client.call("POST", "/v1/measurements", batch_body(metric, hosts, start, count, 1.0))
            if status != 202:
                raise RuntimeError(f"{status} {answer}")
            with lock:
                posted[0] += len(hosts) * count
        client.close()

    threads = [threading.Thread(target=poster) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ingest_s = time.perf_counter() - began
    print(f"  posted {posted[0]:,} samples in {ingest_s:.0f} s")
    figures: dict[str, float] = {
        f"scale_samples_{label}": posted[0],
        f"scale_ingest_samples_per_s_{label}": round(posted[0] / ingest_s),
    }
    reads = _timed_reads(server.url, base)
    figures[f"local_get_10x1h_ms_{label}"] = reads["get"]
    figures[f"local_groupby_100x1d_ms_{label}"] = reads["groupby"]
    server.kill()
    figures[f"journal_mb_{label}"] = round(_disk_bytes(server.data_dir) / 1e6, 1)
    figures[f"restart_s_{label}"] = round(server.start(), 2)
    again = _timed_reads(server.url, base)
    if again["answers"] != reads["answers"]:
        raise RuntimeError("the reads after the SIGKILL and restart differ from the reads before it")
    figures[f"restart_get_10x1h_ms_{label}"] = again["get"]
    return figures


def _timed_reads(url: str, base: int) -> dict[str, Any]:
    client = Client(url)
    rng = random.Random(2)
    answers = []
    get_ms, groupby_ms = [], []
    for _ in range(15):
        hour = base + rng.randrange(24, 24 * 6) * 3600
        query = urlencode({"start_time": hour, "end_time": hour + 3600, "resolution": 60})
        t = time.perf_counter()
        status, answer = client.call("GET", f"/v1/measurements/scale.ten?{query}")
        get_ms.append((time.perf_counter() - t) * 1000)
        assert status == 200 and len(answer["series"]) == 10, (status, answer)
        answers.append(answer["series"])
        day = base + rng.randrange(1, 6) * 86_400
        query = urlencode(
            {
                "start_time": day,
                "end_time": day + 86_400,
                "resolution": 3600,
                "group_by": "region",
                "group_by_function": "sum",
            }
        )
        t = time.perf_counter()
        status, answer = client.call("GET", f"/v1/measurements/scale.hundred?{query}")
        groupby_ms.append((time.perf_counter() - t) * 1000)
        assert status == 200 and len(answer["series"]) == 5, (status, answer)
        answers.append(answer["series"])
    client.close()
    return {
        "get": round(statistics.median(get_ms), 1),
        "groupby": round(statistics.median(groupby_ms), 1),
        "answers": answers,
    }


def _disk_bytes(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.iterdir() if p.is_file())


def _label(samples: int) -> str:
    return f"{samples // 1_000_000}m_samples" if samples >= 1_000_000 else f"{samples // 1000}k_samples"


# --- main ---------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=4, help="concurrent posters (default 4)")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long they post (default 20)")
    parser.add_argument("--scale", type=int, default=0, help="also run the scale phase with this many samples")
    parser.add_argument("--skip-load", action="store_true", help="only the scale phase")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    work = Path(tempfile.mkdtemp(prefix="polymetric-load-"))
    try:
        if not args.skip_load:
            server = Server(work / "load")
            server.start()
            try:
                results.update(run_load(server.url, args.clients, args.seconds))
            finally:
                server.stop()
        if args.scale:
            server = Server(work / "scale")
            server.start()
            try:
                results.update(run_scale(server, args.scale, max(1, args.clients // 2)))
            finally:
                server.stop()
    except Exception:
        for log in work.glob("*.log"):
            print(f"--- {log.name} (last lines)\n" + "\n".join(log.read_text().splitlines()[-40:]))
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for key, value in sorted(results.items()):
        print(f"{key:<40} {value}")
    path = REPO / "bench-results.json"
    previous = json.loads(path.read_text()) if path.is_file() else {}
    path.write_text(json.dumps({**previous, **results}, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    print(f"\nmerged into {path}")
    lost = results.get("load_lost", 0) + results.get("load_duplicated", 0) + results.get("load_changed", 0)
    return 1 if lost or results.get("load_failed_posts") else 0


if __name__ == "__main__":
    sys.exit(main())
