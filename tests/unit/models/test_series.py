import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from polymetric.models.series import SID_BYTES, Series, series_id

TAGS = {"host": "web-1", "region": "us-east-1"}


def test_series_id_is_twelve_bytes() -> None:
    sid = series_id("t1", "cpu", TAGS)
    assert isinstance(sid, bytes)
    assert len(sid) == SID_BYTES == 12


def test_series_id_is_stable_across_calls_and_processes() -> None:
    # A fixed value: ids are stored in DynamoDB keys, so the hash recipe must never change
    expected = hashlib.blake2b(b"t1\x00cpu\x00host=web-1\x00region=us-east-1", digest_size=12).digest()
    assert series_id("t1", "cpu", TAGS) == expected
    assert series_id("t1", "cpu", dict(TAGS)) == expected


def test_series_id_is_case_insensitive_on_metric_and_tags() -> None:
    assert series_id("t1", "CPU", {"Host": "WEB-1", "REGION": "Us-East-1"}) == series_id("t1", "cpu", TAGS)


def test_series_id_is_independent_of_tag_order() -> None:
    reordered = {"region": "us-east-1", "host": "web-1"}
    assert series_id("t1", "cpu", reordered) == series_id("t1", "cpu", TAGS)


def test_series_id_depends_on_the_tenant() -> None:
    assert series_id("t1", "cpu", TAGS) != series_id("t2", "cpu", TAGS)


def test_series_id_is_case_sensitive_on_the_tenant() -> None:
    assert series_id("ab", "cpu", TAGS) != series_id("AB", "cpu", TAGS)


@pytest.mark.parametrize(
    ("metric", "tags"),
    [
        ("cpu2", TAGS),
        ("cpu", {"host": "web-2", "region": "us-east-1"}),
        ("cpu", {"host": "web-1"}),
        ("cpu", {**TAGS, "az": "a"}),
        ("cpu", {"hostregion": "web-1us-east-1"}),
        ("cpu", {}),
    ],
)
def test_series_id_differs_for_another_metric_or_tag_set(metric: str, tags: dict[str, str]) -> None:
    assert series_id("t1", metric, tags) != series_id("t1", "cpu", TAGS)


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.text(alphabet="abcXYZ_-.", min_size=1, max_size=8), st.text(alphabet="abcXYZ 1?", min_size=1, max_size=8)
    ),
    st.randoms(use_true_random=False),
)
def test_series_id_ignores_insertion_order_and_case(tags: dict[str, str], rnd) -> None:
    # Keys that collide once lower-cased would make two distinct tag sets; keep only case-unique keys
    unique = {k.lower(): (k, v) for k, v in tags.items()}
    tags = dict(unique.values())
    items = list(tags.items())
    rnd.shuffle(items)
    shouted = {k.upper(): v.upper() for k, v in items}

    assert series_id("t", "m", shouted) == series_id("t", "m", tags)


def test_sort_key_orders_lowercased_tag_pairs() -> None:
    series = Series(sid=b"x" * 12, tags={"Region": "US", "host": "Web-1"})
    assert series.sort_key == (("host", "web-1"), ("region", "us"))


def test_sort_key_is_empty_for_no_tags() -> None:
    assert Series(sid=b"x" * 12, tags={}).sort_key == ()


def test_sort_key_sorts_series_by_tag_values() -> None:
    series = [
        Series(b"1" * 12, {"host": "b"}),
        Series(b"2" * 12, {"host": "A"}),
        Series(b"3" * 12, {"host": "a", "az": "z"}),
    ]
    ordered = sorted(series, key=lambda s: s.sort_key)
    assert [s.sid[:1] for s in ordered] == [b"3", b"2", b"1"]


def test_series_keeps_tags_as_written() -> None:
    series = Series(sid=b"x" * 12, tags={"Host": "Web-1"})
    assert series.tags == {"Host": "Web-1"}
