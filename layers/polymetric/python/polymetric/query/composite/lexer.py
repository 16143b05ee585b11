"""Tokens of the composite language and of tags_search (one lexer, two word alphabets).

1. Strings are double- or single-quoted; a backslash escapes the next character.
2. Punctuation: ( ) [ ] { } , : and, for tags_search, = and !=.
3. A word is a run of anything else but whitespace and quotes: names, numbers, wildcards (``us-*``).
   In tags_search ``:`` belongs to words (tag values such as ``host:80``); in composites it separates map keys.
4. Every token keeps its 1-based position, so errors can name it.
"""

from dataclasses import dataclass

from polymetric.query.composite.errors import ExpressionError

WORD, STRING, PUNCT, END = "word", "string", "punct", "end"
_COMPOSITE_PUNCT = "()[]{},:"
_TAGS_PUNCT = "()="


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    position: int

    def describe(self) -> str:
        if self.kind == END:
            return "end of input"
        if self.kind == STRING:
            return f"string {self.text!r}"
        return repr(self.text)


def tokenize(source: str, *, tags_search: bool = False, param: str = "compose") -> list[Token]:
    punct = _TAGS_PUNCT if tags_search else _COMPOSITE_PUNCT
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c.isspace():
            i += 1
        elif c in "\"'":
            start, quote, chars = i, c, []
            i += 1
            while i < n and source[i] != quote:
                if source[i] == "\\" and i + 1 < n:
                    i += 1
                chars.append(source[i])
                i += 1
            if i >= n:
                raise ExpressionError("unterminated string", start + 1, param)
            tokens.append(Token(STRING, "".join(chars), start + 1))
            i += 1
        elif tags_search and c == "!" and source[i + 1 : i + 2] == "=":
            tokens.append(Token(PUNCT, "!=", i + 1))
            i += 2
        elif c in punct:
            tokens.append(Token(PUNCT, c, i + 1))
            i += 1
        else:
            start = i
            while i < n and not source[i].isspace() and source[i] not in punct and source[i] not in "\"'":
                if tags_search and source[i] == "!" and source[i + 1 : i + 2] == "=":
                    break
                i += 1
            tokens.append(Token(WORD, source[start:i], start + 1))
    tokens.append(Token(END, "", n + 1))
    return tokens
