"""A JSON reader as lenient as Gson's ``JsonReader.setLenient(true)``, which barlus parses ``data`` with.

Beyond strict JSON it takes single-quoted strings, unquoted names and values (numbers when they parse as
one, else text), ``NaN``/``Infinity``, ``//``, ``#`` and ``/* */`` comments, ``=`` or ``=>`` between a
name and its value, and ``;`` between elements. Nesting deeper than ``MAX_DEPTH`` is refused, and the
whole text must be one value.
"""

from typing import Any

MAX_DEPTH = 64
_STOP = frozenset("{}[]/\\:,=;#'\" \t\f\r\n")
_ESCAPES = {"n": "\n", "t": "\t", "b": "\b", "f": "\f", "r": "\r", "/": "/", "\\": "\\", '"': '"', "'": "'"}
_KEYWORDS: dict[str, Any] = {"true": True, "false": False, "null": None}


class LenientJsonError(ValueError):
    pass


def loads(text: str) -> Any:
    reader = _Reader(text)
    value = reader.value(0)
    reader.skip()
    if reader.i < len(text):
        raise reader.error("Did not consume the entire document")
    return value


class _Reader:
    def __init__(self, text: str) -> None:
        self.s, self.i = text, 0

    def error(self, what: str) -> LenientJsonError:
        line = self.s.count("\n", 0, self.i) + 1
        column = self.i - (self.s.rfind("\n", 0, self.i) + 1) + 1
        return LenientJsonError(f"{what} at line {line} column {column}")

    def skip(self) -> None:
        s, n = self.s, len(self.s)
        while self.i < n:
            c = s[self.i]
            if c in " \t\r\n\f":
                self.i += 1
            elif c == "#" or s.startswith("//", self.i):
                end = s.find("\n", self.i)
                self.i = n if end < 0 else end + 1
            elif s.startswith("/*", self.i):
                end = s.find("*/", self.i + 2)
                if end < 0:
                    raise self.error("Unterminated comment")
                self.i = end + 2
            else:
                return

    def peek(self) -> str:
        self.skip()
        if self.i >= len(self.s):
            raise self.error("End of input")
        return self.s[self.i]

    def value(self, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise self.error("Nesting too deep")
        c = self.peek()
        if c == "{":
            return self.object(depth)
        if c == "[":
            return self.array(depth)
        if c in "\"'":
            return self.string(c)
        return self.literal()

    def object(self, depth: int) -> dict[str, Any]:
        self.i += 1
        out: dict[str, Any] = {}
        if self.peek() == "}":
            self.i += 1
            return out
        while True:
            c = self.peek()
            name = self.string(c) if c in "\"'" else self.bare()
            c = self.peek()
            if c == ":":
                self.i += 1
            elif c == "=":
                self.i += 2 if self.s.startswith("=>", self.i) else 1
            else:
                raise self.error("Expected ':'")
            out[name] = self.value(depth + 1)
            c = self.peek()
            self.i += 1
            if c == "}":
                return out
            if c not in ",;":
                raise self.error("Unterminated object")

    def array(self, depth: int) -> list[Any]:
        self.i += 1
        out: list[Any] = []
        if self.peek() == "]":
            self.i += 1
            return out
        while True:
            c = self.peek()
            if c in ",;":  # Gson reads an empty slot as null
                out.append(None)
            elif c == "]":
                out.append(None)
                self.i += 1
                return out
            else:
                out.append(self.value(depth + 1))
            c = self.peek()
            self.i += 1
            if c == "]":
                return out
            if c not in ",;":
                raise self.error("Unterminated array")

    def string(self, quote: str) -> str:
        s, n = self.s, len(self.s)
        self.i += 1
        parts: list[str] = []
        while True:
            end = self.i
            while end < n and s[end] not in (quote, "\\"):
                end += 1
            if end >= n:
                raise self.error("Unterminated string")
            parts.append(s[self.i : end])
            self.i = end + 1
            if s[end] == quote:
                return "".join(parts)
            if self.i >= n:
                raise self.error("Unterminated escape sequence")
            e = s[self.i]
            if e == "u":
                digits = s[self.i + 1 : self.i + 5]
                if len(digits) != 4 or any(d not in "0123456789abcdefABCDEF" for d in digits):
                    raise self.error("Malformed Unicode escape")
                parts.append(chr(int(digits, 16)))
                self.i += 5
            elif e in _ESCAPES:
                parts.append(_ESCAPES[e])
                self.i += 1
            else:
                raise self.error("Invalid escape sequence")

    def bare(self) -> str:
        start = self.i
        while self.i < len(self.s) and self.s[self.i] not in _STOP:
            self.i += 1
        if self.i == start:
            raise self.error("Expected a name")
        return self.s[start : self.i]

    def literal(self) -> Any:
        word = self.bare()
        if word in _KEYWORDS:
            return _KEYWORDS[word]
        try:
            number = float(word)
        except ValueError:
            return word
        if word.lstrip("+-").isdigit() and len(word) < 4000:  # int() refuses longer digit strings
            return int(word)
        return number
