"""The anomaly model (pure): seasonal baseline by hour of week, robust band, minimum history."""

import numpy as np

from polymetric.query import anomaly

MONDAY = 1_796_515_200


def history(weeks: int, noise: float = 1.0, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    hours = weeks * 168
    times = MONDAY + 3600 * np.arange(hours, dtype=np.int64)
    values = 100 + 20 * np.sin(2 * np.pi * (np.arange(hours) % 24) / 24) + rng.normal(0, noise, hours)
    return times, values


def test_no_model_before_a_week_of_history() -> None:
    times, values = history(1)
    assert anomaly.fit(times[:167], values[:167]) is None
    assert anomaly.fit(times, values) is not None
    assert not anomaly.is_anomalous(None, int(times[-1]), 1e9, 3.0)


def test_seasonal_values_are_normal_and_spikes_are_not() -> None:
    times, values = history(4)
    model = anomaly.fit(times, values)
    assert model is not None
    next_week = times[-1] + 3600 * np.arange(1, 169)
    expected = 100 + 20 * np.sin(2 * np.pi * (np.arange(4 * 168, 5 * 168) % 24) / 24)
    flagged = [anomaly.is_anomalous(model, int(t), float(v), 4.0) for t, v in zip(next_week, expected, strict=True)]
    assert not any(flagged)
    assert anomaly.is_anomalous(model, int(next_week[5]), float(expected[5]) + 15, 4.0)
    assert anomaly.is_anomalous(model, int(next_week[5]), float(expected[5]) - 15, 4.0)


def test_a_flat_stream_still_has_a_band() -> None:
    times = MONDAY + 3600 * np.arange(336, dtype=np.int64)
    model = anomaly.fit(times, np.full(336, 50.0))
    assert model is not None
    assert not anomaly.is_anomalous(model, int(times[-1]) + 3600, 50.0, 3.0)
    assert anomaly.is_anomalous(model, int(times[-1]) + 3600, 60.0, 3.0)
