import pytest

from polymetric.models.tags import TagFilter, TagTerm, wildcard

WEB1 = {"host": "web-1", "region": "us-east-1", "az": "a"}
WEB2 = {"host": "web-2", "region": "us-west-2", "az": "b"}
DB1 = {"host": "db-1", "region": "us-east-1"}
BARE = {"role": "batch"}
SERIES = {"web1": WEB1, "web2": WEB2, "db1": DB1, "bare": BARE}


def _matching(pairs: list[tuple[str, str]]) -> set[str]:
    tag_filter = TagFilter.from_pairs(pairs)
    return {name for name, tags in SERIES.items() if tag_filter.matches(tags)}


def test_empty_filter_matches_everything() -> None:
    assert _matching([]) == set(SERIES)
    assert TagFilter().matches({})


def test_single_tag_matches_its_exact_value() -> None:
    assert _matching([("host", "web-1")]) == {"web1"}


def test_repeated_tag_name_is_an_or() -> None:
    assert _matching([("host", "web-1"), ("host", "db-1")]) == {"web1", "db1"}


def test_different_tag_names_are_an_and() -> None:
    assert _matching([("region", "us-east-1"), ("host", "web-1")]) == {"web1"}
    assert _matching([("region", "us-west-2"), ("host", "web-1")]) == set()


def test_or_within_a_name_and_across_names_combine() -> None:
    pairs = [("host", "web-1"), ("host", "web-2"), ("region", "us-west-2")]
    assert _matching(pairs) == {"web2"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("web-*", {"web1", "web2"}),
        ("*-1", {"web1", "db1"}),
        ("*eb*", {"web1", "web2"}),
        ("w*-*", {"web1", "web2"}),
        ("*", {"web1", "web2", "db1"}),
        ("web", set()),
    ],
)
def test_star_in_a_value_is_a_wildcard(value: str, expected: set[str]) -> None:
    assert _matching([("host", value)]) == expected


def test_star_in_a_name_is_a_wildcard() -> None:
    assert _matching([("reg*", "us-east-1")]) == {"web1", "db1"}
    assert _matching([("*o*", "batch")]) == {"bare"}


def test_star_alone_or_empty_value_requires_the_tag() -> None:
    assert _matching([("az", "*")]) == {"web1", "web2"}
    assert _matching([("az", "")]) == {"web1", "web2"}


@pytest.mark.parametrize("special", ["?", ".", "+", "[a]", "(x)", "^", "$", "|", "\\"])
def test_characters_other_than_star_are_literal(special: str) -> None:
    tag_filter = TagFilter.from_pairs([("q", f"a{special}b")])

    assert tag_filter.matches({"q": f"a{special}b"})
    assert not tag_filter.matches({"q": "axb"})
    assert not tag_filter.matches({"q": "ab"})


def test_question_mark_is_not_a_single_character_wildcard() -> None:
    assert _matching([("host", "web-?")]) == set()
    assert TagFilter.from_pairs([("path", "/a?b=1")]).matches({"path": "/a?b=1"})


def test_negated_value_requires_the_tag_and_a_non_matching_value() -> None:
    assert _matching([("host", "!web-1")]) == {"web2", "db1"}


def test_negated_value_accepts_wildcards() -> None:
    assert _matching([("host", "!web-*")]) == {"db1"}


def test_several_negated_values_exclude_each() -> None:
    assert _matching([("host", "!web-1"), ("host", "!db-1")]) == {"web2"}


def test_negated_value_combines_with_a_positive_pattern_of_the_same_name() -> None:
    assert _matching([("host", "*-1"), ("host", "!db-*")]) == {"web1"}


def test_negated_name_means_the_tag_is_absent() -> None:
    assert _matching([("!az", "")]) == {"db1", "bare"}
    assert _matching([("!host", "")]) == {"bare"}


def test_negated_name_ignores_the_value() -> None:
    assert _matching([("!az", "a")]) == {"db1", "bare"}


def test_negated_name_accepts_wildcards() -> None:
    assert _matching([("!ho*", "")]) == {"bare"}


def test_negated_name_combines_with_other_names() -> None:
    assert _matching([("!az", ""), ("region", "us-east-1")]) == {"db1"}


@pytest.mark.parametrize(
    "pairs",
    [
        [("HOST", "WEB-1")],
        [("Host", "Web-1")],
        [("host", "WEB-*"), ("AZ", "A")],
        [("HoSt", "!DB-*"), ("REGION", "US-EAST-1")],
    ],
)
def test_matching_is_case_insensitive(pairs: list[tuple[str, str]]) -> None:
    assert _matching(pairs) == {"web1"}


def test_matching_is_case_insensitive_on_the_series_tags() -> None:
    assert TagFilter.from_pairs([("host", "web-1")]).matches({"HOST": "WEB-1"})
    assert not TagFilter.from_pairs([("!host", "")]).matches({"Host": "x"})


def test_from_pairs_groups_terms_by_lowercased_name() -> None:
    tag_filter = TagFilter.from_pairs([("Host", "a"), ("host", "!b"), ("region", "*"), ("!az", "")])

    assert tag_filter.terms == (
        TagTerm("az", absent=True),
        TagTerm("host", positives=("a",), negatives=("b",)),
        TagTerm("region"),
    )


def test_wildcard_matches_the_whole_string_only() -> None:
    assert wildcard("web").match("web")
    assert not wildcard("web").match("web-1")
    assert not wildcard("web").match("a-web")
    assert wildcard("a*").match("a\nb")
