import pytest

from polymetric.api.forms import parse_form
from polymetric.errors import InvalidInputError


def test_parse_form_reads_plain_fields() -> None:
    assert parse_form("period=60&display_name=CPU") == {"period": "60", "display_name": "CPU"}


def test_parse_form_of_an_empty_body_is_empty() -> None:
    assert parse_form("") == {}


def test_parse_form_keeps_the_last_value_of_a_repeated_plain_key() -> None:
    assert parse_form("a=1&a=2") == {"a": "2"}


def test_parse_form_keeps_blank_values() -> None:
    assert parse_form("a=&b") == {"a": "", "b": ""}


def test_parse_form_reads_a_plus_as_a_space() -> None:
    assert parse_form("display_name=Temperature+in+Celsius") == {"display_name": "Temperature in Celsius"}


def test_parse_form_decodes_percent_escapes() -> None:
    assert parse_form("a=x%2By&color=%2352D74C") == {"a": "x+y", "color": "#52D74C"}


def test_parse_form_reads_a_plus_as_a_space_in_keys() -> None:
    assert parse_form("a+b[c+d]=1") == {"a b": {"c d": "1"}}


def test_parse_form_collects_empty_brackets_into_a_list() -> None:
    assert parse_form("names[]=cpu&names[]=servers&names[]=reqs") == {"names": ["cpu", "servers", "reqs"]}


def test_parse_form_reads_percent_encoded_brackets() -> None:
    # The seed's curl example: -d 'names%5B%5D=cpu&names%5B%5D=servers&names%5B%5D=reqs&period=60&display_min=0'
    body = "names%5B%5D=cpu&names%5B%5D=servers&names%5B%5D=reqs&period=60&display_min=0"

    assert parse_form(body) == {"names": ["cpu", "servers", "reqs"], "period": "60", "display_min": "0"}


def test_parse_form_keeps_blank_list_items() -> None:
    assert parse_form("names[]=a&names[]=") == {"names": ["a", ""]}


def test_parse_form_nests_named_brackets_into_objects() -> None:
    body = "display_name=Temperature+in+Celsius&attributes[display_min]=0&attributes[color]=%23FFFFFF"

    assert parse_form(body) == {
        "display_name": "Temperature in Celsius",
        "attributes": {"display_min": "0", "color": "#FFFFFF"},
    }


def test_parse_form_nests_several_levels() -> None:
    assert parse_form("a[b][c]=1&a[b][d]=2&a[e]=3") == {"a": {"b": {"c": "1", "d": "2"}, "e": "3"}}


def test_parse_form_nests_a_list_inside_an_object() -> None:
    assert parse_form("a[b][]=1&a[b][]=2") == {"a": {"b": ["1", "2"]}}


def test_parse_form_keeps_the_last_value_of_a_repeated_nested_key() -> None:
    assert parse_form("attributes[color]=%23000000&attributes[color]=%23FFFFFF") == {"attributes": {"color": "#FFFFFF"}}


@pytest.mark.parametrize("key", ["a[", "a]", "[a]", "a[b]c", "a[b", "a[[b]]", "a%5B", "a[b]]", ""])
def test_parse_form_refuses_a_malformed_key(key: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_form(f"ok=1&{key}=1")

    decoded = key.replace("%5B", "[")
    assert caught.value.request == [f"Malformed form field {decoded!r}."]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("a=1&a[b]=2", "Form field 'a[b]' mixes an object with a value."),
        ("a=1&a[]=2", "Form field 'a[]' mixes a list with a value."),
        ("a[]=1&a[x]=2", "Form field 'a[x]' mixes an object with a value."),
        ("a[x]=1&a[]=2", "Form field 'a[]' mixes a list with a value."),
        ("a[b]=1&a[b][c]=2", "Form field 'a[b][c]' mixes an object with a value."),
    ],
)
def test_parse_form_refuses_a_key_used_as_value_then_as_container(body: str, message: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_form(body)

    assert caught.value.request == [message]


@pytest.mark.parametrize("body", ["a[b]=2&a=1", "a[]=1&a=2", "a[b][c]=1&a[b]=2"])
def test_parse_form_refuses_a_key_used_as_container_then_as_value(body: str) -> None:
    with pytest.raises(InvalidInputError):
        parse_form(body)
