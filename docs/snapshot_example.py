"""Regenerate docs/snapshot-example.png: a chart drawn the way POST /v1/snapshots draws it (moto, in process).

PYTHONPATH=layers/polymetric/python:layers/local/python:. .venv/bin/python docs/snapshot_example.py
"""

import math
import os
import random
import time
from pathlib import Path

os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Polymetric")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "polymetric")

from bench.storage import local_aws, post
from polymetric.domain import snapshots, spaces
from polymetric.models.dashboard import ChartInput, StreamInput, TagSelector
from polymetric.models.snapshot import SnapshotRequest
from polymetric.plotting import png

OUT = Path(__file__).with_name("snapshot-example.png")
REGIONS = {"us-east-1": 120.0, "eu-west-1": 95.0, "ap-southeast-2": 160.0}


def main() -> None:
    random.seed(7)
    end = int(time.time()) // 60 * 60
    with local_aws() as tenant:
        for region, base in REGIONS.items():
            points = []
            for t in range(end - 3600, end + 1, 30):
                wave = 18 * math.sin((t - end) / 600 + base)
                spike = 140 if region == "us-east-1" and end - 1500 < t < end - 1200 else 0
                points.append(
                    {
                        "name": "api.latency.p95",
                        "value": base + wave + spike + random.gauss(0, 6),
                        "time": t,
                        "tags": {"region": region, "service": "api"},
                    }
                )
            post(tenant, {"measurements": points})
        space = spaces.create_space(tenant, "API")
        stream = StreamInput(
            given=frozenset({"metric", "tags", "group_function", "units_short", "units_long"}),
            values={
                "metric": "api.latency.p95",
                "tags": [TagSelector(name="region", values=["*"], grouped=True)],
                "group_function": "max",
                "units_short": "ms",
                "units_long": "milliseconds",
            },
        )
        chart = spaces.create_chart(
            tenant,
            space.id,
            ChartInput(given=frozenset({"name", "streams"}), name="API latency p95 by region", streams=[stream]),
        )
        view = snapshots.create(tenant, SnapshotRequest(chart_id=chart.id, end_time=end))
        OUT.write_bytes(snapshots.draw(tenant, view.snapshot, png.render))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
