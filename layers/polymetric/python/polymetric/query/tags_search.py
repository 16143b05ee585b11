"""The ``tags_search`` grammar of GET /v1/measurements (seed: Retrieve Measurements Using tags_search).

Grammar (keywords case-insensitive; ``not`` binds tighter than ``and``, ``and`` tighter than ``or``)::

    search  := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | primary
    primary := "(" or ")" | term
    term    := NAME ("=" | "!=") VALUE

1. NAME and VALUE are words or quoted strings; ``*`` is a wildcard in both. Matching is case-insensitive.
2. ``name=pattern``: the series has a tag matching ``name`` whose value matches ``pattern``.
3. ``name!=pattern``: the series has the tag and no value of it matches (the negation rule of ``tags``);
   ``not name=pattern`` also matches series without the tag.
4. Errors name the 1-based position of the offending token.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from polymetric.models.tags import wildcard
from polymetric.query.composite.ast import quote
from polymetric.query.composite.errors import ExpressionError
from polymetric.query.composite.lexer import END, PUNCT, STRING, WORD, Token, tokenize

KEYWORDS = ("and", "or", "not")
PARAM = "tags_search"
MAX_LENGTH = 4096
MAX_DEPTH = 32


@dataclass(frozen=True)
class Term:
    name: str
    pattern: str
    negated: bool = False
    position: int = field(default=0, compare=False)

    def matches(self, tags: Mapping[str, str]) -> bool:
        name_re, value_re = wildcard(self.name), wildcard(self.pattern)
        values = [v.lower() for k, v in tags.items() if name_re.match(k.lower())]
        if self.negated:
            return bool(values) and not any(value_re.match(v) for v in values)
        return any(value_re.match(v) for v in values)

    def text(self) -> str:
        return f"{_word(self.name)}{'!=' if self.negated else '='}{_word(self.pattern)}"


@dataclass(frozen=True)
class Not:
    operand: "Search"

    def matches(self, tags: Mapping[str, str]) -> bool:
        return not self.operand.matches(tags)

    def text(self) -> str:
        return f"not {_wrap(self.operand, Not)}"


@dataclass(frozen=True)
class And:
    operands: tuple["Search", ...]

    def matches(self, tags: Mapping[str, str]) -> bool:
        return all(o.matches(tags) for o in self.operands)

    def text(self) -> str:
        return " and ".join(_wrap(o, And) for o in self.operands)


@dataclass(frozen=True)
class Or:
    operands: tuple["Search", ...]

    def matches(self, tags: Mapping[str, str]) -> bool:
        return any(o.matches(tags) for o in self.operands)

    def text(self) -> str:
        return " or ".join(_wrap(o, Or) for o in self.operands)


Search = Term | Not | And | Or
_BINDING = {Or: 1, And: 2, Not: 3, Term: 4}


def _wrap(node: Search, parent: type) -> str:
    inner = node.text()
    return f"({inner})" if _BINDING[type(node)] <= _BINDING[parent] and not isinstance(node, Not) else inner


def _word(text: str) -> str:
    plain = text and all(c.isalnum() or c in "*-_.:/@%+?#" for c in text) and text.lower() not in KEYWORDS
    return text if plain else quote(text)


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.i]

    def fail(self, message: str, token: Token | None = None) -> ExpressionError:
        return ExpressionError(message, (token or self.token).position, PARAM)

    def keyword(self, word: str) -> bool:
        t = self.token
        return t.kind == WORD and t.text.lower() == word

    def or_(self) -> Search:
        operands = [self.and_()]
        while self.keyword("or"):
            self.i += 1
            operands.append(self.and_())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_(self) -> Search:
        operands = [self.not_()]
        while self.keyword("and"):
            self.i += 1
            operands.append(self.not_())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def not_(self) -> Search:
        if self.keyword("not"):
            self.i += 1
            return Not(self.not_())
        return self.primary()

    def primary(self) -> Search:
        t = self.token
        if t.kind == PUNCT and t.text == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self.fail(f"parentheses nested deeper than {MAX_DEPTH} levels")
            self.i += 1
            inner = self.or_()
            if not (self.token.kind == PUNCT and self.token.text == ")"):
                raise self.fail(
                    f"expected ')' to close the '(' at position {t.position} but found {self.token.describe()}"
                )
            self.i += 1
            self.depth -= 1
            return inner
        return self.term()

    def term(self) -> Term:
        name = self.token
        if name.kind not in (WORD, STRING) or (name.kind == WORD and name.text.lower() in KEYWORDS):
            raise self.fail(f"expected a tag name but found {name.describe()}")
        self.i += 1
        op = self.token
        if not (op.kind == PUNCT and op.text in ("=", "!=")):
            raise self.fail(f"expected '=' or '!=' after tag name {name.text!r} but found {op.describe()}")
        self.i += 1
        value = self.token
        if value.kind not in (WORD, STRING) or (value.kind == WORD and value.text.lower() in KEYWORDS):
            raise self.fail(f"expected a value pattern for tag {name.text!r} but found {value.describe()}")
        self.i += 1
        return Term(name.text, value.text, op.text == "!=", name.position)


def parse(source: str) -> Search:
    """The search tree of ``source``; raises ExpressionError (a 400 on tags_search) when malformed."""
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"tags_search longer than {MAX_LENGTH} characters", MAX_LENGTH + 1, PARAM)
    p = _Parser(tokenize(source, tags_search=True, param=PARAM))
    if p.token.kind == END:
        raise p.fail("empty tags_search")
    tree = p.or_()
    if p.token.kind != END:
        raise p.fail(f"unexpected {p.token.describe()}; join terms with and, or, not")
    return tree
