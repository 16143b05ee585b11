"""Judging alert conditions (pure): thresholds, spikes, durations, absent, summary functions, grouping."""

import numpy as np

from polymetric.models.alert import Condition, TagSpec
from polymetric.models.samples import from_values
from polymetric.query.alerting import StreamSamples, group, judge, label, statistic, window

NOW = 10_000


def stream(values: list[float], times: list[int], **tags: str) -> StreamSamples:
    tags = tags or {"host": "a"}
    return StreamSamples(label(tags), tags, np.array(times, dtype=np.int64), from_values(np.array(values, dtype=float)))


def above(threshold: float, **kw) -> Condition:
    return Condition(1, "above", "m", threshold=threshold, summary_function=kw.pop("summary_function", "average"), **kw)


def test_latest_sample_decides_and_a_fresh_spike_fires() -> None:
    assert judge(above(5), [stream([1, 9], [NOW - 100, NOW - 10])], now=NOW, since=0)
    assert not judge(above(5), [stream([9, 1], [NOW - 100, NOW - 90])], now=NOW, since=0)
    spike = [stream([9, 1], [NOW - 30, NOW - 20])]
    assert judge(above(5), spike, now=NOW, since=0)
    assert not judge(above(5), spike, now=NOW, since=0, fresh_after=NOW)  # a triggered alert clears on the latest
    assert not judge(above(5), spike, now=NOW, since=0, fresh_after=NOW - 20)  # judged at the last tick


def test_samples_before_the_alert_and_outside_the_lookback_are_not_judged() -> None:
    assert not judge(above(5), [stream([9], [NOW - 10])], now=NOW, since=NOW - 5)
    assert not judge(above(5), [stream([9], [NOW - 400])], now=NOW, since=0)


def test_a_slow_stream_holds_between_its_reports() -> None:
    """A metric reported every 10 minutes (period 600), a tick late: its latest sample still decides, so the
    alert neither clears between two reports nor fires anew on the next one."""
    late = [stream([9], [NOW - 660])]
    assert judge(above(5), late, now=NOW, since=0, period=600, fresh_after=NOW)
    assert not judge(above(5), late, now=NOW, since=0)  # a 60 s metric that silent for 11 minutes has no latest
    assert window(above(5), 600) >= 660 + 60  # the tick reads far enough back for it


def test_duration_needs_every_sample_beyond_and_coverage() -> None:
    c = above(5, duration=120)
    full = stream([9, 9, 9], [NOW - 110, NOW - 60, NOW - 5])
    assert judge(c, [full], now=NOW, since=0)
    assert not judge(c, [stream([9, 1, 9], [NOW - 110, NOW - 60, NOW - 5])], now=NOW, since=0)
    assert not judge(c, [stream([9], [NOW - 5])], now=NOW, since=0)  # one late sample covers nothing
    assert not judge(c, [full], now=NOW, since=NOW - 100)  # tracking starts with the alert


def test_below_and_violation_fields() -> None:
    c = Condition(7, "below", "free", threshold=5, summary_function="average")
    (v,) = judge(c, [stream([3], [NOW - 10], host="db")], now=NOW, since=0)
    assert (v.condition_id, v.metric, v.stream, v.value, v.recorded_at, v.count) == (
        7,
        "free",
        "host=db",
        3.0,
        NOW - 10,
        1,
    )


def test_absent_only_after_a_stream_was_seen() -> None:
    c = Condition(1, "absent", "m", duration=120)
    assert judge(c, [stream([1], [NOW - 200])], now=NOW, since=0)
    assert not judge(c, [stream([1], [NOW - 100])], now=NOW, since=0)
    assert not judge(c, [], now=NOW, since=0)
    assert not judge(c, [stream([1], [NOW - 200])], now=NOW, since=NOW - 60)


def test_summary_functions_and_derivative_reset() -> None:
    stats = from_values(np.array([10.0, 4.0, 7.0]))
    assert statistic(stats, "derivative").tolist()[1:] == [-6.0, 3.0]
    assert statistic(stats, "derivative", detect_reset=True).tolist()[1:] == [0.0, 3.0]
    assert statistic(stats, "count").tolist() == [1.0, 1.0, 1.0]
    assert statistic(stats, "max").tolist() == [10.0, 4.0, 7.0]


def test_grouped_streams_fold_per_minute() -> None:
    streams = [stream([80], [NOW - 50], host="web-1"), stream([20, 60], [NOW - 49, NOW - 48], host="web-2")]
    ((_times, values),) = group(streams, "average", False)
    assert values.tolist() == [60.0]
    c = above(50, tags=(TagSpec("host", ("web-*",), grouped=True),))
    (v,) = judge(c, streams, now=NOW, since=0)
    assert v.stream == "host=web-*"  # the condition's tag filter as text, in the style of label()


def test_a_grouped_violation_is_labelled_with_the_tag_filter() -> None:
    streams = [stream([80], [NOW - 50], host="web-1", region="us-east")]
    tags = (
        TagSpec("region", ("us-east",)),
        TagSpec("host", ("web-*", "api-*"), grouped=True),
        TagSpec("Az", (), grouped=True),
    )
    (v,) = judge(above(50, tags=tags), streams, now=NOW, since=0)
    assert v.stream == "Az=*,host=web-*|api-*,region=us-east"


def test_a_grouped_condition_judges_the_minute_it_was_created_in() -> None:
    """Tracking starts at creation: samples from its minute count (the fold's minute is labelled with the
    minute's start, before ``since``), but not the samples of that minute from before it."""
    since = NOW - NOW % 60 - 120 + 20  # 20 s into a minute
    streams = [
        stream([40], [since + 5], host="g1"),
        stream([40], [since + 10], host="g2"),
        stream([500], [since - 5], host="g3"),  # before the alert: not judged, not folded in
    ]
    c = above(70, summary_function="sum", tags=(TagSpec("host", ("g*",), grouped=True),))
    (v,) = judge(c, streams, now=NOW, since=since)
    assert (v.value, v.recorded_at) == (80.0, since - 20)
    assert not judge(c, streams[:1], now=NOW, since=since)


def test_a_composite_minute_judged_from_the_minute_the_alert_was_created_in() -> None:
    since = NOW - NOW % 60 - 120 + 20
    minute = since - 20
    composite = StreamSamples("*", {}, np.array([minute], dtype=np.int64), from_values(np.array([90.0])), span=60)
    assert judge(above(70), [composite], now=NOW, since=since)
    assert not judge(above(70), [composite], now=NOW, since=minute + 60)  # a minute wholly before the alert
