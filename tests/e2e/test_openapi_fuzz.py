"""Schemathesis over GET /openapi.json against the local server: every operation of every dialect, a fixed
number of generated requests each; no 5xx and no response that contradicts the document (status code,
content type, body schema).

Bounded for `make test`: EXAMPLES per operation (env POLYMETRIC_FUZZ_EXAMPLES overrides), derandomized so a
run is repeatable. It fuzzes as an organization of its own with an admin token, so the other e2e tests' data
is out of its reach. A few objects are made first (a metric with data, an annotation event, a space with a
chart, a service and an alert, an environment, an Argus descriptor, a CloudWisdom element...) and the path
parameters that name one are pointed at it, so that the operations on one object are exercised beyond their
404; the DELETEs run last.
"""

import base64
import importlib
import os
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from polymetric.dialects.argus import contract as argus_contract
from polymetric_local.server import LocalRuntime

EXAMPLES = int(os.environ.get("POLYMETRIC_FUZZ_EXAMPLES", "10"))
REPORT = os.environ.get("POLYMETRIC_FUZZ_REPORT")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
METRIC = "fuzz.cpu"
STREAM = "fuzz-deploys"
DESCRIPTOR = "netflow"  # the seed's descriptor, which the document's examples use


@pytest.fixture(scope="module")
def fuzz_token(server: LocalRuntime) -> str:
    with server.lock:
        tenants: Any = importlib.import_module("polymetric.domain.tenants")
        _, token = tenants.create_org_with_admin("fuzz")
    return str(token)


class Seed:
    """Objects the fuzzed operations may name, made through the API."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token
        self.session = requests.Session()
        self.session.auth = (token, "")

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        reply = self.session.request(method, self.url + path, timeout=30, **kwargs)
        assert reply.status_code < 300, (method, path, reply.status_code, reply.text)
        return reply.json() if reply.content else None

    def make(self) -> dict[tuple[str, str], str]:
        now = int(time.time())
        points = [{"name": METRIC, "value": i, "time": now - 60 * i, "tags": {"host": "a"}} for i in range(5)]
        self.call("post", "/v1/measurements", json={"measurements": points})
        event = self.call(
            "post",
            f"/v1/annotations/{STREAM}",
            json={"title": "deploy", "links": [{"rel": "github", "href": "https://example.com/pr/1"}]},
        )
        space = self.call("post", "/v1/spaces", json={"name": "fuzz space"})
        chart = self.call(
            "post",
            f"/v1/spaces/{space['id']}/charts",
            json={
                "name": "cpu",
                "type": "line",
                "streams": [{"metric": METRIC, "tags": [{"name": "host", "values": ["*"]}]}],
            },
        )
        service = self.call(
            "post",
            "/v1/services",
            json={"title": "hook", "type": "webhook", "settings": {"url": "https://example.com/hook"}},
        )
        alert = self.call(
            "post",
            "/v1/alerts",
            json={
                "name": "fuzz.alert",
                "services": [service["id"]],
                "conditions": [{"type": "above", "metric_name": METRIC, "threshold": 1e9}],
            },
        )
        environment = self.call("post", "/v1/environments", json={"name": "fuzz-env"})
        victim = self.call("post", "/v1/api_tokens", json={"name": "fuzz-victim", "role": "viewer"})
        snapshot = self.call("post", "/v1/snapshots", json={"subject": {"chart": {"id": chart["id"]}}})
        job = snapshot["job_href"].rsplit("/", 1)[1]
        self.call(
            "post",
            f"/ingest/{self.token}",
            json=[
                {
                    "id": "fuzz-host",
                    "type": "SERVER",
                    "metrics": [{"id": "cpu"}],
                    "samples": [{"metricId": "cpu", "timestamp": now * 1000, "val": 1}],
                }
            ],
        )
        argus = {"Argus-API-Key": self.token}
        self.call("post", "/metrics/v1/descriptor", headers=argus, json=argus_contract.NETFLOW)
        self.call("post", f"/metrics/v1/metric/{DESCRIPTOR}", headers=argus, json=argus_contract.SUBMIT)
        return {
            ("/v1/metrics/", "name"): METRIC,
            ("/v1/measurements/", "name"): METRIC,
            ("/v1/annotations/", "name"): STREAM,
            ("/v1/annotations/", "id"): str(event["id"]),
            ("/v1/annotations/", "link"): "github",
            ("/v1/spaces/", "id"): str(space["id"]),
            ("/v1/spaces/", "chart"): str(chart["id"]),
            ("/v1/services/", "id"): str(service["id"]),
            ("/v1/alerts/", "id"): str(alert["id"]),
            ("/v1/alerts/", "service_id"): str(service["id"]),
            ("/v1/environments/", "id"): str(environment["id"]),
            ("/v1/api_tokens/", "name"): str(victim["id"]),  # a token's id (or secret) names it
            ("/v1/snapshots/", "id"): snapshot["href"].rsplit("/", 1)[1],
            ("/v1/jobs/", "id"): job,
            ("/v1/elements/", "name"): "fuzz-host",
            ("/ingest/", "apiId"): self.token,
            ("/check/", "apiId"): self.token,
            ("/metrics/v1/", "descriptor"): DESCRIPTOR,
        }


def _seeded(seeds: dict[tuple[str, str], str], path: str, name: str) -> str | None:
    return next((value for (prefix, param), value in seeds.items() if path.startswith(prefix) and param == name), None)


def test_no_operation_answers_5xx_or_contradicts_the_document(server: LocalRuntime, fuzz_token: str) -> None:
    # Driven through Hypothesis directly: schemathesis' pytest plugin does not run under pytest 9.
    document = requests.get(f"{server.url}/openapi.json", timeout=30).json()
    seeds = Seed(server.url, fuzz_token).make()
    basic = base64.b64encode(f"{fuzz_token}:".encode()).decode()
    headers = {"Authorization": f"Basic {basic}", "Argus-API-Key": fuzz_token, "key": fuzz_token}
    session = requests.Session()
    failures: list[str] = []
    statuses: dict[str, Counter[int]] = {}
    operations = [result.ok() for result in schemathesis.openapi.from_dict(document).get_all_operations()]
    assert len(operations) == sum(len(item) for item in document["paths"].values())
    # The objects live until the DELETEs, which go deepest first (a link before its event, before its stream).
    operations.sort(key=lambda op: (op.method == "delete", -op.path.count("/") if op.method == "delete" else 0))

    def fuzz(operation: Any, strategy: Any, examples: int) -> Callable[[], None]:
        seen = statuses.setdefault(operation.label, Counter())

        @settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case: Any) -> None:
            for name in list(case.path_parameters or {}):
                seeded = _seeded(seeds, operation.path, name)
                if seeded is not None:
                    case.path_parameters[name] = seeded
            for credential in ("UUID", "key"):  # OddEye's and Anomify's token fields: the real one
                if case.query and credential in case.query:
                    case.query[credential] = fuzz_token
            if operation.path.startswith("/flux/") and isinstance(case.body, dict) and "key" in case.body:
                case.body["key"] = fuzz_token
            reply = case.call(base_url=server.url, session=session, headers=headers, timeout=60)
            seen[reply.status_code] += 1
            case.validate_response(reply, checks=CHECKS)

        return run

    for operation in operations:
        if (operation.method, operation.path) == ("delete", "/v1/api_tokens/{name}"):  # the PUTs may disable it
            victim = requests.post(f"{server.url}/v1/api_tokens", json={"name": "doomed"}, headers=headers, timeout=30)
            seeds[("/v1/api_tokens/", "name")] = str(victim.json()["id"])
        if REPORT:  # which operation runs now, should one not come back
            Path(REPORT).write_text(f"running {operation.label}\n")
        try:
            # The document's examples (the seed's requests) first, then the generated requests.
            found = operation.get_strategies_from_examples()
            if found:
                fuzz(operation, st.one_of(found), len(found))()
            fuzz(operation, operation.as_strategy(), EXAMPLES)()
        except (Exception, BaseExceptionGroup) as exc:  # every operation is tried; the failures are reported together
            failures.append(f"{operation.label}: {str(exc)[:3000]}")
    summary = "\n".join(f"{label}: {dict(sorted(found.items()))}" for label, found in statuses.items())
    if REPORT:  # the statuses each operation answered: what the run reached beyond its refusals
        Path(REPORT).write_text(f"statuses per operation ({EXAMPLES} examples each):\n{summary}\n")
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)
    assert sum(sum(found.values()) for found in statuses.values()) >= len(operations) * min(EXAMPLES, 2)
