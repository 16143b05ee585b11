import json
import math
from typing import Any

import pytest

from polymetric.dialects.appoptics.measurements import Measurement, ParsedPost, parse
from polymetric.errors import InvalidInputError, ItemError

NOW = 1_700_000_000
TAGS = {"host": "web-1"}
NAME_REASON = "metric names must be 1 to 255 characters of A-Za-z0-9.:-_"
ENVELOPE = "The request body must be a JSON object with a measurements array."
TAG_NAME_RE = "/\\A[-.:_\\w]{1,64}\\z/"
TAG_VALUE_RE = "/\\A[-.:_?\\\\\\/\\w ]{1,255}\\z/"


def _parse(body: Any) -> ParsedPost:
    return parse(body if isinstance(body, str | bytes) else json.dumps(body), now=NOW)


def _one(measurement: dict[str, Any], **top: Any) -> ParsedPost:
    return _parse({**top, "measurements": [measurement]})


def _accepted(measurement: dict[str, Any], **top: Any) -> Measurement:
    parsed = _one(measurement, **top)
    assert parsed.errors == []
    (m,) = parsed.accepted
    return m


def _rejected(measurement: dict[str, Any], **top: Any) -> ItemError:
    parsed = _one(measurement, **top)
    assert parsed.accepted == []
    (error,) = parsed.errors
    assert error.index == 0
    return error


def _m(**fields: Any) -> dict[str, Any]:
    return {"name": "cpu", "value": 1.5, "tags": TAGS, **fields}


# --- a valid batch ----------------------------------------------------------------------------------------------------


def test_parse_accepts_a_plain_measurement() -> None:
    parsed = _parse({"measurements": [_m()]})

    assert parsed.total == 1
    assert parsed.errors == []
    assert parsed.accepted == [Measurement("cpu", {"host": "web-1"}, NOW, 1.5, None, {}, 0)]


def test_parse_accepts_bytes_and_str_bodies() -> None:
    body = json.dumps({"measurements": [_m()]})

    assert parse(body, now=NOW).accepted == parse(body.encode(), now=NOW).accepted


def test_parse_keeps_the_index_of_each_measurement() -> None:
    parsed = _parse({"measurements": [_m(value=1), _m(value=2), _m(value=3)]})

    assert [(m.position, m.value) for m in parsed.accepted] == [(0, 1.0), (1, 2.0), (2, 3.0)]


def test_parse_accepts_integer_values_as_floats() -> None:
    m = _accepted(_m(value=42))
    assert m.value == 42.0
    assert isinstance(m.value, float)


# --- rule 1: names ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cpu", "a", "A-Za-z0-9.:-_", "x" * 255, "app:req.count_total-2"])
def test_name_is_accepted_when_valid(name: str) -> None:
    assert _accepted(_m(name=name)).name == name


@pytest.mark.parametrize("name", ["", "x" * 256, "bad name", "cpu/user", "cpü", "cpu\n", "cpu#1", "*"])
def test_name_is_rejected_when_invalid(name: str) -> None:
    assert _rejected(_m(name=name)) == ItemError("name", NAME_REASON, 0)


def test_name_is_rejected_when_missing() -> None:
    assert _rejected({"value": 1, "tags": TAGS}) == ItemError("name", NAME_REASON, 0)


@pytest.mark.parametrize("name", [None, True, ["cpu"], {"n": "cpu"}])
def test_name_is_rejected_when_not_a_string(name: Any) -> None:
    assert _rejected(_m(name=name)) == ItemError("name", NAME_REASON, 0)


def test_name_is_kept_as_written() -> None:
    assert _accepted(_m(name="CPU.User")).name == "CPU.User"


# --- rule 2: tags -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tags",
    [
        {"host": "web-1"},
        {"a" * 64: "x"},
        {"h": "x" * 255},
        {"h-.:_9": "a/b\\c? d-e.f:g_h"},
        {f"t{i}": "x" for i in range(50)},
    ],
)
def test_tags_are_accepted_when_valid(tags: dict[str, str]) -> None:
    assert _accepted(_m(tags=tags)).tags == tags


@pytest.mark.parametrize("tag_name", ["bad name", "a" * 65, "", "h/x", "h?", "h\n"])
def test_tags_are_rejected_for_an_invalid_name(tag_name: str) -> None:
    error = _rejected(_m(tags={tag_name: "x"}))

    assert error == ItemError("tags", f"tag name {tag_name!r} must match {TAG_NAME_RE}", 0)


@pytest.mark.parametrize("value", ["x" * 256, "", "a,b", "a#b", "x\n", "a=b"])
def test_tags_are_rejected_for_an_invalid_value(value: str) -> None:
    error = _rejected(_m(tags={"h": value}))

    assert error == ItemError("tags", f"value of tag 'h' must match {TAG_VALUE_RE}", 0)


@pytest.mark.parametrize("value", [True, None, [], {}])
def test_tags_are_rejected_for_a_non_string_non_integer_value(value: Any) -> None:
    assert _rejected(_m(tags={"h": value})).param == "tags"


def test_tags_are_rejected_above_fifty() -> None:
    error = _rejected(_m(tags={f"t{i}": "x" for i in range(51)}))

    assert error == ItemError("tags", "at most 50 tags per measurement", 0)


@pytest.mark.parametrize("tags", ["host", ["host"], 5])
def test_tags_are_rejected_when_not_an_object(tags: Any) -> None:
    assert _rejected(_m(tags=tags)) == ItemError("tags", "tags must be an object of tag names to values", 0)


def test_tags_are_required() -> None:
    assert _rejected({"name": "cpu", "value": 1}) == ItemError("tags", "Must have at least one tag", 0)


def test_tags_are_rejected_when_empty() -> None:
    assert _rejected(_m(tags={})) == ItemError("tags", "Must have at least one tag", 0)


@pytest.mark.parametrize(("value", "text"), [(5, "5"), (-3, "-3"), (0, "0"), (10**20, "100000000000000000000")])
def test_tags_accept_integers_as_values_and_keep_them_as_text(value: int, text: str) -> None:
    assert _accepted(_m(tags={"shard": value})).tags == {"shard": text}


def test_tags_are_kept_as_written() -> None:
    assert _accepted(_m(tags={"Host": "Web-1"})).tags == {"Host": "Web-1"}


def test_top_level_tags_apply_to_measurements_without_tags() -> None:
    body = {"tags": {"region": "eu"}, "measurements": [{"name": "cpu", "value": 1}, {"name": "mem", "value": 2}]}

    parsed = _parse(body)

    assert [m.tags for m in parsed.accepted] == [{"region": "eu"}, {"region": "eu"}]


def test_per_measurement_tags_replace_the_top_level_tags() -> None:
    m = _accepted(_m(tags={"host": "a"}), tags={"region": "eu"})
    assert m.tags == {"host": "a"}


def test_per_measurement_empty_tags_add_none_so_the_top_level_tags_apply() -> None:
    """statsd-librato-backend 2.0.16 sends ``tags: {}`` on every untagged stat, beside top-level tags."""
    body = {
        "tags": {"env": "prod", "host": "web-1"},
        "measurements": [{"name": "app.requests", "value": 10, "tags": {}}, _m(tags={"host": "a"})],
    }

    parsed = _parse(body)

    assert parsed.errors == []
    assert [m.tags for m in parsed.accepted] == [{"env": "prod", "host": "web-1"}, {"host": "a"}]


def test_per_measurement_empty_tags_without_top_level_tags_are_rejected() -> None:
    assert _rejected(_m(tags={})) == ItemError("tags", "Must have at least one tag", 0)


def test_per_measurement_empty_tags_apply_the_top_level_tags_when_the_batch_is_read_item_by_item() -> None:
    body = {"tags": {"env": "prod"}, "measurements": [{"name": "ok", "value": 1, "tags": {}}, {"name": "bad name"}]}

    parsed = _parse(body)

    assert [(m.name, m.tags) for m in parsed.accepted] == [("ok", {"env": "prod"})]
    assert [e.index for e in parsed.errors] == [1]


def test_top_level_empty_tags_count_as_no_tags() -> None:
    assert _rejected({"name": "cpu", "value": 1}, tags={}) == ItemError("tags", "Must have at least one tag", 0)


def test_top_level_invalid_tag_name_rejects_the_request() -> None:
    with pytest.raises(InvalidInputError) as caught:
        _parse({"tags": {"bad name": "x"}, "measurements": [{"name": "cpu", "value": 1}]})

    assert caught.value.params == {"tags": [f"tag name 'bad name' must match {TAG_NAME_RE}"]}
    assert caught.value.request == []


def test_top_level_invalid_tag_value_rejects_the_request_with_one_message() -> None:
    with pytest.raises(InvalidInputError) as caught:
        _parse({"tags": {"h": "x" * 256}, "measurements": [{"name": "cpu", "value": 1}]})

    assert caught.value.params == {"tags": [f"value of tag 'h' must match {TAG_VALUE_RE}"]}


# --- rule 3: value xor count and sum ----------------------------------------------------------------------------------


def test_summary_is_accepted_with_every_field() -> None:
    m = _accepted(
        {"name": "lat", "count": 4, "sum": 10, "min": 1, "max": 4, "last": 3, "stddev": 1.5, "tags": TAGS},
    )

    assert m.value is None
    assert m.summary == (4.0, 10.0, 1.0, 4.0, 3.0, 1.5)


def test_summary_marks_absent_fields_as_nan_and_stddev_as_none() -> None:
    m = _accepted({"name": "lat", "count": 2, "sum": 3, "tags": TAGS})

    assert m.summary is not None
    count, total, lo, hi, last, stddev = m.summary
    assert (count, total, stddev) == (2.0, 3.0, None)
    assert all(math.isnan(x) for x in (lo, hi, last))


def test_summary_stddev_m2_is_the_sum_of_squared_deviations() -> None:
    """Librato's online method: stddev_m2 = sum((x - mean)^2); samples 2, 4, 4, 4, 5, 5, 7, 9 have m2 = 32."""
    m = _accepted({"name": "lat", "count": 8, "sum": 40, "min": 2, "max": 9, "stddev_m2": 32, "tags": TAGS})

    assert m.summary == (8.0, 40.0, 2.0, 9.0, m.summary[4], 2.0)
    assert math.isnan(m.summary[4])


def test_summary_stddev_m2_of_zero_and_null_beside_stddev() -> None:
    single = _accepted({"name": "t", "count": 1, "sum": 41, "stddev_m2": 0, "tags": TAGS})
    assert single.summary is not None
    assert single.summary[5] == 0.0
    m = _accepted({"name": "t", "count": 4, "sum": 8, "stddev": 1.5, "stddev_m2": None, "tags": TAGS})
    assert m.summary is not None
    assert m.summary[5] == 1.5


@pytest.mark.parametrize("text", ["1e127", "-1e127"])
def test_stddev_m2_above_1e126_rejects_the_whole_request(text: str) -> None:
    body = f'{{"measurements": [{{"name": "t", "count": 1, "sum": 1, "stddev_m2": {text}, "tags": {{"a": "b"}}}}]}}'
    with pytest.raises(InvalidInputError):
        _parse(body)


def test_summary_is_accepted_beside_a_null_value() -> None:
    m = _accepted({"name": "lat", "value": None, "count": 2, "sum": 3, "max": 2, "tags": TAGS})

    assert m.value is None
    assert m.summary is not None
    assert m.summary[:2] == (2.0, 3.0)
    assert m.summary[3] == 2.0


def test_summary_accepts_null_optional_fields() -> None:
    m = _accepted({"name": "lat", "count": 2, "sum": 3, "min": None, "stddev": None, "tags": TAGS})

    assert m.summary is not None
    assert math.isnan(m.summary[2])
    assert m.summary[5] is None


@pytest.mark.parametrize(
    ("fields", "param", "reason"),
    [
        ({"value": 1, "count": 1, "sum": 1}, "value", "value cannot be combined with count and sum"),
        ({"value": 1, "count": 1}, "value", "value cannot be combined with count and sum"),
        ({"count": 2}, "sum", "count and sum must be given together"),
        ({"sum": 2}, "count", "count and sum must be given together"),
        ({"count": None, "sum": 2}, "count", "count and sum must be given together"),
        ({"count": 0, "sum": 2}, "count", "count must be greater than 0"),
        ({"count": -1, "sum": 2}, "count", "count must be greater than 0"),
        ({}, "value", "value (or count and sum) is required"),
        ({"value": None}, "value", "value (or count and sum) is required"),
        ({"value": None, "min": 1}, "value", "value (or count and sum) is required"),
        ({"value": 1, "min": 2}, "min", "min requires count and sum"),
        ({"value": 1, "max": 2}, "max", "max requires count and sum"),
        ({"value": 1, "last": 2}, "last", "last requires count and sum"),
        ({"value": 1, "stddev": 2}, "stddev", "stddev requires count and sum"),
        ({"value": 1, "stddev_m2": 2}, "stddev_m2", "stddev_m2 requires count and sum"),
        (
            {"count": 2, "sum": 3, "stddev": 1, "stddev_m2": 2},
            "stddev_m2",
            "only one of stddev and stddev_m2 may be set",
        ),
        ({"count": 2, "sum": 3, "stddev_m2": -0.5}, "stddev_m2", "stddev_m2 must not be negative"),
        ({"value": 1, "max": 2, "min": 1}, "min", "min requires count and sum"),
    ],
)
def test_value_and_summary_fields_are_rejected_when_combined_wrongly(
    fields: dict[str, Any], param: str, reason: str
) -> None:
    assert _rejected({"name": "cpu", "tags": TAGS, **fields}) == ItemError(param, reason, 0)


@pytest.mark.parametrize("field", ["value", "count", "sum", "min"])
def test_numbers_are_rejected_when_not_numeric(field: str) -> None:
    fields = {"value": None, "count": 1, "sum": 1, field: "abc"}
    error = _rejected({"name": "cpu", "tags": TAGS, **fields})

    assert error.param == field
    assert error.reason.startswith(f"{field}: Input should be a valid number")


# --- rule 4: time and period ------------------------------------------------------------------------------------------


def test_time_defaults_to_now() -> None:
    assert _accepted(_m()).time == NOW


def test_time_is_truncated_to_whole_seconds() -> None:
    assert _accepted(_m(time=1_699_999_999.9)).time == 1_699_999_999


def test_top_level_time_applies_when_a_measurement_has_none() -> None:
    assert _accepted(_m(), time=1_690_000_000).time == 1_690_000_000


def test_per_measurement_time_wins_over_the_top_level_time() -> None:
    assert _accepted(_m(time=1_695_000_000), time=1_690_000_000).time == 1_695_000_000


def test_per_measurement_negative_time_rejects_only_that_measurement() -> None:
    parsed = _parse({"measurements": [_m(time=-1), _m()]})

    assert [m.position for m in parsed.accepted] == [1]
    assert parsed.errors == [ItemError("time", "time: Input should be greater than or equal to 0", 0)]


def test_top_level_negative_time_rejects_the_request() -> None:
    with pytest.raises(InvalidInputError) as caught:
        _one(_m(), time=-1)
    assert caught.value.params == {"time": ["Input should be greater than or equal to 0"]}


def test_period_is_kept_as_a_property() -> None:
    assert _accepted(_m(period=60)).properties == {"period": 60}


def test_top_level_period_applies_when_a_measurement_has_none() -> None:
    parsed = _parse({"period": 60, "measurements": [_m(), _m(period=30), _m(period=None)]})

    assert [m.properties for m in parsed.accepted] == [{"period": 60}, {"period": 30}, {"period": 60}]


@pytest.mark.parametrize(
    ("period", "reason"),
    [
        (0, "period: Input should be greater than 0"),
        (-5, "period: Input should be greater than 0"),
        (1.5, "period: Input should be a valid integer, got a number with a fractional part"),
    ],
)
def test_per_measurement_invalid_period_rejects_the_measurement(period: Any, reason: str) -> None:
    assert _rejected(_m(period=period)) == ItemError("period", reason, 0)


def test_top_level_invalid_period_rejects_the_request() -> None:
    with pytest.raises(InvalidInputError) as caught:
        _one(_m(), period=0)
    assert caught.value.params == {"period": ["Input should be greater than 0"]}


def test_metric_properties_are_kept() -> None:
    m = _accepted(_m(attributes={"color": "#ffffff"}, display_name="CPU", description="user cpu"))

    assert m.properties == {"attributes": {"color": "#ffffff"}, "display_name": "CPU", "description": "user cpu"}


def test_null_metric_properties_are_dropped() -> None:
    assert _accepted(_m(attributes=None, display_name=None, description=None, period=None)).properties == {}


# --- rule 5: exponents ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1e126, -1e126, 1e-130, -1e-130, 1.7e125])
def test_numbers_at_the_exponent_limits_are_kept(value: float) -> None:
    assert _accepted(_m(value=value)).value == value


@pytest.mark.parametrize("value", [1e-131, -1e-131, 5e-324, 1e-200])
def test_numbers_below_1e_minus_130_become_zero(value: float) -> None:
    assert _accepted(_m(value=value)).value == 0.0


def test_summary_numbers_below_1e_minus_130_become_zero() -> None:
    m = _accepted(
        {"name": "lat", "count": 1, "sum": 1e-200, "min": -1e-131, "max": 1e-131, "last": 5e-324, "tags": TAGS}
    )
    assert m.summary == (1.0, 0.0, 0.0, 0.0, 0.0, None)


def test_summary_stddev_below_1e_minus_130_becomes_zero() -> None:
    m = _accepted({"name": "lat", "count": 1, "sum": 1, "stddev": 1e-140, "tags": TAGS})
    assert m.summary is not None
    assert m.summary[5] == 0.0


def test_summary_count_below_1e_minus_130_is_rejected_as_not_positive() -> None:
    error = _rejected({"name": "lat", "count": 1e-140, "sum": 1, "tags": TAGS})
    assert error == ItemError("count", "count must be greater than 0", 0)


@pytest.mark.parametrize(
    ("field", "text"),
    [("value", "1e127"), ("value", "-1e127"), ("sum", "1e200"), ("min", "1.5e130"), ("stddev", "1e300")],
)
def test_number_above_1e126_rejects_the_whole_request(field: str, text: str) -> None:
    good = json.dumps(_m())
    fields = {"value": None, "count": 1, "sum": 1} if field != "value" else {}
    bad = json.dumps({"name": "cpu", "tags": TAGS, **fields, field: "HUGE"}).replace('"HUGE"', text)

    with pytest.raises(InvalidInputError) as caught:
        parse(f'{{"measurements": [{good}, {bad}]}}', now=NOW)

    value = float(text)
    assert caught.value.params == {
        field: [f"{field} {value!r} is out of range: exponents above 10^126 are not allowed"]
    }


@pytest.mark.parametrize(("text", "shown"), [("1e400", "inf"), ("-1e400", "-inf"), ("NaN", "nan"), ("Infinity", "inf")])
def test_non_finite_number_rejects_the_whole_request(text: str, shown: str) -> None:
    body = '{"measurements": [{"name": "cpu", "value": VALUE, "tags": {"h": "a"}}]}'.replace("VALUE", text)

    with pytest.raises(InvalidInputError) as caught:
        parse(body, now=NOW)

    assert caught.value.params == {
        "value": [f"value {shown} is not a finite number: exponents above 10^126 are not allowed"]
    }


def test_number_above_1e126_rejects_the_request_even_beside_an_invalid_measurement() -> None:
    body = {"measurements": [_m(name="bad name"), _m(value=1.0)]}
    text = json.dumps(body).replace("1.0", "1e127")

    with pytest.raises(InvalidInputError):
        parse(text, now=NOW)


def test_number_above_1e126_rejects_the_request_even_inside_an_invalid_measurement() -> None:
    body = '{"measurements": [{"name": "bad name", "value": 1e127, "tags": {"h": "a"}}]}'

    with pytest.raises(InvalidInputError):
        parse(body, now=NOW)


# --- partial batches --------------------------------------------------------------------------------------------------


def test_invalid_measurements_do_not_reject_the_rest_of_the_batch() -> None:
    body = {
        "measurements": [
            _m(name="bad name"),
            _m(value=2),
            {"name": "x", "tags": TAGS},
            "not an object",
            _m(tags={"bad name": "x"}),
            _m(value=6),
        ]
    }

    parsed = _parse(body)

    assert parsed.total == 6
    assert [(m.position, m.value) for m in parsed.accepted] == [(1, 2.0), (5, 6.0)]
    assert [(e.param, e.index) for e in parsed.errors] == [
        ("name", 0),
        ("value", 2),
        ("measurements", 3),
        ("tags", 4),
    ]
    assert parsed.errors[2].reason == "measurements: Input should be a valid dictionary"


def test_batch_of_only_invalid_measurements_returns_only_errors() -> None:
    parsed = _parse({"measurements": [_m(name=""), _m(tags={})]})

    assert parsed.total == 2
    assert parsed.accepted == []
    assert [e.as_dict() for e in parsed.errors] == [
        {"param": "name", "reason": NAME_REASON, "index": 0},
        {"param": "tags", "reason": "Must have at least one tag", "index": 1},
    ]


def test_unknown_measurement_fields_are_ignored() -> None:
    assert _accepted(_m(source="legacy")).value == 1.5


# --- envelope errors --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "not json", "{", "[]", '"text"', "5", "null", "[{}]"])
def test_body_that_is_not_a_json_object_rejects_the_request(body: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse(body, now=NOW)

    assert caught.value.request == [ENVELOPE]
    assert caught.value.params == {}


@pytest.mark.parametrize("body", [{}, {"measurements": []}, {"tags": TAGS}])
def test_body_without_measurements_rejects_the_request(body: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError) as caught:
        _parse(body)

    assert caught.value.params == {"measurements": ["must include at least one measurement"]}
    assert caught.value.request == []


@pytest.mark.parametrize("measurements", ["x", None, {"name": "cpu"}, 5])
def test_body_with_measurements_not_an_array_rejects_the_request(measurements: Any) -> None:
    with pytest.raises(InvalidInputError) as caught:
        _parse({"measurements": measurements})

    assert caught.value.params == {"measurements": ["Input should be a valid array"]}


def test_body_with_a_non_numeric_top_level_time_rejects_the_request() -> None:
    with pytest.raises(InvalidInputError) as caught:
        _one(_m(), time="soon")

    assert caught.value.params == {"time": ["Input should be a valid number, unable to parse string as a number"]}
