"""Rate limits: how much of a token's allowance for the current window is left."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RateBudget:
    limit: int
    remaining: int
    reset: int  # epoch seconds when the window ends and the allowance is whole again


REQUESTS = "requests"
MEASUREMENTS = "measurements"
