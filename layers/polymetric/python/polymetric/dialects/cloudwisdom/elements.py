"""Element metadata as the Polymetric API shows it (``GET /v1/elements``): CloudWisdom's own words."""

from typing import Any

from polymetric.models.element import Element


def element(e: Element) -> dict[str, Any]:
    """Everything an agent sent about an element; COUNTER baselines stay internal."""
    return {
        "id": e.id,
        "name": e.name,
        "type": e.type,
        "location": e.location,
        "attributes": dict(e.attributes),
        "tags": dict(e.tags),
        "relations": list(e.relations),
        "metrics": [
            {
                "id": m.id,
                "name": m.name,
                "unit": m.unit,
                "type": m.type,
                "sparseDataStrategy": m.sparse_data_strategy,
                "tags": dict(m.tags),
            }
            for m in e.metrics.values()
        ],
        "updated_at": e.updated_at,
    }


def element_page(found: list[Element], total: int, offset: int) -> dict[str, Any]:
    return {
        "query": {"found": total, "length": len(found), "offset": offset, "total": total},
        "elements": [element(e) for e in found],
    }
