"""A small raw dataset (two minutes of history per grid minute) for the composite corpus."""

from polymetric.models.metric import COMPOSITE, Metric
from tests.unit.query.composite import memory

T0 = 1_700_000_040  # a multiple of 60 and of 120
START, END = T0, T0 + 9 * 60  # ten one-minute buckets
HISTORY = T0 - 2 * 3600  # data for timeshift reaches two hours back

A = {"host": "a", "region": "us"}
B = {"host": "b", "region": "us"}
C = {"host": "c", "region": "eu"}
CTR = {"host": "a"}


def _minutes() -> range:
    return range((END - HISTORY) // 60 + 1)


def _raw() -> memory.Raw:
    cpu_a, cpu_b, cpu_c, mem_a, mem_b, ctr = [], [], [], [], [], []
    counter = 0.0
    for i in _minutes():
        t = HISTORY + 60 * i
        cpu_a.append((t, (i % 7) + 1.5))
        if i % 3 == 0:
            cpu_a.append((t + 30, (i % 7) + 3.5))  # two samples in one bucket: the bucket is their mean
        if i % 4 != 1:
            cpu_b.append((t, 10.0 + (i % 5)))
        if i % 6 not in (0, 1):
            cpu_c.append((t, -(i % 3) - 0.5))
        mem_a.append((t, 100.0 + i))
        mem_b.append((t, 0.0 if i % 9 == 4 else 50.0 + 2 * i))  # some zero divisors
        counter = 2.0 if i % 11 == 7 else counter + 5.0  # a counter that resets now and then
        ctr.append((t, counter))
    return {
        "cpu": [(A, cpu_a), (B, cpu_b), (C, cpu_c)],
        "mem": [(A, mem_a), (B, mem_b)],
        "ctr": [(CTR, ctr)],
    }


RAW = _raw()
METRICS = {
    "mem": Metric(name="mem", period=300),
    "comp": Metric(name="comp", type=COMPOSITE, composite='s("cpu", "*")'),
}


def reader() -> memory.MemoryReader:
    return memory.MemoryReader(RAW, METRICS)


def ref(metric: str, tags: dict[str, str], function: str = "mean", step: int = 60, shift: int = 0) -> memory.Ref:
    """The reference series of one stored series, bucketed in plain Python (shifted: read ``shift`` s earlier)."""
    samples = next(s for t, s in RAW[metric] if t == tags)
    return memory.shifted(memory.buckets(samples, START - shift, END - shift, step, function), shift)
