import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from polymetric.storage import keys

TENANT = "a1b2c3d4e5f6"
HOUR = 1_700_002_800  # 2023-11-14T23:00:00Z, a whole hour


def _tenant_keys(tenant: str) -> dict[str, str]:
    """Every tenant-scoped partition/sort key string the module builds, by name."""
    return {
        "metrics_pk": keys.metrics_pk(tenant),
        "metric_pk": keys.metric(tenant, "cpu")[0],
        "series_registry_pk": keys.series_registry_pk(tenant, "cpu"),
        "series_posting_pk": keys.series_posting(tenant, "cpu", "host", "web-1", "ab" * 12)[0],
        "hot_slab_pk": keys.hot_slab_pk(tenant, "cpu", HOUR),
        "hours_pk": keys.hours_pk(tenant, "cpu"),
    }


@pytest.mark.parametrize("name", list(_tenant_keys(TENANT)))
def test_tenant_key_starts_with_tenant_prefix_for_every_builder(name: str) -> None:
    assert _tenant_keys(TENANT)[name].startswith(f"T#{TENANT}#")


def test_org_key_is_the_bare_tenant_partition() -> None:
    # The table of the module docstring: ``T#{t}  ORG`` (the only tenant key without the trailing ``#``)
    assert keys.org(TENANT) == (f"T#{TENANT}", "ORG")


def test_token_key_is_global_and_not_tenant_scoped() -> None:
    pk, sk = keys.token("ab" * 32)

    assert (pk, sk) == ("TOKEN#" + "ab" * 32, "TOKEN")
    assert not pk.startswith("T#")


def test_tenant_keys_differ_between_tenants() -> None:
    one, other = _tenant_keys("t1"), _tenant_keys("t2")
    assert not set(one.values()) & set(other.values())


def test_metric_key_uses_the_metrics_partition_and_the_name_as_sort_key() -> None:
    assert keys.metric(TENANT, "cpu.user") == (f"T#{TENANT}#METRICS", "cpu.user")


def test_series_registry_pk_names_the_metric() -> None:
    assert keys.series_registry_pk(TENANT, "cpu.user") == f"T#{TENANT}#M#cpu.user#SER"


def test_hot_slab_pk_pads_the_hour_to_ten_digits() -> None:
    assert keys.hot_slab_pk(TENANT, "cpu", 3600) == f"T#{TENANT}#M#cpu#H#0000003600"
    assert keys.hot_slab_pk(TENANT, "cpu", HOUR) == f"T#{TENANT}#M#cpu#H#1700002800"


def test_hot_slab_sk_pads_received_ms_to_thirteen_digits() -> None:
    assert keys.hot_slab_sk(1_700_000_000_123, "req-1") == "1700000000123#req-1"
    assert keys.hot_slab_sk(42, "r") == "0000000000042#r"


def test_hours_pk_and_hour_sk_are_the_read_path_index() -> None:
    assert keys.hours_pk(TENANT, "cpu") == f"T#{TENANT}#M#cpu#HOURS"
    assert keys.hour_sk(HOUR) == "1700002800"
    assert keys.hour_sk(0) == "0000000000"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=9_999_999_999 // 3600), min_size=2, max_size=20))
def test_hour_keys_sort_lexicographically_like_numbers(hour_numbers: list[int]) -> None:
    hours = [h * 3600 for h in hour_numbers]

    by_text = sorted(hours, key=keys.hour_sk)
    by_pk = sorted(hours, key=lambda h: keys.hot_slab_pk(TENANT, "cpu", h))

    assert by_text == sorted(hours)
    assert by_pk == sorted(hours)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=9_999_999_999_999), min_size=2, max_size=20))
def test_hot_slab_sort_keys_sort_lexicographically_by_received_ms(received: list[int]) -> None:
    by_text = sorted(received, key=lambda ms: keys.hot_slab_sk(ms, "req"))
    assert by_text == sorted(received)


@pytest.mark.parametrize(
    ("t", "hour"),
    [
        (0, 0),
        (1, 0),
        (3599, 0),
        (3600, 3600),
        (HOUR, HOUR),
        (HOUR + 1, HOUR),
        (HOUR + 3599, HOUR),
        (HOUR + 3600, HOUR + 3600),
    ],
)
def test_hour_of_floors_to_the_start_of_the_hour(t: int, hour: int) -> None:
    assert keys.hour_of(t) == hour


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=4_000_000_000))
def test_hour_of_is_a_whole_hour_within_the_last_hour(t: int) -> None:
    hour = keys.hour_of(t)
    assert hour % 3600 == 0
    assert 0 <= t - hour < 3600


def test_a_posting_sorts_by_value_then_series() -> None:
    pk, sk = keys.series_posting(TENANT, "cpu", "host", "web-1", "ab" * 12)
    assert (pk, sk) == (f"T#{TENANT}#M#cpu#TAG#host", "web-1#" + "ab" * 12)
    assert keys.posting_sid(sk) == "ab" * 12
    assert keys.series_posting(TENANT, "cpu", "host", "web-1", "")[1] == "web-1#"  # the prefix of one value
