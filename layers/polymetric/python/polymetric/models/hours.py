"""Whole hours and days of epoch seconds (UTC): the grain samples are stored, compacted and rolled up at."""

HOUR = 3600
DAY = 86400


def hour_of(t: int) -> int:
    """The start of the hour ``t`` falls in."""
    return t - t % HOUR


def day_of(t: int) -> int:
    """The start of the day ``t`` falls in."""
    return t - t % DAY
