"""Anomaly conditions on labelled synthetic data: precision and recall of ``query.anomaly``.

200 streams of hourly values over 5 weeks: a level, a daily wave, a weekend dip and gaussian noise
(the seasonal noise the model must not flag). In the fifth week each stream gets labelled anomalies:
single-hour spikes, level shifts of 3-8 hours, and drops (to near zero for 2-5 hours), each 6-12
noise deviations from normal. Every hour of the fifth week is judged against a model fitted on the
four weeks before it, at the default sensitivity; precision and recall count hours.
"""

from collections.abc import Callable
from typing import Any

import numpy as np

from polymetric.domain.alert_rules import DEFAULT_SENSITIVITY
from polymetric.query import anomaly

STREAMS = 200
WEEKS = 5
HOUR = 3600
START = 1_796_515_200  # a Monday, 00:00 UTC


def stream(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(times, values, anomalous) of one synthetic stream."""
    hours = WEEKS * 168
    times = START + HOUR * np.arange(hours, dtype=np.int64)
    level = rng.uniform(50, 500)
    noise = level * rng.uniform(0.01, 0.05)
    hour_of_day = np.arange(hours) % 24
    day = (np.arange(hours) // 24) % 7
    wave = level * rng.uniform(0.1, 0.4) * np.sin(2 * np.pi * (hour_of_day - 6) / 24)
    weekend = np.where(day >= 5, -level * rng.uniform(0.0, 0.3), 0.0)
    values = level + wave + weekend + rng.normal(0, noise, hours)
    labels = np.zeros(hours, dtype=bool)
    last_week = 4 * 168
    for _ in range(rng.integers(2, 5)):
        kind = rng.choice(["spike", "shift", "drop"])
        at = int(rng.integers(last_week, hours - 8))
        size = noise * rng.uniform(6, 12) * rng.choice([-1, 1])
        if kind == "spike":
            span = slice(at, at + 1)
            values[span] += size
        elif kind == "shift":
            span = slice(at, at + int(rng.integers(3, 9)))
            values[span] += size
        else:
            span = slice(at, at + int(rng.integers(2, 6)))
            values[span] = np.minimum(values[span] - abs(size), level * 0.05)
        labels[span] = True
    return times, values, labels


def run(median_seconds: Callable[[Callable[[], Any], int], float]) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    rng = np.random.default_rng(20261206)
    true_pos = false_pos = false_neg = 0
    last_week = 4 * 168
    data = [stream(rng) for _ in range(STREAMS)]
    for times, values, labels in data:
        model = anomaly.fit(times[:last_week], values[:last_week])
        for t, v, label in zip(times[last_week:], values[last_week:], labels[last_week:], strict=True):
            flagged = anomaly.is_anomalous(model, int(t), float(v), DEFAULT_SENSITIVITY)
            true_pos += flagged and label
            false_pos += flagged and not label
            false_neg += label and not flagged
    precision = true_pos / max(true_pos + false_pos, 1)
    recall = true_pos / max(true_pos + false_neg, 1)
    times, values, _ = data[0]
    fit_ms = median_seconds(lambda: anomaly.fit(times[:last_week], values[:last_week]), 20) * 1000
    results = {
        "anomaly_precision": round(float(precision), 3),
        "anomaly_recall": round(float(recall), 3),
        "anomaly_labelled_hours": int(true_pos + false_neg),
        "anomaly_fit_ms_4_weeks": round(fit_ms, 3),
    }
    rows = [
        ("anomaly precision (labelled synthetic data)", f"{precision:.3f}", f"{true_pos + false_neg} labelled hours"),
        ("anomaly recall (labelled synthetic data)", f"{recall:.3f}", f"{true_pos + false_neg} labelled hours"),
    ]
    return results, rows
