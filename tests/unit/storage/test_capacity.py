import pytest

from polymetric.storage.capacity import STORAGE_OVERHEAD, billed_bytes, item_size, read_units, value_size, write_units

# --- value sizes (AWS: Item sizes, CapacityUnitCalculations) ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("", 0),
        ("abc", 3),
        ("é", 2),
        ("€", 3),
        ("😀", 4),
        ("T#a1b2c3#METRICS", 16),
    ],
)
def test_string_size_is_its_utf8_bytes(text: str, size: int) -> None:
    assert value_size({"S": text}) == size


@pytest.mark.parametrize(
    ("number", "size"),
    [
        ("0", 2),
        ("1", 2),
        ("12", 2),
        ("123", 3),
        ("-123", 3),
        ("1000000", 2),
        ("0.001", 2),
        ("0.5", 2),
        ("100.5", 3),
        ("12345.6789", 6),
        ("1.5E+10", 2),
        ("1e-5", 2),
        ("12345678901234567890123456789012345678", 20),
    ],
)
def test_number_size_is_one_byte_per_two_significant_digits_plus_one(number: str, size: int) -> None:
    assert value_size({"N": number}) == size


def test_number_size_ignores_leading_and_trailing_zeroes() -> None:
    assert value_size({"N": "000120"}) == value_size({"N": "12"}) == 2
    assert value_size({"N": "1.2000"}) == value_size({"N": "12"})


@pytest.mark.parametrize(("blob", "size"), [(b"", 0), (b"\x00", 1), (bytes(1000), 1000)])
def test_binary_size_is_its_length(blob: bytes, size: int) -> None:
    assert value_size({"B": blob}) == size


@pytest.mark.parametrize("value", [{"BOOL": True}, {"BOOL": False}, {"NULL": True}])
def test_boolean_and_null_size_is_one_byte(value: dict[str, bool]) -> None:
    assert value_size(value) == 1


def test_empty_map_and_list_cost_three_bytes() -> None:
    assert value_size({"M": {}}) == 3
    assert value_size({"L": []}) == 3


def test_map_element_costs_its_name_value_and_one_byte() -> None:
    # 3 overhead + ("host" 4 + "a" 1 + 1) + ("n" 1 + number "12" 2 + 1)
    assert value_size({"M": {"host": {"S": "a"}, "n": {"N": "12"}}}) == 3 + 6 + 4


def test_list_element_costs_its_value_and_one_byte() -> None:
    # 3 overhead + ("ab" 2 + 1) + (true 1 + 1)
    assert value_size({"L": [{"S": "ab"}, {"BOOL": True}]}) == 3 + 3 + 2


def test_nested_documents_add_their_own_overhead() -> None:
    inner = {"M": {"k": {"S": "v"}}}  # 3 + (1 + 1 + 1) = 6
    assert value_size(inner) == 6
    assert value_size({"L": [inner]}) == 3 + 6 + 1
    assert value_size({"M": {"x": {"L": [inner]}}}) == 3 + 1 + (3 + 6 + 1) + 1


def test_sets_cost_the_sum_of_their_elements() -> None:
    assert value_size({"SS": ["a", "bc", "é"]}) == 1 + 2 + 2
    assert value_size({"NS": ["1", "123"]}) == 2 + 3
    assert value_size({"BS": [b"ab", b"cde"]}) == 5


def test_value_size_refuses_an_unknown_type() -> None:
    with pytest.raises(ValueError, match="unknown attribute type X"):
        value_size({"X": "1"})


# --- items and capacity units -------------------------------------------------------------------------------------


def test_item_size_adds_attribute_names_and_values() -> None:
    item = {"pk": {"S": "T#t#METRICS"}, "sk": {"S": "cpu"}, "period": {"N": "60"}, "d": {"B": b"12345"}}
    assert item_size(item) == (2 + 11) + (2 + 3) + (6 + 2) + (1 + 5)


def test_item_size_counts_attribute_names_as_utf8() -> None:
    assert item_size({"é": {"S": "x"}}) == 3


def _item_of_size(size: int) -> dict[str, dict[str, str]]:
    """An item of exactly ``size`` bytes: name "s" (1 B) plus a string of size-1 bytes."""
    item = {"s": {"S": "x" * (size - 1)}}
    assert item_size(item) == size
    return item


@pytest.mark.parametrize(
    ("size", "units"),
    [(1, 1), (1023, 1), (1024, 1), (1025, 2), (2048, 2), (2049, 3), (400 * 1024, 400)],
)
def test_write_units_are_one_per_started_kilobyte_of_an_item(size: int, units: int) -> None:
    assert write_units([_item_of_size(size)]) == units


def test_write_units_round_each_item_separately() -> None:
    # Each 600 B item rounds up to a unit of its own: 3 units, not ceil(1800 / 1024) = 2
    items = [_item_of_size(600)] * 3
    assert write_units(items) == 3


def test_write_units_are_zero_for_no_items() -> None:
    assert write_units([]) == 0


def test_billed_bytes_add_storage_overhead_per_item() -> None:
    items = [_item_of_size(10), _item_of_size(20)]
    assert billed_bytes(items) == 30 + 2 * STORAGE_OVERHEAD
    assert STORAGE_OVERHEAD == 100


@pytest.mark.parametrize(
    ("sizes", "eventual", "strong"),
    [
        ([], 0.5, 1.0),
        ([1], 0.5, 1.0),
        ([4096], 0.5, 1.0),
        ([4097], 1.0, 2.0),
        ([1000] * 4, 0.5, 1.0),
        ([1000] * 5, 1.0, 2.0),
        ([4096] * 3, 1.5, 3.0),
    ],
)
def test_read_units_sum_the_page_before_rounding_to_4kb(sizes: list[int], eventual: float, strong: float) -> None:
    items = [_item_of_size(s) for s in sizes]

    assert read_units(items) == eventual
    assert read_units(items, consistent=True) == strong


def test_read_units_accept_a_generator() -> None:
    assert read_units(_item_of_size(2048) for _ in range(3)) == 1.0
