"""librato-node 5.0.6 (the Node.js Librato client) pushing to the local server through the legacy POST /v1/metrics.

The driver script (agents/librato_node_push.js) increments, measures and times as an application does, then
flushes once; the values asserted are the ones librato-node aggregates and sends.
"""

import math
import time
from typing import Any

from polymetric_local.server import LocalRuntime
from tests.e2e.node_agents import run_script, series


def _by_tags(found: list[dict[str, Any]]) -> dict[tuple[tuple[str, str], ...], list[dict[str, Any]]]:
    return {tuple(sorted(s["tags"].items())): s["measurements"] for s in found}


def test_counters_gauges_and_timings_land_as_librato_node_sends_them(server: LocalRuntime) -> None:
    since = int(time.time()) - 2
    assert run_script("librato_node_push.js", server.url, server.admin_token, "e2e.ln.") == "flushed\n"

    hits = _by_tags(series(server, "e2e.ln.hits", since))
    # counters: the increments of the period, per source (none configured: an untagged series)
    assert {tags: [p["sum"] for p in points] for tags, points in hits.items()} == {
        (): [5.0],
        (("source", "web-2"),): [2.0],
    }

    [temp] = series(server, "e2e.ln.temp", since)
    assert temp["tags"] == {}
    assert [(p["count"], p["sum"]) for p in temp["measurements"]] == [(1.0, 21.5)]  # one measure: a plain value

    size = _by_tags(series(server, "e2e.ln.size", since))
    [point] = size[()]
    # two measures: count 2, sum 30, min 10, max 20, sum_squares 500 -> mean 15, population stddev 5
    assert (point["count"], point["sum"], point["min"], point["max"]) == (2.0, 30.0, 10.0, 20.0)
    assert math.isclose(point["stddev"], 5.0)
    assert [(p["count"], p["sum"]) for p in size[(("source", "web-2"),)]] == [(1.0, 60.0)]

    [render] = series(server, "e2e.ln.render", since)
    [point] = render["measurements"]
    # timings of 5, 15 and 25 ms: count 3, sum 45, min 5, max 25; sum of squares 875 -> stddev sqrt(200/3)
    assert (point["count"], point["sum"], point["min"], point["max"]) == (3.0, 45.0, 5.0, 25.0)
    assert math.isclose(point["stddev"], math.sqrt(200 / 3))
    [once] = series(server, "e2e.ln.once", since)
    assert [p["sum"] for p in once["measurements"]] == [7.0]

    [mean] = series(server, "e2e.ln.render", since, summary_function="mean")
    assert [p["value"] for p in mean["measurements"]] == [15.0]
