"""The composite corpus: every function, nested combinations, checked against plain-Python references."""

from collections.abc import Callable

import pytest

from tests.unit.query.composite import memory
from tests.unit.query.composite.dataset import CTR, END, START, A, B, C, reader, ref

Expected = list[tuple[dict[str, str], memory.Ref]]
US = {"region": "us"}
EU_C = C


def cpu(tags: dict[str, str] = A, **kw) -> memory.Ref:
    return ref("cpu", tags, **kw)


def us_sum(**kw) -> memory.Ref:
    return memory.across([cpu(A, **kw), cpu(B, **kw)], "sum")


def _top(function: str, count: int, reverse: bool) -> Expected:
    ranked = sorted([A, B, C], key=lambda t: memory.score(cpu(t), function), reverse=reverse)
    return [(t, cpu(t)) for t in ranked[:count]]


def _filter(keep: Callable[[float], bool], function: str = "mean") -> Expected:
    return [(t, cpu(t)) for t in (A, B, C) if keep(memory.score(cpu(t), function))]


CASES: list[tuple[str, Callable[[], Expected]]] = [
    # series() and its options
    ('s("cpu", {"host": "a"})', lambda: [(A, cpu())]),
    ('series("cpu", {"host": "a"})', lambda: [(A, cpu())]),
    ("s('cpu', {host: 'a'})", lambda: [(A, cpu())]),
    ('s("cpu", {"region": "us"})', lambda: [(A, cpu(A)), (B, cpu(B))]),
    ('s("cpu", {})', lambda: [(A, cpu(A)), (B, cpu(B)), (C, cpu(C))]),
    ('s("cpu", "*")', lambda: [(A, cpu(A)), (B, cpu(B)), (C, cpu(C))]),
    ('s("cpu")', lambda: [(A, cpu(A)), (B, cpu(B)), (C, cpu(C))]),
    ('s("cpu", {"host": "!a"})', lambda: [(B, cpu(B)), (C, cpu(C))]),
    ('s("cpu", {"region": "u*", "host": "b"})', lambda: [(B, cpu(B))]),
    ('s("CPU", {"HOST": "A"})', lambda: [(A, cpu())]),
    ('s("c*", {"host": "a"})', lambda: [(A, cpu()), (CTR, ref("ctr", CTR))]),
    ('s("cpu", {"host": "a"}, {function: "max"})', lambda: [(A, cpu(function="max"))]),
    ('s("cpu", {"host": "a"}, {function: "min"})', lambda: [(A, cpu(function="min"))]),
    ('s("cpu", {"host": "a"}, {function: "sum"})', lambda: [(A, cpu(function="sum"))]),
    ('s("cpu", {"host": "a"}, {function: "count"})', lambda: [(A, cpu(function="count"))]),
    ('s("cpu", {"host": "a"}, {period: "120"})', lambda: [(A, cpu(step=120))]),
    ('s("cpu", {"host": "a"}, {period: 90, function: "sum"})', lambda: [(A, cpu(step=120, function="sum"))]),
    ('s("nothing", "*")', lambda: []),
    ("[]", lambda: []),
    # aggregators
    ('sum(s("cpu", "*"))', lambda: [({}, memory.across([cpu(A), cpu(B), cpu(C)], "sum"))]),
    ('sum(s("cpu", {"region": "us"}))', lambda: [(US, us_sum())]),
    ('mean(s("cpu", "*"))', lambda: [({}, memory.across([cpu(A), cpu(B), cpu(C)], "mean"))]),
    ('min(s("cpu", "*"))', lambda: [({}, memory.across([cpu(A), cpu(B), cpu(C)], "min"))]),
    ('max(s("cpu", "*"))', lambda: [({}, memory.across([cpu(A), cpu(B), cpu(C)], "max"))]),
    ('count(s("cpu", "*"))', lambda: [({}, memory.across([cpu(A), cpu(B), cpu(C)], "count"))]),
    ('multiply(s("mem", "*"))', lambda: [(US, memory.across([ref("mem", A), ref("mem", B)], "multiply"))]),
    ('multiply(s("cpu", {"region": "us"}))', lambda: [(US, memory.across([cpu(A), cpu(B)], "multiply"))]),
    (
        'sum([s("cpu", {"host": "a"}), s("mem", {"host": "a"})])',
        lambda: [(A, memory.across([cpu(), ref("mem", A)], "sum"))],
    ),
    ('sum(s("nothing", "*"))', lambda: []),
    ('sum(s("cpu", {"host": "c"}))', lambda: [(C, cpu(C))]),
    # pairwise: exactly two series, else the empty set
    (
        'divide([s("mem", {"host": "a"}), s("mem", {"host": "b"})])',
        lambda: [(US, memory.pair(ref("mem", A), ref("mem", B), "divide"))],
    ),
    ('divide(s("mem", "*"))', lambda: [(US, memory.pair(ref("mem", A), ref("mem", B), "divide"))]),
    (
        'divide([sum(s("mem", "*")), sum(s("cpu", {"region": "us"}))])',
        lambda: [(US, memory.pair(memory.across([ref("mem", A), ref("mem", B)], "sum"), us_sum(), "divide"))],
    ),
    ('divide(s("cpu", "*"))', lambda: []),
    ('divide([s("cpu", {"host": "a"})])', lambda: []),
    (
        'subtract([s("mem", {"host": "a"}), s("mem", {"host": "b"})])',
        lambda: [(US, memory.pair(ref("mem", A), ref("mem", B), "subtract"))],
    ),
    (
        'subtract([s("cpu", {"host": "a"}), s("cpu", {"host": "c"})])',
        lambda: [({}, memory.pair(cpu(A), cpu(C), "subtract"))],
    ),
    ('subtract(s("cpu", "*"))', lambda: []),
    # transforms
    ('abs(s("cpu", {"host": "c"}))', lambda: [(C, memory.mapped(cpu(C), abs))]),
    ('scale(s("cpu", {"host": "a"}), {factor: "2.5"})', lambda: [(A, memory.mapped(cpu(), lambda v: v * 2.5))]),
    ('scale(s("cpu", {"host": "a"}), {factor: "1/4"})', lambda: [(A, memory.mapped(cpu(), lambda v: v / 4))]),
    ('scale(s("cpu", {"host": "a"}), {factor: -3})', lambda: [(A, memory.mapped(cpu(), lambda v: v * -3))]),
    ('derive(s("ctr", "*"))', lambda: [(CTR, memory.derive(ref("ctr", CTR)))]),
    ('derive(s("ctr", "*"), {detect_reset: "true"})', lambda: [(CTR, memory.derive(ref("ctr", CTR), reset=True))]),
    ('derive(s("ctr", "*"), {detect_reset: false})', lambda: [(CTR, memory.derive(ref("ctr", CTR)))]),
    ('derive(s("cpu", {"host": "b"}))', lambda: [(B, memory.derive(cpu(B)))]),
    ('integrate(s("cpu", {"host": "b"}))', lambda: [(B, memory.integrate(cpu(B)))]),
    ('rate(s("ctr", "*"))', lambda: [(CTR, memory.mapped(ref("ctr", CTR), lambda v: v / 60))]),
    ('rate(s("ctr", "*"), {duration: "60"})', lambda: [(CTR, ref("ctr", CTR))]),
    ('rate(s("cpu", {"host": "a"}, {period: "120"}))', lambda: [(A, memory.mapped(cpu(step=120), lambda v: v / 120))]),
    (
        'rate(s("mem", {"host": "a"}), {duration: 30})',
        lambda: [(A, memory.mapped(ref("mem", A), lambda v: v / 300 * 30))],
    ),
    ('window(s("cpu", {"host": "b"}), {size: "3"})', lambda: [(B, memory.window(cpu(B), 3, "mean"))]),
    ('window(s("cpu", {"host": "b"}), {size: 3, function: "sum"})', lambda: [(B, memory.window(cpu(B), 3, "sum"))]),
    ('window(s("cpu", {"host": "c"}), {size: "2", function: "min"})', lambda: [(C, memory.window(cpu(C), 2, "min"))]),
    ('window(s("cpu", {"host": "a"}), {size: "4", function: "max"})', lambda: [(A, memory.window(cpu(A), 4, "max"))]),
    (
        'window(s("cpu", {"host": "a"}), {size: "4", function: "median"})',
        lambda: [(A, memory.window(cpu(A), 4, "median"))],
    ),
    (
        'window(s("cpu", {"host": "a"}), {size: "3", function: "median"})',
        lambda: [(A, memory.window(cpu(A), 3, "median"))],
    ),
    ('window(s("cpu", {"host": "a"}))', lambda: [(A, cpu())]),
    ('window(s("cpu", {"host": "a"}), {size: "64"})', lambda: [(A, {})]),
    ('moving_average(s("cpu", {"host": "b"}), {size: "2"})', lambda: [(B, memory.window(cpu(B), 2, "mean"))]),
    ('fill(s("cpu", {"host": "b"}), {value: "0"})', lambda: [(B, memory.fill(cpu(B), START, END, 60, 0))]),
    ('fill(s("cpu", {"host": "b"}), {value: "last"})', lambda: [(B, memory.fill(cpu(B), START, END, 60, "last"))]),
    (
        'fill(s("cpu", {"host": "c"}, {period: "120"}), {value: "7"})',
        lambda: [(C, memory.fill(cpu(C, step=120), START, END, 120, 7))],
    ),
    ('zero_fill(s("cpu", {"host": "c"}))', lambda: [(C, memory.fill(cpu(C), START, END, 60, 0))]),
    ('last_fill(s("cpu", {"host": "c"}))', lambda: [(C, memory.fill(cpu(C), START, END, 60, "last"))]),
    # selectors
    ('top(s("cpu", "*"), {count: "2"})', lambda: _top("mean", 2, reverse=True)),
    ('top(s("cpu", "*"), {count: 1, function: "max"})', lambda: _top("max", 1, reverse=True)),
    ('top(s("cpu", "*"), {function: "sum"})', lambda: _top("sum", 3, reverse=True)),
    ('bottom(s("cpu", "*"), {count: "2"})', lambda: _top("mean", 2, reverse=False)),
    ('bottom(s("cpu", "*"), {function: "min"})', lambda: _top("min", 3, reverse=False)),
    ('filter(s("cpu", "*"), {gt: "5"})', lambda: _filter(lambda x: x > 5)),
    ('filter(s("cpu", "*"), {lt: "0", function: "max"})', lambda: _filter(lambda x: x < 0, "max")),
    ('filter(s("cpu", "*"), {gte: "2", lte: "12"})', lambda: _filter(lambda x: 2 <= x <= 12)),
    ('filter(s("cpu", "*"), {gt: 1000})', lambda: []),
    # enumerators
    ('timeshift("1h", s("cpu", {"host": "a"}))', lambda: [(A, cpu(shift=3600))]),
    ('timeshift("0,1h", s("cpu", {"host": "a"}))', lambda: [(A, cpu()), (A, cpu(shift=3600))]),
    ('timeshift("-60m", s("cpu", {"host": "a"}))', lambda: [(A, cpu(shift=3600))]),
    ('timeshift("3600", s("cpu", {"host": "a"}))', lambda: [(A, cpu(shift=3600))]),
    ('timeshift("0w", s("cpu", {"host": "a"}))', lambda: [(A, cpu())]),
    ('timeshift("+1h", s("cpu", {"host": "a"}))', lambda: [(A, {})]),  # no data in the future
    (
        'timeshift("1,2h", sum(s("cpu", {"region": "us"})))',
        lambda: [(US, us_sum(shift=3600)), (US, us_sum(shift=7200))],
    ),
    ('group_by("region", sum(s("cpu", "*")))', lambda: [(C, cpu(C)), (US, us_sum())]),
    ('group_by("host,region", s("cpu", "*"))', lambda: [(A, cpu(A)), (B, cpu(B)), (C, cpu(C))]),
    (
        'group_by("region", divide([sum(s("mem", "*")), sum(s("cpu", "*"))]))',
        lambda: [(US, memory.pair(memory.across([ref("mem", A), ref("mem", B)], "sum"), us_sum(), "divide"))],
    ),
    ('group_by("zone", s("cpu", "*"))', lambda: []),
    ('map({host: "*"}, max(s("cpu", "*")))', lambda: [(A, cpu(A)), (B, cpu(B)), (C, cpu(C))]),
    ('map({region: "u*"}, count(s("cpu", "*")))', lambda: [(US, memory.across([cpu(A), cpu(B)], "count"))]),
    # nested combinations
    ('sum(derive(s("ctr", "*"), {detect_reset: "true"}))', lambda: [(CTR, memory.derive(ref("ctr", CTR), reset=True))]),
    (
        'scale(integrate(abs(s("cpu", {"host": "c"}))), {factor: "1/2"})',
        lambda: [(C, memory.mapped(memory.integrate(memory.mapped(cpu(C), abs)), lambda v: v / 2))],
    ),
    (
        'divide([timeshift("1h", sum(s("cpu", {"region": "us"}))), sum(s("cpu", {"region": "us"}))])',
        lambda: [(US, memory.pair(us_sum(shift=3600), us_sum(), "divide"))],
    ),
    (
        'moving_average(top(s("cpu", "*"), {count: "1"}), {size: "3"})',
        lambda: [(t, memory.window(r, 3, "mean")) for t, r in _top("mean", 1, True)],
    ),
    ('[s("cpu", {"host": "a"}), [s("mem", {"host": "a"})]]', lambda: [(A, cpu()), (A, ref("mem", A))]),
    (
        'rate(derive(s("ctr", "*"), {detect_reset: "true"}), {duration: "1"})',
        lambda: [(CTR, memory.mapped(memory.derive(ref("ctr", CTR), reset=True), lambda v: v / 60))],
    ),
    (
        'max(timeshift("0,1h", s("cpu", {"host": "b"})))',
        lambda: [(B, memory.across([cpu(B), cpu(B, shift=3600)], "max"))],
    ),
    ('zero_fill(sum(s("cpu", {"host": "c"})))', lambda: [(C, memory.fill(cpu(C), START, END, 60, 0))]),
    (
        'filter(window(s("cpu", "*"), {size: 2}), {gt: "0"})',
        lambda: [(t, memory.window(cpu(t), 2, "mean")) for t in (A, B)],
    ),
    ('group_by("region", top(s("cpu", "*"), {count: 1}))', lambda: [(C, cpu(C)), (B, cpu(B))]),
]


def _approx(expected: Expected) -> list:
    return [(tags, {t: pytest.approx(v) for t, v in r.items()}) for tags, r in expected]


@pytest.mark.parametrize(("expression", "expected"), CASES, ids=[c[0] for c in CASES])
def test_expression_matches_reference(expression: str, expected: Callable[[], Expected]) -> None:
    assert memory.run(expression, reader(), START, END) == _approx(expected())


def test_corpus_covers_every_function() -> None:
    from polymetric.query.composite.functions import ALIASES, FUNCTIONS

    used = {name for expression, _ in CASES for name in (*FUNCTIONS, *ALIASES) if f"{name}(" in expression}
    assert used >= set(FUNCTIONS) | set(ALIASES)
    assert len(CASES) >= 60


@pytest.mark.parametrize(
    ("expression", "loads"),
    [
        ('sum(s("cpu", "*"))', 1),
        ('group_by("region", sum(s("cpu", "*")))', 1),  # groups filter the one read in memory
        ('map({host: "*"}, derive(s("cpu", "*")))', 1),
        ('divide([sum(s("mem", "*")), sum(s("cpu", "*"))])', 2),
        ('timeshift("0,1h", s("cpu", "*"))', 2),  # each offset reads its own window
        ('s("c*", "*")', 2),  # one read per matching metric
        ('s("nothing", "*")', 0),
    ],
)
def test_each_series_call_reads_once_per_metric_and_window(expression: str, loads: int) -> None:
    r = reader()
    memory.run(expression, r, START, END)
    assert r.loads == loads


def test_dynamic_tags_narrow_every_series_call() -> None:
    from polymetric.query import tags_search

    search = tags_search.parse("host=a or region=eu")
    got = memory.run('[s("cpu", "%"), s("mem", {"region": "us"})]', reader(), START, END, dynamic=search)
    assert [tags for tags, _ in got] == [A, C, A]
