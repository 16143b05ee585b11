import time
from typing import Any

import pytest

from polymetric.domain.metrics import check_name, new_metric, validate_attributes
from polymetric.errors import InvalidInputError
from polymetric.models.metric import COMPOSITE, GAUGE, Metric

NAME_MESSAGE = "metric names must be 1 to 255 characters of A-Za-z0-9.:-_"
COLOR_MESSAGE = "must be a seven character hex color code such as #52D74C"


def _params(call: Any, *args: Any, **kwargs: Any) -> dict[str, list[str]]:
    with pytest.raises(InvalidInputError) as caught:
        call(*args, **kwargs)
    assert caught.value.request == []
    return caught.value.params


# --- validate_attributes ----------------------------------------------------------------------------------------------


def test_validate_attributes_of_none_is_empty() -> None:
    assert validate_attributes(None) == {}


def test_validate_attributes_of_an_empty_object_is_empty() -> None:
    assert validate_attributes({}) == {}


@pytest.mark.parametrize("attributes", ["color=#fff", ["color"], 5, True])
def test_validate_attributes_refuses_a_non_object(attributes: Any) -> None:
    assert _params(validate_attributes, attributes) == {
        "attributes": ["must be an object of attribute names to values"]
    }


def test_validate_attributes_accepts_the_seed_example() -> None:
    attributes = {
        "color": "#52D74C",
        "display_max": 100,
        "display_min": 0,
        "display_units_long": "Percent",
        "display_units_short": "%",
        "display_stacked": True,
        "summarize_function": "average",
        "aggregate": False,
        "gap_detection": True,
        "created_by_ua": "curl/8.0",
    }
    assert validate_attributes(attributes) == attributes


@pytest.mark.parametrize("color", ["#52D74C", "#52d74c", "#000000", "#FFFFFF", "#aBcDeF"])
def test_color_is_accepted_as_a_seven_character_hex_code(color: str) -> None:
    assert validate_attributes({"color": color}) == {"color": color}


@pytest.mark.parametrize("color", ["52D74C", "#52D74", "#52D74C0", "#GGGGGG", "#fff", "", "red", 0x52D74C, ["#52D74C"]])
def test_color_is_refused_unless_a_hex_code(color: Any) -> None:
    assert _params(validate_attributes, {"color": color}) == {"attributes.color": [COLOR_MESSAGE]}


def test_color_is_refused_with_a_trailing_newline() -> None:
    assert _params(validate_attributes, {"color": "#52D74C\n"}) == {"attributes.color": [COLOR_MESSAGE]}


def test_color_may_be_null() -> None:
    assert validate_attributes({"color": None}) == {"color": None}


@pytest.mark.parametrize("name", ["display_min", "display_max"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0),
        (100, 100),
        (-5, -5),
        (2.5, 2.5),
        ("0", 0),
        ("100", 100),
        ("-5", -5),
        ("2.5", 2.5),
        ("1e3", 1000),
        ("", None),
        (None, None),
    ],
)
def test_display_bounds_accept_numbers_and_form_strings(name: str, value: Any, expected: Any) -> None:
    clean = validate_attributes({name: value})

    assert clean == {name: expected}
    assert type(clean[name]) is type(expected)


@pytest.mark.parametrize("name", ["display_min", "display_max"])
@pytest.mark.parametrize("value", ["abc", "1,5", True, False, [1], {"v": 1}])
def test_display_bounds_refuse_non_numbers(name: str, value: Any) -> None:
    assert _params(validate_attributes, {name: value}) == {f"attributes.{name}": ["must be a number"]}


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity", float("nan"), float("inf")])
def test_display_bounds_refuse_non_finite_numbers(value: Any) -> None:
    assert _params(validate_attributes, {"display_min": value}) == {"attributes.display_min": ["must be a number"]}


@pytest.mark.parametrize("name", ["display_stacked", "aggregate", "gap_detection"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("false", False),
        ("TRUE", True),
        ("False", False),
        ("1", True),
        ("0", False),
        ("yes", True),
        ("no", False),
        ("t", True),
        ("f", False),
    ],
)
def test_booleans_accept_json_booleans_and_form_strings(name: str, value: Any, expected: bool) -> None:
    assert validate_attributes({name: value}) == {name: expected}


@pytest.mark.parametrize("name", ["display_stacked", "aggregate", "gap_detection"])
@pytest.mark.parametrize("value", ["maybe", "", "2", 1, 0, None, [True]])
def test_booleans_refuse_anything_else(name: str, value: Any) -> None:
    assert _params(validate_attributes, {name: value}) == {f"attributes.{name}": ["must be true or false"]}


@pytest.mark.parametrize("function", ["average", "sum", "count", "min", "max"])
def test_summarize_function_accepts_the_seed_values(function: str) -> None:
    assert validate_attributes({"summarize_function": function}) == {"summarize_function": function}


@pytest.mark.parametrize("function", ["mean", "Average", "derivative", "", 1])
def test_summarize_function_refuses_other_values(function: Any) -> None:
    assert _params(validate_attributes, {"summarize_function": function}) == {
        "attributes.summarize_function": ["must be one of average, sum, count, min, max"]
    }


@pytest.mark.parametrize("name", ["display_units_long", "display_units_short", "created_by_ua"])
@pytest.mark.parametrize(("value", "expected"), [("Requests", "Requests"), ("", ""), (5, "5"), ("x" * 255, "x" * 255)])
def test_text_attributes_accept_short_text(name: str, value: Any, expected: str) -> None:
    assert validate_attributes({name: value}) == {name: expected}


@pytest.mark.parametrize("name", ["display_units_long", "display_units_short", "created_by_ua"])
@pytest.mark.parametrize("value", ["x" * 256, True, ["a"], {"a": 1}])
def test_text_attributes_refuse_long_or_non_text_values(name: str, value: Any) -> None:
    assert _params(validate_attributes, {name: value}) == {
        f"attributes.{name}": ["must be a string of at most 255 characters"]
    }


@pytest.mark.parametrize("name", ["foo", "displayMin", "display_name", "period", "Color"])
def test_unknown_attributes_are_refused(name: str) -> None:
    assert _params(validate_attributes, {name: 1}) == {"attributes": [f"{name} is not a metric attribute"]}


def test_validate_attributes_reports_every_problem_at_once() -> None:
    params = _params(
        validate_attributes,
        {"foo": 1, "color": "red", "bar": 2, "display_min": "x", "display_max": 5},
    )

    assert params == {
        "attributes": ["foo is not a metric attribute", "bar is not a metric attribute"],
        "attributes.color": [COLOR_MESSAGE],
        "attributes.display_min": ["must be a number"],
    }


# --- check_name -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cpu", "CPU.user", "a", "x" * 255, "A-Za-z0-9.:-_"])
def test_check_name_returns_a_valid_name(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize("name", ["", "x" * 256, "cpu user", "cpu/user", "cpü", "cpu*", "cpu#1"])
def test_check_name_refuses_an_invalid_name(name: str) -> None:
    assert _params(check_name, name) == {"name": [NAME_MESSAGE]}


def test_check_name_refuses_a_trailing_newline() -> None:
    assert _params(check_name, "cpu\n") == {"name": [NAME_MESSAGE]}


# --- new_metric -------------------------------------------------------------------------------------------------------


def test_new_metric_defaults_to_a_gauge() -> None:
    before = int(time.time() * 1000)
    metric = new_metric("cpu", {})
    after = int(time.time() * 1000)

    assert metric == Metric(name="cpu", type=GAUGE, created_at=metric.created_at)
    assert before <= metric.created_at <= after
    assert metric.version is None


def test_new_metric_keeps_validated_properties() -> None:
    props = {
        "type": "gauge",
        "display_name": "CPU",
        "description": "user time",
        "period": "60",
        "attributes": {"display_min": "0", "display_stacked": "true"},
    }

    metric = new_metric("CPU.user", props)

    assert metric.name == "CPU.user"
    assert metric.key == "cpu.user"
    assert metric.display_name == "CPU"
    assert metric.description == "user time"
    assert metric.period == 60
    assert metric.attributes == {"display_min": 0, "display_stacked": True}


def test_new_metric_treats_a_null_type_as_gauge() -> None:
    assert new_metric("cpu", {"type": None}).type == GAUGE


def test_new_metric_refuses_an_unknown_type() -> None:
    assert _params(new_metric, "cpu", {"type": "counter"}) == {"type": ["must be gauge or composite"]}


def test_new_metric_requires_a_composite_expression_for_composites() -> None:
    assert _params(new_metric, "cpu", {"type": COMPOSITE}) == {"composite": ["is required when type is composite"]}


def test_new_metric_accepts_a_composite_with_its_expression() -> None:
    expression = 's("cpu", "*")'
    metric = new_metric("cpu.all", {"type": COMPOSITE, "composite": expression})

    assert (metric.type, metric.composite) == (COMPOSITE, expression)


def test_new_metric_refuses_a_composite_expression_on_a_gauge() -> None:
    assert _params(new_metric, "cpu", {"composite": 's("x", "*")'}) == {
        "composite": ["is only allowed when type is composite"]
    }


@pytest.mark.parametrize(
    ("period", "expected"), [(60, 60), ("60", 60), ("300.0", 300), (1, 1), ("", None), (None, None)]
)
def test_new_metric_accepts_a_positive_whole_period(period: Any, expected: int | None) -> None:
    assert new_metric("cpu", {"period": period}).period == expected


@pytest.mark.parametrize("period", [0, -60, "0", 1.5, "1.5"])
def test_new_metric_refuses_a_period_that_is_not_a_positive_whole_number(period: Any) -> None:
    assert _params(new_metric, "cpu", {"period": period}) == {"period": ["must be a positive whole number of seconds"]}


@pytest.mark.parametrize("period", ["abc", True])
def test_new_metric_refuses_a_period_that_is_not_a_number(period: Any) -> None:
    assert _params(new_metric, "cpu", {"period": period}) == {"period": ["must be a number"]}


def test_new_metric_refuses_a_display_name_over_255_characters() -> None:
    assert _params(new_metric, "cpu", {"display_name": "x" * 256}) == {
        "display_name": ["must be a string of at most 255 characters"]
    }


def test_new_metric_accepts_a_description_up_to_4096_characters() -> None:
    assert new_metric("cpu", {"description": "x" * 4096}).description == "x" * 4096
    assert _params(new_metric, "cpu", {"description": "x" * 4097}) == {
        "description": ["must be a string of at most 4096 characters"]
    }


def test_new_metric_refuses_invalid_attributes() -> None:
    assert _params(new_metric, "cpu", {"attributes": {"colour": "#000000"}}) == {
        "attributes": ["colour is not a metric attribute"]
    }


def test_new_metric_refuses_an_invalid_name() -> None:
    assert _params(new_metric, "bad name", {}) == {"name": [NAME_MESSAGE]}


def test_new_metric_records_the_user_agent_truncated_to_255_characters() -> None:
    metric = new_metric("cpu", {"attributes": {"color": "#000000"}}, user_agent="ua/" + "x" * 300)

    assert metric.attributes["color"] == "#000000"
    assert metric.attributes["created_by_ua"] == ("ua/" + "x" * 300)[:255]


def test_new_metric_records_no_user_agent_when_none_is_given() -> None:
    assert "created_by_ua" not in new_metric("cpu", {}, user_agent=None).attributes
    assert "created_by_ua" not in new_metric("cpu", {}, user_agent="").attributes
