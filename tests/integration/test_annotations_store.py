"""The annotation seam other dialects record into."""

import pytest

from polymetric.domain import annotations
from polymetric.errors import InvalidInputError
from polymetric.storage import annotations as store
from tests.conftest import Org


def test_record_and_read_back_in_time_order(org: Org) -> None:
    annotations.record(
        org.tenant,
        "Deploys",
        "v2",
        start_time=200,
        description="second",
        source="ci",
        links=[{"rel": "github", "href": "https://example.com/2"}],
    )
    annotations.record(org.tenant, "deploys", "v1", start_time=100)
    found = annotations.events(org.tenant, "DEPLOYS", 0, 1000)
    assert [(e.title, e.start_time) for e in found] == [("v1", 100), ("v2", 200)]
    assert found[1].links == [{"rel": "github", "href": "https://example.com/2"}]
    assert found[1].source == "ci"
    assert annotations.streams(org.tenant) == ["Deploys"]
    assert annotations.events(org.tenant, "deploys", 150, 1000)[0].title == "v2"


@pytest.mark.parametrize(("stream", "title"), [("bad stream", "t"), ("", "t"), ("ok", "")])
def test_record_rejects_bad_input(org: Org, stream: str, title: str) -> None:
    with pytest.raises(InvalidInputError):
        annotations.record(org.tenant, stream, title)


def test_a_stream_created_twice_keeps_the_first_spelling(org: Org) -> None:
    # Given two first events racing on one stream: the second write finds the stream written meanwhile
    assert store.ensure_stream(org.tenant, "Deploys") == "Deploys"
    assert store.ensure_stream(org.tenant, "DEPLOYS") == "Deploys"
    assert annotations.record(org.tenant, "deploys", "v1", start_time=1).stream == "Deploys"
