"""A path no route serves answers 404 in the AppOptics error shape (template GatewayResponses), locally and on AWS."""

import pytest

from polymetric_local.server import LocalRuntime
from tests.e2e.http import call
from tests.integration.test_template_contract import _translated

NOT_FOUND = {"errors": {"request": ["The requested resource does not exist."]}}


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/v1/nothing"), ("GET", "/nothing/at/all"), ("POST", "/v2/measurements"), ("DELETE", "/v1/organization")],
)
def test_unknown_paths_and_methods_are_404_json(server: LocalRuntime, method: str, path: str) -> None:
    for token in (server.admin_token, None):  # with or without credentials: never "Missing Authentication Token"
        reply = call(f"{server.url}{path}", method, token=token)
        assert reply.status == 404
        assert reply.headers["content-type"] == "application/json"
        assert reply.json == NOT_FOUND


def test_the_deployed_api_has_the_same_gateway_response() -> None:
    cfn = _translated()
    api = next(r for r in cfn["Resources"].values() if r["Type"] == "AWS::ApiGateway::RestApi")
    responses = api["Properties"]["Body"]["x-amazon-apigateway-gateway-responses"]
    missing = responses["MISSING_AUTHENTICATION_TOKEN"]
    assert str(missing["statusCode"]) == "404"
    assert missing["responseTemplates"] == {
        "application/json": '{"errors":{"request":["The requested resource does not exist."]}}'
    }
