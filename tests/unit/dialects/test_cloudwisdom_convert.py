import pytest

from polymetric.dialects.cloudwisdom import requests
from polymetric.domain import cloudwisdom_samples as convert
from polymetric.errors import InvalidInputError, MalformedInputError
from polymetric.models.element import Element, ElementMetric, ElementSample


def test_options_header_is_trimmed_case_insensitive_and_ignores_unknowns() -> None:
    assert requests.options(" send_response_body , INJECT_TIMESTAMP,NOPE") == requests.Options(True, True)
    assert requests.options(None) == requests.Options(False, False)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("web host 01", "web_host_01"), ("a/b#c:d", "abcd"), ("cpu.cpu1.guest_nice", "cpu.cpu1.guest_nice")],
)
def test_sanitize(raw: str, clean: str) -> None:
    assert requests.sanitize(raw) == clean


def test_timestamp_rejects_zone_names_with_the_value_quoted() -> None:
    with pytest.raises(MalformedInputError) as raised:
        requests.timestamp_ms("2015-09-07T14:26:47EDT", "x")
    assert "'2015-09-07T14:26:47EDT'" in raised.value.request[0]


def test_counter_increase_baseline_reset_and_stale() -> None:
    first, base = convert.counter_increase(None, ElementSample("c", 1000, val=10))
    assert first is None and base == (1000, 10)
    up, base = convert.counter_increase(base, ElementSample("c", 2000, val=15))
    assert up is not None and up.val == 5 and base == (2000, 15)
    reset, base = convert.counter_increase(base, ElementSample("c", 3000, val=4))
    assert reset is not None and reset.val == 4
    stale, same = convert.counter_increase(base, ElementSample("c", 2500, val=99))
    assert stale is None and same == base


@pytest.mark.parametrize(
    ("sample", "value", "summary"),
    [
        (ElementSample("m", 1000, val=2), 2, None),
        (ElementSample("m", 1000, cnt=3), 3, None),
        (ElementSample("m", 1000, avg=5, cnt=2), None, (2, 10, 5, 5, 5, None)),
        (ElementSample("m", 1000, min=1, max=3), None, (1, 2, 1, 3, 2, None)),
        (ElementSample("m", 1000, val=4, sum=10, cnt=0), None, (1, 10, 10, 10, 4, None)),
    ],
)
def test_sample_to_measurement(sample: ElementSample, value: float | None, summary: tuple | None) -> None:
    m = convert.measurement("e.m", {}, sample, 0)
    assert (m.time, m.value, m.summary) == (1, value, summary)


def test_series_tags_skip_invalid_pairs_and_metric_tags_win() -> None:
    element = Element("e", type="SERVER", tags={"env": "prod", "bad tag": "x", "role": "a"})
    metric = ElementMetric("m", tags={"role": "b"})
    assert convert.series_tags(element, metric) == {"env": "prod", "role": "b", "type": "SERVER"}


def test_series_tags_of_a_metric_with_empty_tags_are_the_element_tags() -> None:
    """Item-level tags merge over request-level ones: an empty set of metric tags adds none and removes none."""
    element = Element("e", type="SERVER", tags={"env": "prod"})
    assert convert.series_tags(element, ElementMetric("m", tags={})) == {"env": "prod", "type": "SERVER"}
    assert convert.series_tags(element, ElementMetric("m")) == convert.series_tags(element, None)


def test_check_path_rules() -> None:
    assert requests.check("heart beat", "host/1", "60") == ("heart_beat", "host1", 60)
    with pytest.raises(InvalidInputError):
        requests.check("", "host", "0")
