"""Annotation events: things that happened, on a named stream (deploys, alerts, agent messages)."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Annotation:
    stream: str
    id: int
    title: str
    start_time: int
    end_time: int | None = None
    description: str | None = None
    source: str | None = None
    links: list[dict[str, str]] = field(default_factory=list)
