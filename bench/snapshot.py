"""Snapshot rendering: a 10-stream, 1-hour line chart read through the query engine and drawn to a PNG.

``snapshot_render_ms_10_streams`` is what the renderer function spends per snapshot after its cold start
(read every stream under moto, draw, encode; the S3 put is left out), median of a few runs; the goal is
1,500 ms. ``cold_first_render_ms_snapshot_renderer`` is what a new renderer container spends before its first
PNG exists: the handler's cold import plus drawing a 10-series chart, which loads matplotlib (and numpy); the
handler defers that import to the first snapshot, so bench/cold.py's import figure leaves it out and this
one shows it. In a fresh interpreter with the function's environment, as bench/cold.py measures.
"""

import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.cold import REPO, handler_module, lambda_environment
from bench.storage import local_aws, post
from polymetric.domain import snapshots, spaces
from polymetric.models.dashboard import ChartInput, StreamInput, TagSelector
from polymetric.models.snapshot import SnapshotRequest
from polymetric.plotting import png
from polymetric_local.template import load_template

STREAMS = 10
GOAL_MS = 1500
Rows = list[tuple[str, str, str]]
# The handler's import, then its first PNG: 10 series of 360 points, as _data() posts them.
_FIRST_RENDER = """import time
t = time.process_time()
import {module} as app
imported = time.process_time()
from polymetric.models.snapshot import Plot, PlotSeries
times = list(range(1_700_000_000, 1_700_003_600, 10))
series = [PlotSeries(name="cpu", tags={{"host": f"h{{i}}"}}, values=[20.0 + i * 5 + k % 9 for k in range(360)])
          for i in range(10)]
app.draw_png(Plot(title="CPU by host", type="line", start=times[0], end=times[-1], times=times, series=series))
print(imported - t, time.process_time() - t)"""


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
    imported, first = min(cold_first_render() for _ in range(3))
    results = {
        "snapshot_render_ms_10_streams": round(ms, 1),
        "cold_import_ms_snapshot_renderer": round(imported * 1000, 1),
        "cold_first_render_ms_snapshot_renderer": round(first * 1000, 1),
    }
    rows: Rows = [
        ("snapshot render ms, 10 streams × 1 h line", f"{ms:.0f}", "read every stream + draw + PNG, under moto"),
        (
            "snapshot renderer cold start ms: import + first PNG",
            f"{first * 1000:.0f}",
            f"import {imported * 1000:.0f} (matplotlib loads at the first PNG; the API functions never import it)",
        ),
    ]
    return results, rows


def cold_first_render() -> tuple[float, float]:
    """CPU seconds of the renderer's handler import, and of that import plus its first PNG, in a fresh interpreter."""
    renderer = load_template(REPO / "template.yaml").functions["SnapshotRendererFunction"]
    code = _FIRST_RENDER.format(module=handler_module(renderer))
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=lambda_environment(renderer), capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(f"the renderer's first PNG failed:\n{out.stderr}")
    imported, first = (float(x) for x in out.stdout.split())
    return imported, first
