"""Property tests: parser round-trips and algebraic identities of the evaluator on random data."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from polymetric.query import resample
from polymetric.query.composite import ast, parser
from tests.unit.query.composite import memory

T0 = 1_700_000_040
END = T0 + 29 * 60

# ---- round trips ----

_word = st.from_regex(r"[A-Za-z0-9_.*\-+@%/]{1,8}", fullmatch=True)
_name = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True)
_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
_scalar = st.one_of(st.builds(ast.Str, _text), st.builds(ast.Word, _word))
_map = st.builds(
    ast.MapLit,
    st.lists(st.tuples(_text, _scalar), max_size=3, unique_by=lambda kv: kv[0]).map(tuple),
)


def _nodes(children: st.SearchStrategy[ast.Node]) -> st.SearchStrategy[ast.Node]:
    return st.one_of(
        st.builds(ast.SetLit, st.lists(children, max_size=3).map(tuple)),
        st.builds(ast.Call, _name, st.lists(children, max_size=3).map(tuple)),
    )


trees = st.recursive(st.one_of(_scalar, _map), _nodes, max_leaves=12)


@given(trees)
def test_unparse_then_parse_gives_the_same_tree(tree: ast.Node) -> None:
    assert parser.parse(ast.unparse(tree)) == tree


@given(trees)
def test_canonical_text_is_a_fixed_point(tree: ast.Node) -> None:
    text = ast.unparse(tree)
    assert ast.unparse(parser.parse(text)) == text


# ---- identities over random series ----

_points = st.dictionaries(
    st.integers(0, 29), st.floats(-1000, 1000, allow_nan=False).map(lambda v: round(v, 3)), max_size=30
)
datasets = st.lists(_points, min_size=1, max_size=5)


def _reader(data: list[dict[int, float]]) -> memory.MemoryReader:
    raw = {
        "m": [
            ({"host": f"h{i}", "g": f"g{i % 2}"}, [(T0 + 60 * k, v) for k, v in sorted(p.items())])
            for i, p in enumerate(data)
        ]
    }
    return memory.MemoryReader(raw)


def _run(expression: str, data: list[dict[int, float]]) -> list[tuple[dict[str, str], memory.Ref]]:
    return memory.run(expression, _reader(data), T0, END)


def _refs(data: list[dict[int, float]]) -> list[memory.Ref]:
    return [{T0 + 60 * k: v for k, v in p.items()} for p in data]


def _by_host(results: list[tuple[dict[str, str], memory.Ref]]) -> list[memory.Ref]:
    """Results in data order (the engine orders series by their tag pairs)."""
    found = {tags["host"]: ref for tags, ref in results}
    return [found[f"h{i}"] for i in range(len(found))]


def _close(a: memory.Ref, b: memory.Ref) -> bool:
    return a.keys() == b.keys() and all(a[t] == pytest.approx(b[t], rel=1e-9, abs=1e-6) for t in a)


@settings(max_examples=60, deadline=None)
@given(datasets)
def test_sum_of_a_breakout_equals_the_grouped_sum(data: list[dict[int, float]]) -> None:
    """sum(s()) and group_by() agree with the plain query engine's group step (resample.group)."""
    reader = _reader(data)
    metric, series = reader.select("m", _All())[0]
    buckets, values = resample.summarize(reader.load(metric, series, T0, END, 60), "mean")
    group_of = np.array([int(s.tags["g"][1:]) for s in series], dtype=np.int64)
    g, times, out = resample.group(buckets, values, group_of, "sum")
    expected = {f"g{gi}": {} for gi in sorted(set(group_of.tolist()))}
    for gi, t, v in zip(g.tolist(), times.tolist(), out.tolist(), strict=True):
        expected[f"g{gi}"][t] = v
    grouped = _run('group_by("g", sum(s("m", "*")))', data)
    assert [t["g"] for t, _ in grouped] == list(expected)
    for tags, ref in grouped:
        assert _close(ref, expected[tags["g"]])
    total = _run('sum(s("m", "*"))', data)
    everything = memory.across(_refs(data), "sum")
    assert _close(total[0][1], everything) if total else not everything


class _All:
    def matches(self, tags) -> bool:
        return True


@settings(max_examples=60, deadline=None)
@given(datasets)
def test_derive_of_integrate_gives_back_the_series(data: list[dict[int, float]]) -> None:
    for derived, ref in zip(_by_host(_run('derive(integrate(s("m", "*")))', data)), _refs(data), strict=True):
        assert _close(derived, {t: v for t, v in ref.items() if t != min(ref)})


@settings(max_examples=60, deadline=None)
@given(datasets)
def test_integrate_of_derive_is_the_change_since_the_first_point(data: list[dict[int, float]]) -> None:
    for out, ref in zip(_by_host(_run('integrate(derive(s("m", "*")))', data)), _refs(data), strict=True):
        first = ref[min(ref)] if ref else 0.0
        assert _close(out, {t: v - first for t, v in ref.items() if t != min(ref)})


@settings(max_examples=40, deadline=None)
@given(datasets, st.integers(-9, 9), st.integers(1, 9))
def test_scales_compose_and_identities_hold(data: list[dict[int, float]], a: int, b: int) -> None:
    once = _run(f'scale(s("m", "*"), {{factor: "{a * b}"}})', data)
    twice = _run(f'scale(scale(s("m", "*"), {{factor: "{a}"}}), {{factor: "{b}"}})', data)
    assert all(_close(x, y) for (_, x), (_, y) in zip(once, twice, strict=True))
    plain = _run('s("m", "*")', data)
    for same in ('timeshift("0", s("m", "*"))', 'window(s("m", "*"), {size: 1})', 'abs(abs(s("m", "*")))'):
        got = _run(same, data)
        expected = plain if "abs" not in same else [(t, memory.mapped(r, abs)) for t, r in plain]
        assert all(_close(x, y) for (_, x), (_, y) in zip(got, expected, strict=True))
    assert _run('moving_average(s("m", "*"), {size: 3})', data) == _run('window(s("m", "*"), {size: 3})', data)


@settings(max_examples=40, deadline=None)
@given(datasets)
def test_pairwise_of_a_series_with_itself(data: list[dict[int, float]]) -> None:
    first = 's("m", {"host": "h0"})'
    ((_, diff),) = _run(f"subtract([{first}, {first}])", data)
    ((_, ratio),) = _run(f"divide([{first}, {first}])", data)
    ref = _refs(data)[0]
    assert diff == dict.fromkeys(ref, 0.0)
    assert ratio == {t: 1.0 for t, v in ref.items() if v != 0}


@settings(max_examples=40, deadline=None)
@given(datasets, st.integers(0, 5))
def test_top_and_bottom_partition_the_series(data: list[dict[int, float]], n: int) -> None:
    with_points = [i for i, p in enumerate(data) if p]
    n = min(n, len(with_points))
    top = _run(f'top(s("m", "*"), {{count: {max(n, 1)}}})', data)[:n] if n else []
    bottom = _run(f'bottom(s("m", "*"), {{count: {len(with_points) - n or 1}}})', data)[: len(with_points) - n]
    hosts = sorted(t["host"] for t, _ in top + bottom)
    assert hosts == sorted(f"h{i}" for i in with_points)
    ((_, ab),) = _run('sum([s("m", {"g": "g0"}), s("m", {"g": "g1"})])', data) or [({}, {})]
    ((_, ba),) = _run('sum([s("m", {"g": "g1"}), s("m", {"g": "g0"})])', data) or [({}, {})]
    assert _close(ab, ba)
