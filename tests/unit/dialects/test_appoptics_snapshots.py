"""Snapshot requests: the subject as an object, as form brackets, or as the JSON text a form carries."""

import pytest

from polymetric.dialects.appoptics import snapshots
from polymetric.errors import InvalidInputError


def test_subject_given_as_json_text_reads_as_the_object() -> None:
    text = '{"chart":{"id": 3, "source": "*", "type": "stacked"}}'
    from_text = snapshots.request({"subject": text, "duration": "600"})
    from_form = snapshots.request(
        {"subject": {"chart": {"id": "3", "source": "*", "type": "stacked"}}, "duration": "600"}
    )
    assert from_text == from_form
    assert (from_text.chart_id, from_text.type, from_text.sources, from_text.duration) == (3, "stacked", ["*"], 600)


@pytest.mark.parametrize("text", ['{"chart": {"id": 3', "chart=3", "", "[" * 100_000])
def test_subject_text_that_is_not_json_is_a_400_on_subject(text: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        snapshots.request({"subject": text})
    assert list(raised.value.params) == ["subject"]
    assert "JSON object" in raised.value.params["subject"][0]


@pytest.mark.parametrize("text", ["3", '"chart"', '{"id": 3}', '{"chart": 3}'])
def test_subject_json_that_names_no_chart_is_a_400_on_subject(text: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        snapshots.request({"subject": text})
    assert list(raised.value.params) == ["subject"]
