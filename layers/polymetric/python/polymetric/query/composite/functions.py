"""The function table of the composite language, with each function's arguments and options checked statically.

Sources: the Librato/AppOptics composite metrics language specification (one page per function). Every
function takes a set of series (and sometimes an options map) and returns a set; ``series()``/``s()``
imports stored series. Option values are strings or bare words (``{size: "5"}`` and ``{size: 5}`` alike).

1. Aggregators fold a set into one series, time by time: sum, mean, min, max, count, multiply.
2. Pairwise: divide, subtract take exactly two series; any other count returns the empty set (spec of divide).
3. Transforms keep the set's cardinality: abs, scale, derive, integrate, rate, window, moving_average,
   fill, zero_fill, last_fill.
4. Selectors: top, bottom, filter keep some series whole.
5. Enumerators: timeshift runs its set once per offset; group_by and map run it once per tag value.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from polymetric.query.composite.ast import Call, MapLit, Node, SetLit, Str, Word
from polymetric.query.composite.errors import ExpressionError

SERIES, SET, OPTIONS, STRING, TAGMAP = "series", "set", "options", "string", "tagmap"
AGGREGATORS = ("sum", "mean", "min", "max", "count", "multiply")
RANK_FUNCTIONS = ("min", "max", "mean", "sum")
SERIES_FUNCTIONS = ("min", "max", "mean", "sum", "count")
WINDOW_FUNCTIONS = ("mean", "sum", "min", "max", "median")
MAX_WINDOW = 64
UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
METRIC_PATTERN = re.compile(r"^[A-Za-z0-9.:\-_*]{1,255}$")
_SHIFTS = re.compile(r"^\s*([+-]?\d+(?:\s*,\s*[+-]?\d+)*)\s*([a-z]*)\s*$")


@dataclass(frozen=True)
class Signature:
    """Positional argument kinds; ``required`` of them must be given, ``options`` lists the option parsers."""

    args: tuple[str, ...]
    required: int
    options: dict[str, Callable[[str], Any]]
    required_options: tuple[str, ...] = ()


def _choice(values: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text.lower() not in values:
            raise ValueError(f"must be one of {', '.join(values)}")
        return text.lower()

    return parse


def _bool(text: str) -> bool:
    if text.lower() not in ("true", "false"):
        raise ValueError("must be true or false")
    return text.lower() == "true"


def _positive_int(maximum: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ValueError("must be a whole number") from None
        if value < 1 or (maximum is not None and value > maximum):
            raise ValueError(f"must be between 1 and {maximum}" if maximum else "must be at least 1")
        return value

    return parse


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError("must be a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("must be a finite number")
    return value


def _positive_number(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise ValueError("must be greater than 0")
    return value


def _factor(text: str) -> float:
    """A float ("0.1", "1024") or a simple fraction ("1/1024"), as the spec of scale() allows."""
    if re.fullmatch(r"\s*\d+\s*/\s*\d+\s*", text):
        num, den = (int(p) for p in text.split("/"))
        if den == 0:
            raise ValueError("has a zero denominator")
        return float(Fraction(num, den))
    return _number(text)


def _fill_value(text: str) -> float | str:
    if text.lower() == "last":
        return "last"
    return _number(text)


def parse_shifts(text: str) -> list[int]:
    """Offsets in seconds, positive meaning back in time: "1,7d" -> [86400, 604800]; "+1h" -> [-3600].

    The spec: a comma-separated list of numbers sharing one period abbreviation (s, m, h, d, w; none means
    seconds); shifts go back in time ("7d" == "-7d") unless written with a plus sign ("+7d").
    """
    match = _SHIFTS.match(text.lower())
    if not match or match.group(2) not in UNITS:
        raise ValueError(
            'must be numbers with one unit of s, m, h, d or w, such as "1d" or "0,1,2w" ("+1d" shifts forward)'
        )
    unit = UNITS[match.group(2)]
    out = []
    for part in match.group(1).split(","):
        part = part.strip()
        seconds = int(part.lstrip("+-")) * unit
        out.append(-seconds if part.startswith("+") else seconds)
    return out


_SET_ONLY = Signature((SET,), 1, {})
_RANK = {"count": _positive_int(), "function": _choice(RANK_FUNCTIONS)}
_WINDOW = {"size": _positive_int(MAX_WINDOW), "function": _choice(WINDOW_FUNCTIONS)}
_BOUND = {"gt": _number, "gte": _number, "lt": _number, "lte": _number, "function": _choice(RANK_FUNCTIONS)}

FUNCTIONS: dict[str, Signature] = {
    "series": Signature(
        (STRING, TAGMAP, OPTIONS), 1, {"function": _choice(SERIES_FUNCTIONS), "period": _positive_int()}
    ),
    **dict.fromkeys((*AGGREGATORS, "abs", "integrate", "divide", "subtract", "zero_fill", "last_fill"), _SET_ONLY),
    "derive": Signature((SET, OPTIONS), 1, {"detect_reset": _bool}),
    "rate": Signature((SET, OPTIONS), 1, {"duration": _positive_number}),
    "scale": Signature((SET, OPTIONS), 2, {"factor": _factor}, ("factor",)),
    "window": Signature((SET, OPTIONS), 1, _WINDOW),
    "moving_average": Signature((SET, OPTIONS), 1, {"size": _positive_int(MAX_WINDOW)}),
    "fill": Signature((SET, OPTIONS), 2, {"value": _fill_value}, ("value",)),
    "top": Signature((SET, OPTIONS), 1, _RANK),
    "bottom": Signature((SET, OPTIONS), 1, _RANK),
    "filter": Signature((SET, OPTIONS), 2, _BOUND),
    "timeshift": Signature((STRING, SET), 2, {}),
    "group_by": Signature((STRING, SET), 2, {}),
    "map": Signature((TAGMAP, SET), 2, {}),
}
ALIASES = {"s": "series"}


def canonical(name: str) -> str:
    return ALIASES.get(name, name)


def options(call: Call, param: str = "compose") -> dict[str, Any]:
    """The parsed options map of a call (its argument of kind OPTIONS), defaults left out."""
    sig = FUNCTIONS[canonical(call.name)]
    found: MapLit | None = None
    for kind, arg in zip(sig.args, call.args, strict=False):
        if kind == OPTIONS and isinstance(arg, MapLit):
            found = arg
    out: dict[str, Any] = {}
    for key, value in found.entries if found else ():
        parse = sig.options.get(key)
        if parse is None:
            known = ", ".join(sig.options) or "no options"
            raise ExpressionError(f"{call.name}() has no option {key!r} (it takes {known})", value.position, param)
        text = value.value if isinstance(value, Str) else value.text
        try:
            out[key] = parse(text)
        except ValueError as exc:
            raise ExpressionError(f"{call.name}() option {key} {exc}", value.position, param) from None
    for key in sig.required_options:
        if key not in out:
            raise ExpressionError(f"{call.name}() needs the option {key}", call.position, param)
    return out


def text_of(node: Node) -> str:
    if isinstance(node, Str):
        return node.value
    if isinstance(node, Word):
        return node.text
    raise TypeError(node)


def check(node: Node, param: str = "compose") -> None:
    """Raise ExpressionError unless ``node`` is a set-valued expression whose every call is well formed."""
    if isinstance(node, SetLit):
        for item in node.items:
            check(item, param)
        return
    if not isinstance(node, Call):
        raise ExpressionError("expected a function call or a set of series", node.position, param)
    name = canonical(node.name)
    sig = FUNCTIONS.get(name)
    if sig is None:
        raise ExpressionError(f"unknown function {node.name}()", node.position, param)
    if not sig.required <= len(node.args) <= len(sig.args):
        count = str(sig.required) if sig.required == len(sig.args) else f"{sig.required} to {len(sig.args)}"
        raise ExpressionError(
            f"{node.name}() takes {count} arguments but was given {len(node.args)}", node.position, param
        )
    for kind, arg in zip(sig.args, node.args, strict=False):
        _check_arg(node, kind, arg, param)
    options(node, param)


def _check_arg(call: Call, kind: str, arg: Node, param: str) -> None:
    if kind == SET:
        if not isinstance(arg, Call | SetLit):
            raise ExpressionError(f"{call.name}() expects a set of series here", arg.position, param)
        check(arg, param)
    elif kind == OPTIONS and not isinstance(arg, MapLit):
        raise ExpressionError(f'{call.name}() expects an options map such as {{key: "value"}}', arg.position, param)
    elif kind == STRING:
        if not isinstance(arg, Str | Word):
            raise ExpressionError(f"{call.name}() expects a string here", arg.position, param)
        if canonical(call.name) == "series" and not METRIC_PATTERN.match(text_of(arg)):
            raise ExpressionError(
                "series() needs a metric name of 1 to 255 characters of A-Za-z0-9.:-_ (and * wildcards)",
                arg.position,
                param,
            )
        if canonical(call.name) == "timeshift":
            try:
                parse_shifts(text_of(arg))
            except ValueError as exc:
                raise ExpressionError(f"timeshift() shifts {exc}", arg.position, param) from None
        elif canonical(call.name) == "group_by" and not [t for t in text_of(arg).split(",") if t.strip()]:
            raise ExpressionError("group_by() needs one or more comma-separated tag names", arg.position, param)
    elif kind == TAGMAP:
        _check_tagmap(call, arg, param)


def _check_tagmap(call: Call, arg: Node, param: str) -> None:
    if canonical(call.name) == "series" and isinstance(arg, Str | Word) and text_of(arg) in ("%", "*"):
        return
    if not isinstance(arg, MapLit):
        raise ExpressionError(
            f'{call.name}() expects a map of tag patterns such as {{"host": "*"}}', arg.position, param
        )
    if canonical(call.name) == "map" and not arg.entries:
        raise ExpressionError("map() needs at least one tag name", arg.position, param)


def referenced_metrics(node: Node) -> list[str]:
    """Metric names (or patterns) of every series() call, in order of appearance."""
    if isinstance(node, SetLit):
        return [n for item in node.items for n in referenced_metrics(item)]
    if not isinstance(node, Call):
        return []
    if canonical(node.name) == "series" and node.args and isinstance(node.args[0], Str | Word):
        return [text_of(node.args[0])]
    return [n for arg in node.args for n in referenced_metrics(arg)]
