"""The OpenAPI document of template.yaml's routes (``python -m polymetric_local openapi``, run by ``make openapi``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from polymetric_local.template import load_template


def routes(template_path: Path) -> list[Any]:
    from polymetric.dialects.openapi import Route  # the layer: on sys.path once the caller put it there

    template = load_template(template_path)
    return [
        Route(event.method, event.path, f"{function.logical_id}.{event.name}", event.name)
        for function in template.functions.values()
        for event in function.api_events
    ]


def build(template_path: Path) -> dict[str, Any]:
    from polymetric.dialects.openapi import document

    return document(routes(template_path))
