"""Librato's ``stddev_m2`` summary field, as the documentation defines it and as real agents send it.

Librato documents ``stddev_m2`` as the running sum of squared deviations from the mean (Welford's M2):
population stddev = sqrt(m2 / count). statsd-librato-backend (2.0.16, the current release) fills it with
the *sample* standard deviation s of the flushed timer values instead; the population stddev statsd
itself reports (``std``) is then s * sqrt((count - 1) / count). The agent is known by its User-Agent.
"""

import math

_SAMPLE_STDDEV_AGENTS = ("statsd-librato-backend/",)


def sends_sample_stddev(user_agent: str | None) -> bool:
    return user_agent is not None and user_agent.startswith(_SAMPLE_STDDEV_AGENTS)


def population_stddev(m2: float, count: float, *, sample_stddev: bool) -> float:
    """The population stddev from a non-negative ``stddev_m2`` and a positive ``count``."""
    if sample_stddev:
        return m2 * math.sqrt((count - 1) / count) if count > 1 else 0.0
    return math.sqrt(m2 / count)
