"""Legacy GET /v1/metrics/:name: the query string of a read by source (dialects/appoptics/sources.py)."""

import pytest

from polymetric.dialects.appoptics.sources import asks_measurements, metric_measurements, sources_query
from polymetric.errors import InvalidInputError
from polymetric.models.metric import Metric
from polymetric.models.query import SourceFilter, SourcesResult
from polymetric.models.tags import TagFilter

NOW = 1_700_000_000


def parse(**query: object) -> object:
    values = {k: [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in query.items()}
    return sources_query("cpu", values, now=NOW)


def refusal(**query: object) -> dict[str, list[str]]:
    with pytest.raises(InvalidInputError) as err:
        parse(**query)
    return err.value.params


def test_only_a_time_interval_asks_for_measurements() -> None:
    assert not asks_measurements({})
    assert not asks_measurements({"resolution": ["60"], "source": ["web-1"], "start_time": [""]})
    assert all(asks_measurements({k: ["5"]}) for k in ("start_time", "end_time", "count"))


def test_count_alone_is_the_last_points_before_now_at_raw_resolution() -> None:
    q = parse(count=4)
    assert (q.start, q.end, q.count, q.resolution) == (None, NOW, 4, 1)
    assert q.sources == SourceFilter() and not q.summarize_sources and q.breakout_sources


def test_start_time_with_count_has_no_end_unless_given() -> None:
    assert (parse(start_time=NOW - 600, count=3).end, parse(start_time=NOW - 600, count=3, end_time=NOW - 60).end) == (
        None,
        NOW - 60,
    )


def test_start_time_alone_ends_now() -> None:
    q = parse(start_time=NOW - 600, resolution=60)
    assert (q.start, q.end, q.count, q.resolution) == (NOW - 600, NOW, None, 60)


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"end_time": NOW}, "start_time"),
        ({"start_time": NOW + 10}, "start_time"),
        ({"start_time": NOW, "end_time": NOW - 1}, "end_time"),
        ({"count": 0}, "count"),
        ({"count": 10_001}, "count"),
        ({"count": "x"}, "count"),
        ({"count": 1, "resolution": 0}, "resolution"),
        ({"count": 1, "source": "web 1;"}, "source"),
        ({"count": 1, "sources[]": ["ok", "no!"]}, "sources"),
        ({"count": 1, "summarize_sources": "maybe"}, "summarize_sources"),
        ({"count": 1, "breakout_sources": "false"}, "breakout_sources"),
        ({"count": 1, "summarize_time": "true"}, "summarize_time"),
        ({"count": 1, "group_by": "max"}, "group_by"),
    ],
)
def test_refusals_name_the_parameter(query: dict, param: str) -> None:
    assert list(refusal(**query)) == [param]


def test_sources_and_summaries() -> None:
    q = parse(count=2, source="web*", **{"sources[]": ["web-1", "web-2"]}, summarize_sources="true")
    assert q.sources == SourceFilter("web*", ("web-1", "web-2"))
    assert q.summarize_sources and q.breakout_sources
    assert not parse(count=2, summarize_sources=1, breakout_sources="False").breakout_sources
    assert not parse(count=2, summarize_time="false").summarize_sources
    assert parse(count=2, source="").sources == SourceFilter()  # an empty source filters nothing


def test_source_filter_matches_unassigned_and_narrows_to_postings_when_it_cannot() -> None:
    every = SourceFilter("*")
    assert every.matches({}) and every.matches({"host": "a"}) and every.matches({"source": "web-1"})
    assert every.narrowest() is every
    unassigned = SourceFilter(names=("unassigned",))
    assert unassigned.matches({"host": "a"}) and not unassigned.matches({"source": "web-1"})
    web = SourceFilter("WEB-*")
    assert web.matches({"Source": "web-2"}) and not web.matches({})
    assert web.narrowest() == TagFilter.from_pairs([("source", "WEB-*")])
    both = SourceFilter("web-*", ("web-1", "db-1"))
    assert both.matches({"source": "web-1"}) and not both.matches({"source": "db-1"})
    assert both.narrowest() is both


def test_answer_is_the_metric_with_measure_times_by_source_and_next_time() -> None:
    result = SourcesResult(
        Metric("cpu", period=60),
        60,
        {"web-1": [{"time": 120, "value": 1.5, "count": 2, "sum": 3.0, "min": 1.0, "max": 2.0}]},
        next_time=180,
    )
    body = metric_measurements(result)
    assert body["name"] == "cpu" and body["type"] == "gauge" and body["period"] == 60 and body["resolution"] == 60
    assert body["measurements"] == {
        "web-1": [{"measure_time": 120, "value": 1.5, "count": 2, "sum": 3.0, "min": 1.0, "max": 2.0}]
    }
    assert body["query"] == {"next_time": 180}
    assert "query" not in metric_measurements(SourcesResult(Metric("cpu"), 60, {}))
