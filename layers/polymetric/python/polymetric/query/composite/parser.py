"""Recursive-descent parser of composite expressions (Librato/AppOptics composite metrics language).

Grammar::

    expr  := call | set | map | STRING | WORD
    call  := WORD "(" [expr ("," expr)*] ")"      -- no whitespace between the name and "("
    set   := "[" [expr ("," expr)*] "]"
    map   := "{" [key ":" value ("," key ":" value)*] "}"
    key   := WORD | STRING        value := WORD | STRING

Errors are ``ExpressionError``s naming the 1-based position of the offending token.
"""

from polymetric.query.composite.ast import Call, MapLit, Node, SetLit, Str, Word
from polymetric.query.composite.errors import ExpressionError
from polymetric.query.composite.lexer import END, PUNCT, STRING, WORD, Token, tokenize

MAX_LENGTH = 4096
MAX_DEPTH = 32


class _Parser:
    def __init__(self, tokens: list[Token], param: str) -> None:
        self.tokens = tokens
        self.i = 0
        self.param = param
        self.depth = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.i]

    def fail(self, message: str, token: Token | None = None) -> ExpressionError:
        t = token or self.token
        return ExpressionError(message, t.position, self.param)

    def take(self, kind: str, text: str | None = None) -> Token:
        t = self.token
        if t.kind != kind or (text is not None and t.text != text):
            wanted = repr(text) if text else kind
            raise self.fail(f"expected {wanted} but found {t.describe()}")
        self.i += 1
        return t

    def at(self, text: str) -> bool:
        return self.token.kind == PUNCT and self.token.text == text

    def expr(self) -> Node:
        t = self.token
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"expression nested deeper than {MAX_DEPTH} levels")
        try:
            if t.kind == STRING:
                self.i += 1
                return Str(t.text, t.position)
            if t.kind == WORD:
                self.i += 1
                if self.at("("):
                    if self.token.position != t.position + len(t.text):
                        raise self.fail(f"no whitespace is allowed between {t.text} and '('")
                    return self.call(t)
                return Word(t.text, t.position)
            if self.at("["):
                return self.set_literal()
            if self.at("{"):
                return self.map_literal()
            raise self.fail(f"expected a function, a set, a map or a value but found {t.describe()}")
        finally:
            self.depth -= 1

    def call(self, name: Token) -> Call:
        self.take(PUNCT, "(")
        args = self.items(")")
        return Call(name.text, args, name.position)

    def set_literal(self) -> SetLit:
        start = self.take(PUNCT, "[")
        return SetLit(self.items("]"), start.position)

    def items(self, close: str) -> tuple[Node, ...]:
        out: list[Node] = []
        if self.at(close):
            self.i += 1
            return ()
        while True:
            out.append(self.expr())
            if self.at(","):
                self.i += 1
                continue
            if self.at(close):
                self.i += 1
                return tuple(out)
            raise self.fail(f"expected ',' or '{close}' but found {self.token.describe()}")

    def map_literal(self) -> MapLit:
        start = self.take(PUNCT, "{")
        entries: list[tuple[str, Str | Word]] = []
        seen: set[str] = set()
        if self.at("}"):
            self.i += 1
            return MapLit((), start.position)
        while True:
            key = self.token
            if key.kind not in (WORD, STRING):
                raise self.fail(f"expected a map key but found {key.describe()}")
            self.i += 1
            if key.text in seen:
                raise self.fail(f"duplicate map key {key.text!r}", key)
            seen.add(key.text)
            self.take(PUNCT, ":")
            value = self.token
            if value.kind == STRING:
                entries.append((key.text, Str(value.text, value.position)))
            elif value.kind == WORD:
                entries.append((key.text, Word(value.text, value.position)))
            else:
                raise self.fail(f"expected a value for {key.text!r} but found {value.describe()}")
            self.i += 1
            if self.at(","):
                self.i += 1
                continue
            if self.at("}"):
                self.i += 1
                return MapLit(tuple(entries), start.position)
            raise self.fail(f"expected ',' or '}}' but found {self.token.describe()}")


def parse(source: str, *, param: str = "compose") -> Node:
    """The syntax tree of ``source``; raises ExpressionError (a 400) on a syntax error."""
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters", MAX_LENGTH + 1, param)
    tokens = tokenize(source, param=param)
    p = _Parser(tokens, param)
    if p.token.kind == END:
        raise p.fail("empty expression")
    node = p.expr()
    if p.token.kind != END:
        raise p.fail(f"unexpected {p.token.describe()} after the expression")
    return node
