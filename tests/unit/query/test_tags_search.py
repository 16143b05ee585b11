"""The tags_search grammar: terms, and/or/not precedence, parentheses, quoting, malformed input."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from polymetric.query import tags_search
from polymetric.query.composite.errors import ExpressionError
from polymetric.query.tags_search import And, Not, Or, Term

SERIES = {
    "east_prod": {"region": "us-east-1", "db": "db-prod-1", "name": "prod"},
    "east_dev": {"region": "us-east-2", "db": "db-dev-1"},
    "west_prod": {"region": "us-west-1", "db": "db-prod-2"},
    "eu": {"region": "eu-west-1", "Host": "Web:80"},
    "bare": {},
}


def matching(text: str) -> set[str]:
    search = tags_search.parse(text)
    return {name for name, tags in SERIES.items() if search.matches(tags)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("region=us-east* and db=*prod*", {"east_prod"}),  # the seed's example
        ("region=us-east-1", {"east_prod"}),
        ("REGION=US-EAST-1", {"east_prod"}),
        ("region=us-*", {"east_prod", "east_dev", "west_prod"}),
        ("region=*", {"east_prod", "east_dev", "west_prod", "eu"}),
        ("db=*prod* or region=eu*", {"east_prod", "west_prod", "eu"}),
        ("not region=us-*", {"eu", "bare"}),
        ("region!=us-*", {"eu"}),  # != needs the tag, as tags negation does
        ("not db=*", {"eu", "bare"}),
        # and binds tighter than or
        ("region=eu* or region=us-east* and db=*prod*", {"eu", "east_prod"}),
        ("(region=eu* or region=us-east*) and db=*prod*", {"east_prod"}),
        # not binds tighter than and
        ("not region=us-east* and db=*", {"west_prod"}),
        ("not (region=us-east* and db=*)", {"west_prod", "eu", "bare"}),
        ("not not region=eu*", {"eu"}),
        ("region=eu* AND NOT host=x OR name=prod", {"eu", "east_prod"}),
        ('host="web:80"', {"eu"}),
        ("host=web:80", {"eu"}),
        ("'region'='us-west-1'", {"west_prod"}),
        ('name="prod" and region = "us-east-1"', {"east_prod"}),
        ("h*=web*", {"eu"}),
        ("((region=eu-west-1))", {"eu"}),
    ],
)
def test_search_semantics(text: str, expected: set[str]) -> None:
    assert matching(text) == expected


def test_precedence_builds_the_expected_tree() -> None:
    assert tags_search.parse("a=1 or b=2 and not c=3") == Or(
        (Term("a", "1"), And((Term("b", "2"), Not(Term("c", "3")))))
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty tags_search at position 1"),
        ("region", "expected '=' or '!=' after tag name 'region' but found end of input at position 7"),
        ("region=", "expected a value pattern for tag 'region' but found end of input at position 8"),
        ("=us", "expected a tag name but found '=' at position 1"),
        ("region=us and", "expected a tag name but found end of input at position 14"),
        ("region=us or or db=x", "expected a tag name but found 'or' at position 14"),
        ("region=us db=x", "unexpected 'db'; join terms with and, or, not at position 11"),
        ("(region=us", "expected ')' to close the '(' at position 1 but found end of input at position 11"),
        ("region=us)", "unexpected ')'; join terms with and, or, not at position 10"),
        ('region="us', "unterminated string at position 8"),
        ("not", "expected a tag name but found end of input at position 4"),
        ("region=and", "expected a value pattern for tag 'region' but found 'and' at position 8"),
        ("(" * 40 + "a=1" + ")" * 40, "parentheses nested deeper than 32 levels at position 33"),
    ],
)
def test_malformed_input_names_the_position(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        tags_search.parse(text)
    assert info.value.params == {"tags_search": [message]}


_value = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=6)
_terms = st.builds(Term, _value, _value, st.booleans())
searches = st.recursive(
    _terms,
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.builds(And, st.lists(inner, min_size=2, max_size=3).map(tuple)),
        st.builds(Or, st.lists(inner, min_size=2, max_size=3).map(tuple)),
    ),
    max_leaves=8,
)


@given(searches)
def test_text_then_parse_gives_the_same_tree(search: tags_search.Search) -> None:
    assert tags_search.parse(search.text()) == search
