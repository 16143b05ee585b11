"""Deploy time: the FirstOrganization custom resource makes the first organization and its admin token."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest

from functions.bootstrap.app import lambda_handler
from polymetric_local.template import Template
from tests.conftest import LambdaContext
from tests.integration.api import Api

TOKEN = "a" * 64


class _CloudFormation(BaseHTTPRequestHandler):
    answers: ClassVar[list[dict[str, Any]]] = []

    def do_PUT(self) -> None:
        length = int(self.headers["Content-Length"])
        self.answers.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def cloudformation() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    answers: ClassVar[list[dict[str, Any]]] = []
    handler = type("Handler", (_CloudFormation,), {"answers": answers})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/response", answers
    server.shutdown()
    server.server_close()


def _event(url: str, kind: str, physical: str | None = None, **props: Any) -> dict[str, Any]:
    event = {
        "RequestType": kind,
        "ResponseURL": url,
        "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/polymetric/x",
        "RequestId": "r1",
        "LogicalResourceId": "FirstOrganization",
        "ResourceProperties": {"ServiceToken": "arn", "OrganizationName": "Acme", "AdminToken": TOKEN, **props},
    }
    if physical:
        event["PhysicalResourceId"] = physical
    return event


def test_create_then_update_then_delete(template: Template, aws: Any, cloudformation: Any) -> None:
    url, answers = cloudformation
    lambda_handler(_event(url, "Create"), LambdaContext())
    created = answers[-1]
    assert created["Status"] == "SUCCESS", created
    tenant = created["PhysicalResourceId"]
    assert created["Data"] == {"OrganizationId": tenant}
    api = Api(template, TOKEN)
    assert api.get("/v1/organization").json["name"] == "Acme"
    tokens = api.get("/v1/api_tokens").json["api_tokens"]
    assert [(t["role"], t["active"]) for t in tokens] == [("admin", True)]
    lambda_handler(_event(url, "Update", tenant), LambdaContext())  # idempotent: no second token
    assert answers[-1]["Status"] == "SUCCESS" and answers[-1]["PhysicalResourceId"] == tenant
    assert len(api.get("/v1/api_tokens").json["api_tokens"]) == 1
    lambda_handler(_event(url, "Delete", tenant), LambdaContext())
    assert answers[-1]["Status"] == "SUCCESS"
    assert api.get("/v1/organization").status == 200  # the data stays


def test_a_failure_is_reported_not_left_hanging(aws: Any, cloudformation: Any) -> None:
    url, answers = cloudformation
    event = _event(url, "Create")
    del event["ResourceProperties"]["AdminToken"]
    lambda_handler(event, LambdaContext())
    assert answers[-1]["Status"] == "FAILED"
    assert "AdminToken" in answers[-1]["Reason"]
