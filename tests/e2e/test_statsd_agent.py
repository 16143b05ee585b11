"""The statsd daemon (0.9.0) with statsd-librato-backend (2.0.16), over UDP on loopback, against the local server.

Each test starts a daemon configured as README "Point your agents at Polymetric" says (plus a short flush
interval and the backend's debug log), sends its stats in one datagram (so one flush carries them all), waits
for the flush, and reads every stat back through the AppOptics API. The expected values are the ones statsd
computes (counters scaled by the sample rate, gauge deltas, timer percentiles over the sorted values, set
cardinality). The backend's log must show no failed post and no failed measurement.
"""

import json
import math
import re
import time
from pathlib import Path
from typing import Any

from polymetric_local.server import LocalRuntime
from tests.e2e.node_agents import Statsd, eventually, series, statsd

HOST_TAGS = {"env": "e2e", "host": "web-1"}
TIMER = [float(v) for v in (12, 3, 7, 1, 9, 4, 10, 2, 8, 5)]  # sent unsorted; statsd sorts them


def _statsd_timer(values: list[float], pct: int | None = None) -> dict[str, float]:
    """statsd's own timer figures (lib/process_metrics.js): the lowest round(pct% of n) sorted values, and
    ``std``, their population standard deviation."""
    ordered = sorted(values)
    n = len(ordered) if pct is None else round(pct / 100 * len(ordered))
    kept = ordered[:n]
    mean = sum(kept) / n
    std = math.sqrt(sum((v - mean) ** 2 for v in kept) / n)
    return {"count": n, "sum": sum(kept), "min": kept[0], "max": kept[-1], "mean": mean, "std": std}


def _one_point(found: list[dict[str, Any]], tags: dict[str, str]) -> dict[str, Any]:
    [s] = [s for s in found if s["tags"] == tags]
    [point] = s["measurements"]
    return point


def _assert_timer(point: dict[str, Any], values: list[float], pct: int | None = None) -> None:
    expected = _statsd_timer(values, pct)
    got = {k: point[k] for k in ("count", "sum", "min", "max")}
    assert got == {k: expected[k] for k in ("count", "sum", "min", "max")}
    assert math.isclose(point["sum"] / point["count"], expected["mean"])
    # The backend sends the sample stddev as stddev_m2; the server knows it by its User-Agent (dialects.stddev_m2)
    # and reads back the stddev statsd itself computes.
    assert math.isclose(point["stddev"], expected["std"])


def _assert_clean_log(daemon: Statsd) -> None:
    log = daemon.output()
    assert "Failed to" not in log, log
    answers = [json.loads(m) for m in re.findall(r"Response: (\{.*\})", log)]
    assert answers, log
    for answer in answers:
        summary = answer["measurements"]["summary"]
        assert summary["failed"] == 0 and summary["accepted"] == summary["total"], answer


def _wait(server: LocalRuntime, name: str, since: int, tags: dict[str, str]) -> list[dict[str, Any]]:
    return eventually(
        lambda: [s for s in series(server, name, since) if s["tags"] == tags] and series(server, name, since),
        f"{name} {tags} to be flushed",
    )


def test_untagged_stats_take_the_global_tags(server: LocalRuntime, tmp_path: Path) -> None:
    since = int(time.time()) - 1
    with statsd(server, tmp_path, host="web-1", tags={"env": "e2e"}) as daemon:
        daemon.send(
            "e2e.sd.requests:1|c",
            "e2e.sd.requests:1|c",
            "e2e.sd.requests:3|c",
            "e2e.sd.sampled:1|c|@0.1",
            "e2e.sd.sampled:2|c|@0.5",
            "e2e.sd.temp:20|g",
            "e2e.sd.temp:+5|g",
            "e2e.sd.temp:-3|g",
            *(f"e2e.sd.latency:{v:g}|ms" for v in TIMER),
            "e2e.sd.users:alice|s",
            "e2e.sd.users:bob|s",
            "e2e.sd.users:alice|s",
        )
        _wait(server, "e2e.sd.users", since, HOST_TAGS)
        _assert_clean_log(daemon)

    # counters go out as gauges of the period's total, scaled by the sample rate: 1/0.1 + 2/0.5
    assert _one_point(series(server, "e2e.sd.requests", since), HOST_TAGS)["sum"] == 5.0
    assert _one_point(series(server, "e2e.sd.sampled", since), HOST_TAGS)["sum"] == 14.0
    assert _one_point(series(server, "e2e.sd.temp", since), HOST_TAGS)["sum"] == 22.0  # 20, +5, -3
    assert _one_point(series(server, "e2e.sd.users", since), HOST_TAGS)["sum"] == 2.0  # unique members
    _assert_timer(_one_point(series(server, "e2e.sd.latency", since), HOST_TAGS), TIMER)
    _assert_timer(_one_point(series(server, "e2e.sd.latency.90", since), HOST_TAGS), TIMER, 90)
    _assert_timer(_one_point(series(server, "e2e.sd.latency.50", since), HOST_TAGS), TIMER, 50)


def test_tagged_stats_carry_their_own_tags(server: LocalRuntime, tmp_path: Path) -> None:
    """``name#tag=value,...`` (keyNameSanitize false): a stat's own tags replace the global ones (AppOptics rule)."""
    since = int(time.time()) - 1
    own = {"region": "eu", "tier": "web"}
    with statsd(server, tmp_path, host="web-1", tags={"env": "e2e"}) as daemon:
        daemon.send(
            "e2e.sdt.requests#region=eu,tier=web:4|c",
            "e2e.sdt.requests#region=eu,tier=web:1|c|@0.5",
            "e2e.sdt.requests:7|c",
            "e2e.sdt.queue#region=eu,tier=web:11|g",
            *(f"e2e.sdt.latency#region=eu,tier=web:{v:g}|ms" for v in TIMER),
            "e2e.sdt.users#region=eu,tier=web:carol|s",
        )
        _wait(server, "e2e.sdt.users", since, own)
        _assert_clean_log(daemon)

    requests = series(server, "e2e.sdt.requests", since)
    assert _one_point(requests, own)["sum"] == 6.0  # 4 + 1/0.5
    assert _one_point(requests, HOST_TAGS)["sum"] == 7.0  # the untagged stat of the same name
    assert _one_point(series(server, "e2e.sdt.queue", since), own)["sum"] == 11.0
    assert _one_point(series(server, "e2e.sdt.users", since), own)["sum"] == 1.0
    _assert_timer(_one_point(series(server, "e2e.sdt.latency", since), own), TIMER)
    _assert_timer(_one_point(series(server, "e2e.sdt.latency.90", since), own), TIMER, 90)


def test_legacy_mode_writes_sources_too(server: LocalRuntime, tmp_path: Path) -> None:
    """writeToLegacy: each flush also goes to POST /v1/metrics (gauges/counters with ``source``).

    With a ``source`` configured the tagged stats carry ``source`` as their own tag; a stat with statsd tags keeps
    them on the tagged path only, so the legacy copy is a series of its own: ``{source}``. countersAsGauges false
    sends running counters (``counters`` on the legacy path).
    """
    since = int(time.time()) - 1
    source = {"source": "web-legacy"}
    tagged = {"source": "web-legacy", "tier": "web"}
    with statsd(
        server, tmp_path, host="web-1", source="web-legacy", writeToLegacy=True, countersAsGauges=False
    ) as daemon:
        daemon.send(
            "e2e.sdl.jobs:2|c",
            "e2e.sdl.jobs:3|c",
            "e2e.sdl.level:42|g",
            *(f"e2e.sdl.latency:{v:g}|ms" for v in TIMER),
            "e2e.sdl.hits#tier=web:9|c",
            "e2e.sdl.users:dave|s",
        )
        _wait(server, "e2e.sdl.hits", since, source)
        _wait(server, "e2e.sdl.hits", since, tagged)
        _assert_clean_log(daemon)
        log = daemon.output()
    assert '"gauges":' in log and '"counters":[{' in log, "the backend posted no legacy payload"

    assert _one_point(series(server, "e2e.sdl.jobs", since), source)["sum"] == 5.0
    assert _one_point(series(server, "e2e.sdl.level", since), source)["sum"] == 42.0
    assert _one_point(series(server, "e2e.sdl.users", since), source)["sum"] == 1.0
    hits = series(server, "e2e.sdl.hits", since)
    assert _one_point(hits, tagged)["sum"] == 9.0  # POST /v1/measurements
    assert _one_point(hits, source)["sum"] == 9.0  # POST /v1/metrics
    _assert_timer(_one_point(series(server, "e2e.sdl.latency", since), source), TIMER)
    _assert_timer(_one_point(series(server, "e2e.sdl.latency.50", since), source), TIMER, 50)
