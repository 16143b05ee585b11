"""Each documented error of the composite language: a 400 (InvalidInputError) naming the parameter and position."""

import pytest

from polymetric.errors import InvalidInputError
from polymetric.query import limits
from polymetric.query.composite import functions, parser
from polymetric.query.composite.errors import ExpressionError
from tests.unit.query.composite import memory
from tests.unit.query.composite.dataset import END, START, reader

SHIFTS_ERROR = (
    'timeshift() shifts must be numbers with one unit of s, m, h, d or w, such as "1d" or "0,1,2w"'
    ' ("+1d" shifts forward) at position 11'
)


def _error(expression: str) -> str:
    with pytest.raises(ExpressionError) as info:
        functions.check(parser.parse(expression))
    return info.value.params["compose"][0]


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("", "empty expression at position 1"),
        ("   ", "empty expression at position 4"),
        ('sum(s("cpu", "*")', "expected ',' or ')' but found end of input at position 18"),
        ('sum(s("cpu", "*")))', "unexpected ')' after the expression at position 19"),
        ('sum (s("cpu", "*"))', "no whitespace is allowed between sum and '(' at position 5"),
        ('s("cpu, "*")', "unterminated string at position 11"),
        ('s("cpu" "*")', "expected ',' or ')' but found string '*' at position 9"),
        ('s("cpu", {"host" "a"})', "expected ':' but found string 'a' at position 18"),
        ('s("cpu", {"host": "a", "host": "b"})', "duplicate map key 'host' at position 24"),
        ('s("cpu", {: "a"})', "expected a map key but found ':' at position 11"),
        ('s("cpu", {"host": [1]})', "expected a value for 'host' but found '[' at position 19"),
        ("[s('a'), ]", "expected a function, a set, a map or a value but found ']' at position 10"),
        ('foo(s("cpu", "*"))', "unknown function foo() at position 1"),
        ("divide()", "divide() takes 1 arguments but was given 0 at position 1"),
        ('sum(s("a"), s("b"))', "sum() takes 1 arguments but was given 2 at position 1"),
        ('sum("cpu")', "sum() expects a set of series here at position 5"),
        ('"cpu"', "expected a function call or a set of series at position 1"),
        ('derive(s("a"), "true")', 'derive() expects an options map such as {key: "value"} at position 16'),
        (
            'derive(s("a"), {detect_reset: "maybe"})',
            "derive() option detect_reset must be true or false at position 31",
        ),
        ('derive(s("a"), {reset: "true"})', "derive() has no option 'reset' (it takes detect_reset) at position 24"),
        ('window(s("a"), {size: "65"})', "window() option size must be between 1 and 64 at position 23"),
        ('window(s("a"), {size: "0"})', "window() option size must be between 1 and 64 at position 23"),
        (
            'window(s("a"), {function: "p99"})',
            "window() option function must be one of mean, sum, min, max, median at position 27",
        ),
        ('scale(s("a"), {factor: "x"})', "scale() option factor must be a number at position 24"),
        ('scale(s("a"), {factor: "1/0"})', "scale() option factor has a zero denominator at position 24"),
        ('scale(s("a"), {})', "scale() needs the option factor at position 1"),
        ('fill(s("a"), {})', "fill() needs the option value at position 1"),
        ('fill(s("a"), {value: "next"})', "fill() option value must be a number at position 22"),
        ('rate(s("a"), {duration: "0"})', "rate() option duration must be greater than 0 at position 25"),
        ('top(s("a"), {count: "0"})', "top() option count must be at least 1 at position 21"),
        ('filter(s("a"), {gt: "big"})', "filter() option gt must be a number at position 21"),
        (
            'filter(s("a"), {function: "median", gt: 1})',
            "filter() option function must be one of min, max, mean, sum at position 27",
        ),
        (
            's("a", "*", {function: "p50"})',
            "s() option function must be one of min, max, mean, sum, count at position 24",
        ),
        ('s("a", "*", {period: "-60"})', "s() option period must be at least 1 at position 22"),
        ('s("a", 5)', 's() expects a map of tag patterns such as {"host": "*"} at position 8'),
        ('s({"a": "b"})', "s() expects a string here at position 3"),
        (
            's("")',
            "series() needs a metric name of 1 to 255 characters of A-Za-z0-9.:-_ (and * wildcards) at position 3",
        ),
        (
            's("a b")',
            "series() needs a metric name of 1 to 255 characters of A-Za-z0-9.:-_ (and * wildcards) at position 3",
        ),
        (
            'timeshift("1y", s("a"))',
            SHIFTS_ERROR,
        ),
        (
            'timeshift("1d,2h", s("a"))',
            SHIFTS_ERROR,
        ),
        ('group_by(" , ", s("a"))', "group_by() needs one or more comma-separated tag names at position 10"),
        ('map({}, s("a"))', "map() needs at least one tag name at position 5"),
        ("sum(" * 40 + "s('a')" + ")" * 40, "expression nested deeper than 32 levels at position 129"),
    ],
)
def test_syntax_and_type_errors_name_the_position(expression: str, message: str) -> None:
    assert _error(expression) == message


def test_errors_are_bad_input_on_the_given_parameter() -> None:
    with pytest.raises(InvalidInputError) as info:
        parser.parse("sum(", param="composite")
    assert list(info.value.params) == ["composite"]
    assert ExpressionError("x", 3).for_param("tags_search").params == {"tags_search": ["x at position 3"]}


def test_overlong_expressions_are_refused() -> None:
    assert _error("s('a')" + " " * parser.MAX_LENGTH).startswith("expression longer than 4096 characters")


def test_series_of_a_composite_metric_cannot_be_nested() -> None:
    with pytest.raises(InvalidInputError) as info:
        memory.run('sum(s("comp", "*"))', reader(), START, END)
    assert info.value.params["compose"] == [
        "series() cannot read composite metric comp: composite metrics cannot be nested"
    ]


def test_too_many_series_answers_how_to_narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SERIES", 2)
    with pytest.raises(InvalidInputError) as info:
        memory.run('sum(s("cpu", "*"))', reader(), START, END)
    assert info.value.params["compose"] == [f"series('cpu') matches 3 series, more than 2; {limits.NARROW}"]


def test_too_many_points_answers_how_to_narrow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_POINTS", 25)
    with pytest.raises(InvalidInputError) as info:
        memory.run('s("cpu", "*")', reader(), START, END)
    assert info.value.params["compose"] == [
        f"the query covers 3 series × 10 time buckets, more than 25 points; {limits.NARROW}"
    ]


def test_a_window_of_more_buckets_than_a_query_may_hold_is_refused_without_series(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Found by the fuzz run: s("cpu", "*") at resolution=1 from start_time=1 allocated 1.8 billion grid times.
    monkeypatch.setattr(limits, "MAX_POINTS", 25)
    with pytest.raises(InvalidInputError) as info:
        memory.run('s("nothing", "*")', reader(), START, START + 60 * 30)
    assert info.value.params["compose"] == [
        f"the query covers 1 series × 31 time buckets, more than 25 points; {limits.NARROW}"
    ]
