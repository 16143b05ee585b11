"""An in-memory Reader over raw samples, and plain-Python reference implementations to check the engine by."""

import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Mapping

import numpy as np

from polymetric.models.metric import COMPOSITE, GAUGE, Metric
from polymetric.models.samples import SampleFrame, from_values
from polymetric.models.series import Series, series_id
from polymetric.models.tags import TagMatcher, wildcard
from polymetric.query import resample
from polymetric.query.composite import evaluate, functions, parser

Raw = dict[str, list[tuple[dict[str, str], list[tuple[int, float]]]]]
Ref = dict[int, float]  # time -> value: one reference series


class MemoryReader:
    def __init__(self, raw: Raw, metrics: Mapping[str, Metric] | None = None) -> None:
        self.raw = raw
        self.metrics = dict(metrics or {})
        for name in raw:
            self.metrics.setdefault(name, Metric(name=name, type=GAUGE))
        self.loads = 0

    def select(self, metric: str, tags: TagMatcher) -> list[tuple[Metric, list[Series]]]:
        pattern = wildcard(metric)
        out = []
        for name in sorted(self.metrics):
            m = self.metrics[name]
            if not pattern.match(name.lower()) or ("*" in metric and m.type == COMPOSITE):
                continue
            series = [Series(series_id("t", name, t), t) for t, _ in self.raw.get(name, []) if tags.matches(t)]
            out.append((m, sorted(series, key=lambda s: s.sort_key)))
        return out

    def load(self, metric: Metric, series: list[Series], start: int, end: int, step: int) -> resample.Buckets:
        self.loads += 1
        rows_s, rows_t, rows_v = [], [], []
        by_sid = {series_id("t", metric.name, t): samples for t, samples in self.raw[metric.name]}
        for i, s in enumerate(series):
            for t, v in by_sid[s.sid]:
                if start - start % step <= t <= end:
                    rows_s.append(i)
                    rows_t.append(t)
                    rows_v.append(v)
        frame = SampleFrame(
            np.array(rows_s, dtype=np.int64), np.array(rows_t, dtype=np.int64), from_values(np.array(rows_v))
        )
        return resample.downsample(frame, step)


def run(expression: str, reader: MemoryReader, start: int, end: int, resolution: int = 60, dynamic=None):
    node = parser.parse(expression)
    functions.check(node)
    grid = evaluate.Grid.of(start, end, resolution)
    result = evaluate.evaluate(node, grid, reader, dynamic=dynamic)
    times = grid.times.tolist()
    return [
        (meta.tags, {t: v for t, v in zip(times, row, strict=True) if v == v})
        for meta, row in zip(result.metas, result.values.tolist(), strict=True)
    ]


# ---- plain-Python references, written from the spec without numpy ----


def buckets(samples: list[tuple[int, float]], start: int, end: int, step: int = 60, function: str = "mean") -> Ref:
    groups: dict[int, list[float]] = defaultdict(list)
    for t, v in samples:
        if start - start % step <= t <= end:
            groups[t - t % step].append(v)
    fold: dict[str, Callable[[list[float]], float]] = {
        "mean": lambda vs: sum(vs) / len(vs),
        "sum": sum,
        "min": min,
        "max": max,
        "count": lambda vs: float(len(vs)),
    }
    first = start - start % 60
    return {t: fold[function](vs) for t, vs in groups.items() if t >= first}


def across(refs: list[Ref], function: str) -> Ref:
    times = sorted({t for r in refs for t in r})
    out: Ref = {}
    for t in times:
        vs = [r[t] for r in refs if t in r]
        if function == "multiply":
            if len(vs) == len(refs):
                out[t] = math.prod(vs)
            continue
        out[t] = {
            "sum": sum,
            "mean": lambda x: sum(x) / len(x),
            "min": min,
            "max": max,
            "count": lambda x: float(len(x)),
        }[function](vs)
    return out


def derive(r: Ref, reset: bool = False) -> Ref:
    out: Ref = {}
    items = sorted(r.items())
    for (_, before), (t, v) in itertools.pairwise(items):
        d = v - before
        out[t] = v if reset and d < 0 else d
    return out


def integrate(r: Ref) -> Ref:
    total, out = 0.0, {}
    for t, v in sorted(r.items()):
        total += v
        out[t] = total
    return out


def window(r: Ref, size: int, function: str) -> Ref:
    items = sorted(r.items())
    out: Ref = {}
    for i in range(size - 1, len(items)):
        vs = [v for _, v in items[i - size + 1 : i + 1]]
        ordered = sorted(vs)
        median = ordered[len(vs) // 2] if len(vs) % 2 else (ordered[len(vs) // 2 - 1] + ordered[len(vs) // 2]) / 2
        out[items[i][0]] = {
            "mean": sum(vs) / len(vs),
            "sum": sum(vs),
            "min": min(vs),
            "max": max(vs),
            "median": median,
        }[function]
    return out


def fill(r: Ref, start: int, end: int, period: int, value: float | str) -> Ref:
    out = dict(r)
    last = None
    for t in range(start - start % 60, end + 1, 60):
        if t in r:
            last = r[t]
        elif t % period == 0:
            if value == "last":
                if last is not None:
                    out[t] = last
            else:
                out[t] = float(value)
    return out


def score(r: Ref, function: str) -> float:
    vs = list(r.values())
    return {"mean": sum(vs) / len(vs), "sum": sum(vs), "min": min(vs), "max": max(vs)}[function]


def pair(a: Ref, b: Ref, function: str) -> Ref:
    out: Ref = {}
    for t in sorted(set(a) & set(b)):
        if function == "subtract":
            out[t] = a[t] - b[t]
        elif b[t] != 0:
            out[t] = a[t] / b[t]
    return out


def mapped(r: Ref, fn: Callable[[float], float]) -> Ref:
    return {t: fn(v) for t, v in r.items()}


def shifted(r: Ref, seconds: int) -> Ref:
    return {t + seconds: v for t, v in r.items()}
