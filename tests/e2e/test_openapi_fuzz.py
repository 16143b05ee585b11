"""Schemathesis over GET /openapi.json against the local server: every operation of every dialect, a fixed
number of generated requests each; no 5xx and no response that contradicts the document.

Bounded for `make test`: EXAMPLES per operation (env POLYMETRIC_FUZZ_EXAMPLES overrides), derandomized so a
run is repeatable. It fuzzes as an organization of its own, so the other e2e tests' data is out of its reach.
"""

import base64
import importlib
import os
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from polymetric_local.server import LocalRuntime

EXAMPLES = int(os.environ.get("POLYMETRIC_FUZZ_EXAMPLES", "4"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def fuzz_token(server: LocalRuntime) -> str:
    with server.lock:
        tenants: Any = importlib.import_module("polymetric.domain.tenants")
        _, token = tenants.create_org_with_admin("fuzz")
    return str(token)


def test_no_operation_answers_5xx_or_contradicts_the_document(server: LocalRuntime, fuzz_token: str) -> None:
    # Driven through Hypothesis directly: schemathesis' pytest plugin does not run under pytest 9.
    document = requests.get(f"{server.url}/openapi.json", timeout=30).json()
    basic = base64.b64encode(f"{fuzz_token}:".encode()).decode()
    headers = {"Authorization": f"Basic {basic}", "Argus-API-Key": fuzz_token, "key": fuzz_token}
    session = requests.Session()
    failures: list[str] = []
    calls = [0]
    operations = [result.ok() for result in schemathesis.openapi.from_dict(document).get_all_operations()]
    assert len(operations) == sum(len(item) for item in document["paths"].values())
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            calls[0] += 1
            case.call_and_validate(base_url=server.url, session=session, headers=headers, checks=CHECKS, timeout=60)

        try:
            run()
        except Exception as exc:  # every operation is tried; the failures are reported together
            failures.append(f"{operation.label}: {str(exc)[:2000]}")
    assert not failures, "\n\n".join(failures)
    assert calls[0] >= len(operations) * min(EXAMPLES, 2)
