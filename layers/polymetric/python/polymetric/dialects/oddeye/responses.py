"""Barlus' bodies, byte for byte: a leading space, the object, a newline; Content-Type ``json;charset=UTF-8``.

Its failure bodies are not JSON (``messge`` is misspelt and unquoted); agents only log them.
"""

import json

CONTENT_TYPE = "json;charset=UTF-8"


def _advansed(messages: list[str]) -> str:
    return ",".join('{"message":' + json.dumps(m) + "}" for m in messages)


def ok(dropped: list[str]) -> str:
    if not dropped:
        return ' {"state":"OK"}\n'
    return ' {"state":"OK", "advansed":[' + _advansed(dropped) + "]}\n"


def failure(message: str, *, misspelt: bool = False, dropped: list[str] | None = None) -> str:
    if misspelt:
        return ' {"state":"FAILURE",messge:"' + message + '"}\n'
    if dropped:
        return ' {"state":"FAILURE","message":' + json.dumps(message) + ', "advansed":[' + _advansed(dropped) + "]}\n"
    return ' {"state":"FAILURE","message":' + json.dumps(message) + "}\n"
