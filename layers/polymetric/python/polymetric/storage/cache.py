"""Per-container caches of facts already written (hours registered, series indexed)."""

from collections.abc import Hashable

from polymetric import clock
from polymetric.config import get_settings

_MAX_ENTRIES = 200_000
_ALL: "list[TtlCache | Marks]" = []


class TtlCache:
    """Remembers keys for ``CACHE_SECONDS``; used only to skip idempotent writes, never to answer reads."""

    def __init__(self) -> None:
        self._seen: dict[Hashable, float] = {}
        _ALL.append(self)

    def fresh(self, key: Hashable) -> bool:
        seen = self._seen.get(key)
        return seen is not None and clock.monotonic() - seen < get_settings().CACHE_SECONDS

    def add(self, key: Hashable) -> None:
        if len(self._seen) >= _MAX_ENTRIES:
            self._seen.clear()
        self._seen[key] = clock.monotonic()

    def clear(self) -> None:
        self._seen.clear()


class Marks:
    """The last day each key is known to be marked in storage: trusted until cleared, never to answer reads.

    For facts written at most once a day (series index entries): a container that wrote or read one
    skips it for the rest of the day, however long it lives.
    """

    def __init__(self) -> None:
        self._days: dict[Hashable, int] = {}
        _ALL.append(self)

    def day(self, key: Hashable) -> int:
        return self._days.get(key, -1)

    def mark(self, keys: list[Hashable], day: int) -> None:
        if len(self._days) + len(keys) > _MAX_ENTRIES:
            self._days.clear()
        for key in keys:
            self._days[key] = day

    def clear(self) -> None:
        self._days.clear()


def clear_all() -> None:
    for cache in _ALL:
        cache.clear()
