"""AppOptics field readers: what an omitted, empty or null field means."""

import pytest

from polymetric.dialects.appoptics import fields
from polymetric.errors import InvalidInputError


def test_text_reads_an_empty_optional_field_as_absent() -> None:
    assert fields.text({"label": ""}, "label") is None
    assert fields.text({}, "label") is None


@pytest.mark.parametrize("empty", ["", None])
def test_rename_to_nothing_is_a_400_naming_the_field(empty) -> None:
    with pytest.raises(InvalidInputError) as raised:
        fields.rename({"name": empty}, "name")
    assert raised.value.params == {"name": ["must not be empty"]}


def test_rename_omitted_keeps_the_name_and_given_is_checked_as_text() -> None:
    assert fields.rename({}, "name") is None
    assert fields.rename({"name": "Ops"}, "name") == "Ops"
    with pytest.raises(InvalidInputError):
        fields.rename({"name": "x" * 256}, "name")
