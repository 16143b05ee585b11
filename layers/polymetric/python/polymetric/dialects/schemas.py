"""JSON Schema pieces for the ``contract.py`` modules' types. Imports pydantic: only the document builder
loads the contracts, never a function at its cold start."""

import re
from collections.abc import Iterable

from pydantic import WithJsonSchema


def one_of(options: Iterable[str], *, any_case: bool = False) -> WithJsonSchema:
    """For ``Annotated[str, one_of(...)]``: a string the reader takes only from ``options`` (in any case: a
    pattern that spells each letter both ways, as JSON Schema has no case-insensitive enum)."""
    if not any_case:
        return WithJsonSchema({"type": "string", "enum": list(options)})
    spelled = ["".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in o) for o in options]
    return WithJsonSchema({"type": "string", "pattern": f"^({'|'.join(spelled)})$"})
