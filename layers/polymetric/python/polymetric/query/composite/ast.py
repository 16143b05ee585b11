"""Syntax tree of a composite expression, and its canonical text (``unparse``).

Positions are kept for error messages but take no part in equality, so ``parse(unparse(t)) == t``.
"""

import re
from dataclasses import dataclass, field

_BARE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


@dataclass(frozen=True)
class Str:
    value: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Word:
    """A bare word: a number or a name written without quotes (``{size: 5}``, ``{detect_reset: true}``)."""

    text: str
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class MapLit:
    entries: tuple[tuple[str, "Str | Word"], ...]
    position: int = field(default=0, compare=False)

    def get(self, key: str) -> "Str | Word | None":
        for k, v in self.entries:
            if k == key:
                return v
        return None


@dataclass(frozen=True)
class SetLit:
    items: tuple["Node", ...]
    position: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple["Node", ...]
    position: int = field(default=0, compare=False)


Node = Str | Word | MapLit | SetLit | Call


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unparse(node: Node) -> str:
    if isinstance(node, Str):
        return quote(node.value)
    if isinstance(node, Word):
        return node.text
    if isinstance(node, MapLit):
        return "{" + ", ".join(f"{k if _BARE.match(k) else quote(k)}: {unparse(v)}" for k, v in node.entries) + "}"
    if isinstance(node, SetLit):
        return "[" + ", ".join(unparse(i) for i in node.items) + "]"
    return f"{node.name}(" + ", ".join(unparse(a) for a in node.args) + ")"
