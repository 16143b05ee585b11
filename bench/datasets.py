"""Synthetic POST bodies of the shapes in storage-and-performance.md, shared by `make bench` and the tests."""

import json
import random
from typing import Any

SHAPES = {
    # name: (metrics, series per metric)
    "aggregator": (10, 100),
    "per_host": (250, 4),
    "worst": (1000, 1),
}


def measurements_body(shape: str, *, time: int, seed: int = 7, summaries: float = 0.2) -> dict[str, Any]:
    """1,000 measurements: ``metrics × series``, about 20 % summaries, 2 tags each plus top-level tags."""
    metrics, series = SHAPES[shape]
    rnd = random.Random(seed)
    out = []
    for m in range(metrics):
        for s in range(series):
            item: dict[str, Any] = {
                "name": f"app.metric_{m:04d}",
                "tags": {"host": f"host-{s:03d}", "az": f"us-east-1{'abc'[s % 3]}"},
                "time": time,
            }
            if rnd.random() < summaries:
                count = rnd.randint(1, 50)
                mean = round(rnd.uniform(1, 500), 3)
                item.update(
                    count=count,
                    sum=round(mean * count, 3),
                    min=round(mean * 0.5, 3),
                    max=round(mean * 1.5, 3),
                    last=mean,
                )
            else:
                item["value"] = round(rnd.uniform(0, 100), 1)
            out.append(item)
    return {"tags": {"environment": "prod"}, "measurements": out}


def measurements_bytes(shape: str, *, time: int, seed: int = 7) -> bytes:
    return json.dumps(measurements_body(shape, time=time, seed=seed)).encode()
