"""Tag filters of ``GET /v1/measurements/:name`` (seed: Tag Search Parameters, Tag Negation).

1. The same tag name given several times is an OR of its patterns; different names are an AND.
2. ``*`` is a wildcard in names and values; nothing else is special (``?`` is a legal value character).
3. ``!pattern`` as a value: the series has the tag and its value does not match.
4. ``!name`` as a name: the series does not have that tag.
5. Matching is case-insensitive.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

# The one tag rule (AppOptics, seed: Measurements): names /\A[-.:_\w]{1,64}\z/, values /\A[-.:_?\\\/\w ]{1,255}\z/,
# at most 50 per series. Every dialect that writes series keeps to it (or leaves the tag out, where its own
# service is laxer: CloudWisdom, Argus).
TAG_NAME_CHARS = r"[-.:_\w]"
TAG_VALUE_CHARS = r"[-.:_?\\/\w ]"
TAG_NAME_MAX = 64
TAG_VALUE_MAX = 255
MAX_TAGS = 50
TAG_NAME = re.compile(rf"{TAG_NAME_CHARS}{{1,{TAG_NAME_MAX}}}")
TAG_VALUE = re.compile(rf"{TAG_VALUE_CHARS}{{1,{TAG_VALUE_MAX}}}")


def is_tag(name: str, value: str) -> bool:
    """Whether (name, value) may tag a series."""
    return TAG_NAME.fullmatch(name) is not None and TAG_VALUE.fullmatch(value) is not None


class TagMatcher(Protocol):
    """What selects series by their tags: a ``TagFilter``, a parsed ``tags_search``, or several of them."""

    def matches(self, tags: Mapping[str, str]) -> bool: ...


@lru_cache(maxsize=1024)
def wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(re.escape(p) for p in pattern.lower().split("*")) + "$", re.DOTALL)


@dataclass(frozen=True)
class TagTerm:
    name: str
    positives: tuple[str, ...] = ()
    negatives: tuple[str, ...] = ()
    absent: bool = False

    def matches(self, tags: Mapping[str, str]) -> bool:
        name_re = wildcard(self.name)
        values = [v for k, v in tags.items() if name_re.match(k)]
        if self.absent:
            return not values
        if not values:
            return False
        return any(
            (not self.positives or any(wildcard(p).match(v) for p in self.positives))
            and not any(wildcard(n).match(v) for n in self.negatives)
            for v in values
        )


@dataclass(frozen=True)
class TagFilter:
    terms: tuple[TagTerm, ...] = field(default_factory=tuple)

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> "TagFilter":
        by_name: dict[str, tuple[list[str], list[str], bool]] = {}
        for name, value in pairs:
            absent = name.startswith("!")
            key = name[1:] if absent else name
            pos, neg, _was_absent = by_name.setdefault(key.lower(), ([], [], False))
            if absent:
                by_name[key.lower()] = (pos, neg, True)
            elif value.startswith("!"):
                neg.append(value[1:])
            elif value not in ("", "*"):
                pos.append(value)
        return cls(tuple(TagTerm(n, tuple(p), tuple(ng), a) for n, (p, ng, a) in sorted(by_name.items())))

    def matches(self, tags: Mapping[str, str]) -> bool:
        lowered = {k.lower(): v.lower() for k, v in tags.items()}
        return all(t.matches(lowered) for t in self.terms)
