"""parse() finishes common measurement shapes inline: it must agree with the full rules on every input."""

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from polymetric.dialects.appoptics import measurements
from polymetric.models.measurement import Measurement

NOW = 1_700_000_000
NUMBERS = st.one_of(
    st.none(),
    st.sampled_from([0.0, -0.0, 1e-131, -1e-131, 1e-130, 2.5, -7.0, 1e126]),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
)
POSITIVE = st.one_of(st.floats(min_value=1e-130, max_value=1e6), NUMBERS)
TIMES = st.one_of(st.sampled_from([NOW, NOW - 60, NOW + 3600, NOW + 3601, 0, NOW - 559 * 86400]), st.just(NOW + 0.5))
TAGS = st.one_of(st.just({}), st.just({"host": "a"}), st.just({"Host": "B", "az": "1a"}))
FIELDS = {
    "value": NUMBERS,
    "count": NUMBERS,
    "sum": NUMBERS,
    "min": NUMBERS,
    "max": NUMBERS,
    "last": NUMBERS,
    "stddev": NUMBERS,
    "stddev_m2": NUMBERS,
    "time": TIMES,
    "tags": TAGS,
    "period": st.sampled_from([60, None]),
    "display_name": st.sampled_from(["CPU", None]),
}


PLAIN = ("value",)
SUMMARY = ("count", "sum")
OPTIONAL = {PLAIN: ("time", "tags"), SUMMARY: ("time", "tags", "min", "max", "last", "stddev", "value")}


@st.composite
def measurement(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly the two common shapes (each key drawn, so also broken), sometimes any mix of keys."""
    shape = draw(st.sampled_from([PLAIN, SUMMARY, None]))
    if shape is None:
        chosen = draw(st.sets(st.sampled_from(sorted(FIELDS)), max_size=6))
    else:
        chosen = {*shape, *draw(st.sets(st.sampled_from(OPTIONAL[shape])))}
    return {"name": "cpu", **{k: draw(FIELDS[k]) for k in chosen}}


@st.composite
def body(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {"measurements": draw(st.lists(measurement(), min_size=1, max_size=8))}
    for key, strategy in (("tags", TAGS), ("time", TIMES), ("period", st.sampled_from([300]))):
        if draw(st.booleans()):
            out[key] = draw(strategy)
    return out


def _same(a: Measurement, b: Measurement) -> bool:
    """Equal, NaN included (NaN stands for a missing min, max or last); -0.0 and 0.0 told apart."""
    return json.dumps(a) == json.dumps(b)


@settings(max_examples=400, deadline=None)
@given(body())
def test_the_inline_shapes_agree_with_the_full_rules(doc: dict[str, Any]) -> None:
    raw = json.dumps(doc)
    try:
        expected_doc = measurements._POST.validate_json(raw)
    except measurements.ValidationError:
        return  # a batch pydantic refuses never takes the inline path
    top = measurements._defaults(expected_doc, NOW, None)
    expected = measurements._finish(list(enumerate(expected_doc["measurements"])), top, NOW)
    parsed = measurements.parse(raw, now=NOW)
    assert parsed.total == expected.total
    assert parsed.errors == expected.errors
    assert len(parsed.accepted) == len(expected.accepted)
    assert all(_same(a, b) for a, b in zip(parsed.accepted, expected.accepted, strict=True))


@st.composite
def common_body(draw: st.DrawFn) -> dict[str, Any]:
    """Batches of the two common shapes with tags and a time in the window, each field still drawn (so some
    broken): the ones the column-by-column path takes whole."""
    rows = []
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        row: dict[str, Any] = {"name": draw(st.sampled_from(["cpu", "mem"])), "tags": {"host": "a"}, "time": NOW}
        shape = draw(st.sampled_from(["plain", "summary", "full"]))
        if shape == "plain":
            row["value"] = draw(NUMBERS)
        elif shape == "summary":
            keys = {"count", "sum", *draw(st.sets(st.sampled_from(["min", "max", "last", "stddev", "value"])))}
            row.update({k: draw(NUMBERS) for k in sorted(keys)})
        else:  # what statsd-style clients send: all five, mostly positive (the one-itemgetter-per-row way)
            row.update({k: draw(POSITIVE) for k in ("count", "sum", "min", "max", "last")})
        rows.append(row)
    return {"measurements": rows}


@settings(max_examples=600, deadline=None)
@given(common_body())
def test_the_column_path_agrees_with_the_full_rules(doc: dict[str, Any]) -> None:
    test_the_inline_shapes_agree_with_the_full_rules.hypothesis.inner_test(doc)  # type: ignore[attr-defined]


def test_a_valid_batch_of_the_common_shapes_is_read_as_columns() -> None:
    from polymetric.models.measurement import MeasurementBatch

    raw = json.dumps(
        {
            "tags": {"host": "a"},
            "measurements": [
                {"name": "cpu", "value": 1.5, "time": NOW},
                {"name": "lat", "count": 2, "sum": 3.0, "min": 1.0, "max": 2.0, "time": NOW - 60},
            ],
        }
    )
    parsed = measurements.parse(raw, now=NOW)
    assert isinstance(parsed.accepted, MeasurementBatch)
    expected = [
        Measurement("cpu", {"host": "a"}, NOW, 1.5, None, {}, 0),
        Measurement("lat", {"host": "a"}, NOW - 60, None, (2.0, 3.0, 1.0, 2.0, float("nan"), None), {}, 1),
    ]
    assert all(_same(a, b) for a, b in zip(parsed.accepted, expected, strict=True))
    assert parsed.accepted[1:][0].name == "lat" and len(parsed.accepted[:1]) == 1
