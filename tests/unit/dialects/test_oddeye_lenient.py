"""The Gson-lenient reader barlus parses ``data`` with."""

import pytest

from polymetric.dialects.oddeye.lenient import MAX_DEPTH, LenientJsonError, loads


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[{"a": 1, "b": [true, false, null]}]', [{"a": 1, "b": [True, False, None]}]),
        ("[{'a': 'it\\'s'}]", [{"a": "it's"}]),
        ("{a: b, c = 2; d => 3.5}", {"a": "b", "c": 2, "d": 3.5}),
        ("[1, // comment\n 2 # other\n, /* block */ 3]", [1, 2, 3]),
        ("[NaN, -Infinity]", [float("nan"), float("-inf")]),
        ("[1;2]", [1, 2]),
        ("[1,,2]", [1, None, 2]),
        ("[1,]", [1, None]),
        ('"\\u00e9\\n"', "é\n"),
        ("[]", []),
        ("{}", {}),
    ],
)
def test_reads_what_gson_reads_leniently(text: str, expected: object) -> None:
    got = loads(text)
    if text.startswith("[NaN"):
        assert got[0] != got[0] and got[1] == float("-inf")
    else:
        assert got == expected


@pytest.mark.parametrize("text", ["", "[", "[1 2]", "{a 1}", '"open', "[1]]", "'\\x'", "/* open", '"\\u12"', "{:1}"])
def test_refuses_what_gson_refuses(text: str) -> None:
    with pytest.raises(LenientJsonError):
        loads(text)


def test_nesting_is_bounded() -> None:
    with pytest.raises(LenientJsonError, match="Nesting too deep"):
        loads("[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5))
    assert loads("[" * 10 + "]" * 10) == [[[[[[[[[[]]]]]]]]]]


def test_long_digit_strings_do_not_crash() -> None:
    assert loads("9" * 5000) == float("inf")
