"""Empty bodies are never labelled JSON: API Gateway would call a response without Content-Type JSON."""

import ast
from pathlib import Path

from polymetric.api.render import EMPTY, empty, no_content
from tests.conftest import REPO


def test_empty_and_no_content_say_text_plain() -> None:
    for response in (empty(200), empty(202, {"X-A": "b"}), no_content()):
        assert response.body == ""
        assert response.headers["Content-Type"] == EMPTY == "text/plain; charset=utf-8"
    assert empty(202, {"X-A": "b"}).headers["X-A"] == "b"
    assert no_content().status_code == 204


def _hand_built_empty_responses(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Response":
            body = {k.arg: k.value for k in node.keywords}.get("body", node.args[2] if len(node.args) > 2 else None)
            if body is None or (isinstance(body, ast.Constant) and body.value in ("", None)):
                lines.append(node.lineno)
    return lines


def test_no_handler_builds_an_empty_response_by_hand() -> None:
    """Handlers answer an empty body through api.render.empty / no_content, which label it."""
    sources = [*(REPO / "functions").rglob("*.py"), *(REPO / "layers" / "polymetric" / "python").rglob("*.py")]
    sources = [p for p in sources if p.name != "render.py"]
    found = {str(p.relative_to(REPO)): lines for p in sources if (lines := _hand_built_empty_responses(p))}
    assert found == {}
