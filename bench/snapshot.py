"""Snapshot rendering: a 10-stream, 1-hour line chart read through the query engine and drawn to a PNG.

``snapshot_render_ms_10_streams`` is what the renderer function spends per snapshot after its cold start
(read every stream under moto, draw, encode; the S3 put is left out), median of a few runs; the goal is
1,500 ms. ``cold_import_ms_snapshot_renderer`` is the renderer's cold import (matplotlib included), measured
as bench/cold.py measures every function.
"""

import time
from collections.abc import Callable
from typing import Any

from bench.cold import REPO, handler_module, import_seconds, lambda_environment
from bench.storage import local_aws, post
from polymetric.domain import snapshots, spaces
from polymetric.models.dashboard import ChartInput, StreamInput, TagSelector
from polymetric.models.snapshot import SnapshotRequest
from polymetric.plotting import png
from polymetric_local.template import load_template

STREAMS = 10
GOAL_MS = 1500
Rows = list[tuple[str, str, str]]


def _chart(tenant: str) -> int:
    space = spaces.create_space(tenant, "bench")
    streams = [
        StreamInput(
            given=frozenset({"metric", "tags"}),
            values={"metric": "bench.snapshot.cpu", "tags": [TagSelector(name="host", values=[f"h{i}"])]},
        )
        for i in range(STREAMS)
    ]
    body = ChartInput(given=frozenset({"name", "streams"}), name="CPU by host", streams=streams)
    return spaces.create_chart(tenant, space.id, body).id


def _data(tenant: str, end: int) -> None:
    """Ten series, one sample every 10 s for the hour, posted as the handler would post them."""
    for host in range(STREAMS):
        tags = {"host": f"h{host}"}
        values = [(end - t, 20 + host * 5 + (t // 10) % 9) for t in range(10, 3600, 10)]
        post(
            tenant,
            {"measurements": [{"name": "bench.snapshot.cpu", "value": v, "time": t, "tags": tags} for t, v in values]},
        )


def run(median_seconds: Callable[[Callable[[], Any], int], float]) -> tuple[dict[str, Any], Rows]:
    end = int(time.time())
    with local_aws() as tenant:
        _data(tenant, end)
        chart = _chart(tenant)
        view = snapshots.create(tenant, SnapshotRequest(chart_id=chart, end_time=end))
        image = snapshots.draw(tenant, view.snapshot, png.render)
        (REPO / "bench-snapshot.png").write_bytes(image)
        ms = median_seconds(lambda: snapshots.draw(tenant, view.snapshot, png.render), 5) * 1000
    renderer = load_template(REPO / "template.yaml").functions["SnapshotRendererFunction"]
    cold = min(
        s for s in (import_seconds(handler_module(renderer), lambda_environment(renderer)) for _ in range(3)) if s
    )
    results = {"snapshot_render_ms_10_streams": round(ms, 1), "cold_import_ms_snapshot_renderer": round(cold * 1000, 1)}
    rows: Rows = [
        ("snapshot render ms, 10 streams × 1 h line", f"{ms:.0f}", "read every stream + draw + PNG, under moto"),
        ("snapshot renderer cold import ms (matplotlib)", f"{cold * 1000:.0f}", "the API functions never import it"),
    ]
    return results, rows
