"""A small per-container cache of facts already written (hours registered, series registered)."""

from collections.abc import Hashable

from polymetric import clock
from polymetric.config import get_settings

_MAX_ENTRIES = 200_000
_ALL: "list[TtlCache]" = []


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


def clear_all() -> None:
    for cache in _ALL:
        cache.clear()
