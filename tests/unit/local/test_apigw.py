import base64
import json

import pytest

from polymetric_local.apigw import (
    HttpRequest,
    HttpResponse,
    InvalidProxyResponseError,
    Route,
    RouteMatch,
    Router,
    build_event,
    parse_query,
    proxy_response,
)
from polymetric_local.template import RestApi

API = RestApi("Api", "Prod", ())
BINARY_API = RestApi("Api", "Prod", ("application/octet-stream", "image/*"))


def make_router(api: RestApi = API) -> Router:
    return Router(
        [
            Route("Measurements", "/v1/measurements", "post", api),
            Route("Measurements", "/v1/measurements", "get", api),
            Route("Measurements", "/v1/measurements/{name}", "get", api),
            Route("Metrics", "/v1/metrics/{name}", "get", api),
            Route("Metrics", "/v1/metrics/{name}", "put", api),
            Route("Latest", "/v1/metrics/latest", "get", api),
            Route("Proxy", "/files/{proxy+}", "any", api),
            Route("Spaces", "/v1/spaces/{id}/charts/{chart}", "get", api),
        ]
    )


def resolve(target: str, method: str = "GET", router: Router | None = None) -> RouteMatch:
    match = (router or make_router()).resolve(method, target)
    assert isinstance(match, RouteMatch), match
    return match


def event_for(target: str, method: str = "GET", *, body: bytes = b"", headers=(), api: RestApi = API) -> dict:
    request = HttpRequest(method, target, list(headers), body, source_ip="10.0.0.7", server_port=3000)
    return build_event(
        request,
        resolve(target, method, make_router(api)),
        account_id="123456789012",
        api_id="localapi00",
        request_id="req-1",
        now=1_700_000_000.5,
    )


def test_parse_query_keeps_repeated_keys_in_order_and_last_one_wins_in_the_single_map():
    single, multi = parse_query("tags[region]=us-*&tags[region]=eu*&names[]=a&names[]=b")

    assert multi == {"tags[region]": ["us-*", "eu*"], "names[]": ["a", "b"]}
    assert single == {"tags[region]": "eu*", "names[]": "b"}


def test_parse_query_decodes_plus_and_percent_escapes():
    single, multi = parse_query("compose=s(%22cpu%22%2C+%22*%22)&name=a+b%2Bc&empty=&flag")

    assert single == {"compose": 's("cpu", "*")', "name": "a b+c", "empty": "", "flag": ""}
    assert multi is not None and multi["name"] == ["a b+c"]


def test_parse_query_gives_none_without_a_query_string():
    assert parse_query("") == (None, None)


def test_event_has_the_multi_value_query_string_parameters_as_api_gateway_sends_them():
    event = event_for("/v1/measurements?tags%5Bregion%5D=us-*&tags[region]=eu*&names[]=a&names[]=b&q=x+y")

    assert event["multiValueQueryStringParameters"] == {
        "tags[region]": ["us-*", "eu*"],
        "names[]": ["a", "b"],
        "q": ["x y"],
    }
    assert event["queryStringParameters"] == {"tags[region]": "eu*", "names[]": "b", "q": "x y"}


def test_event_without_query_string_has_null_query_maps():
    event = event_for("/v1/measurements")

    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None


def test_event_describes_the_route_and_the_request():
    event = event_for(
        "/v1/metrics/cpu.load?x=1",
        headers=[("Host", "127.0.0.1:3000"), ("User-Agent", "curl/8"), ("Accept", "a"), ("Accept", "b")],
    )

    assert event["resource"] == "/v1/metrics/{name}"
    assert event["path"] == "/v1/metrics/cpu.load"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"name": "cpu.load"}
    assert event["stageVariables"] is None
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    assert event["headers"]["Accept"] == "b"
    assert event["multiValueHeaders"]["Accept"] == ["a", "b"]
    assert event["headers"]["X-Forwarded-For"] == "10.0.0.7"
    context = event["requestContext"]
    assert context["resourcePath"] == "/v1/metrics/{name}"
    assert context["httpMethod"] == "GET"
    assert context["path"] == "/Prod/v1/metrics/cpu.load"
    assert context["stage"] == "Prod"
    assert context["requestId"] == "req-1"
    assert context["requestTimeEpoch"] == 1_700_000_000_500
    assert context["requestTime"] == "14/Nov/2023:22:13:20 +0000"
    assert context["accountId"] == "123456789012"
    assert context["apiId"] == "localapi00"
    assert context["identity"]["sourceIp"] == "10.0.0.7"
    assert context["identity"]["userAgent"] == "curl/8"
    assert json.loads(json.dumps(event)) == event


def test_path_parameters_are_url_decoded_but_path_keeps_the_encoding():
    event = event_for("/v1/spaces/a%20b/charts/c%2Fd")

    assert event["pathParameters"] == {"id": "a b", "chart": "c/d"}
    assert event["path"] == "/v1/spaces/a%20b/charts/c%2Fd"


def test_greedy_path_parameter_takes_the_rest_of_the_path():
    match = resolve("/files/a/b%20c/d.txt", "DELETE")

    assert match.route.function == "Proxy"
    assert match.path_parameters == {"proxy": "a/b c/d.txt"}


def test_route_without_parameters_has_null_path_parameters():
    assert resolve("/v1/measurements", "POST").path_parameters is None


def test_static_path_wins_over_a_templated_one():
    assert resolve("/v1/metrics/latest").route.function == "Latest"
    assert resolve("/v1/metrics/other").route.function == "Metrics"


def test_a_resource_that_lacks_the_method_leaves_the_request_to_one_that_has_it():
    # GET /v1/metrics/latest exists; PUT only on {name}: API Gateway resolves the (resource, method) pair.
    assert resolve("/v1/metrics/latest", "PUT").route.path == "/v1/metrics/{name}"


def test_trailing_slash_matches_the_route_without_it_and_keeps_the_path_as_sent():
    match = resolve("/v1/measurements/?compose=s(%22cpu%22)")

    assert match.route.path == "/v1/measurements"
    assert match.path == "/v1/measurements/"
    assert match.query == "compose=s(%22cpu%22)"


def test_empty_segment_never_fills_a_path_parameter():
    response = make_router().resolve("GET", "/v1/metrics//x")

    assert isinstance(response, HttpResponse)
    assert response.status == 404


def test_stage_prefix_is_stripped():
    match = resolve("/Prod/v1/metrics/cpu?x=1")

    assert match.route.path == "/v1/metrics/{name}"
    assert match.path == "/v1/metrics/cpu"
    assert match.query == "x=1"


def test_stage_prefix_event_has_the_stage_in_the_request_context_path_only():
    event = event_for("/Prod/v1/measurements/")

    assert event["path"] == "/v1/measurements/"
    assert event["requestContext"]["path"] == "/Prod/v1/measurements/"


def test_unknown_path_is_404_missing_authentication_token():
    response = make_router().resolve("GET", "/v2/nothing")

    assert isinstance(response, HttpResponse)
    assert response.status == 404
    assert response.body == b'{"message":"Missing Authentication Token"}'
    assert ("x-amzn-ErrorType", "MissingAuthenticationTokenException") in response.headers


def test_known_path_with_the_wrong_method_is_403_missing_authentication_token():
    response = make_router().resolve("DELETE", "/v1/measurements")

    assert isinstance(response, HttpResponse)
    assert response.status == 403
    assert response.body == b'{"message":"Missing Authentication Token"}'


def test_utf8_body_is_passed_as_text():
    event = event_for("/v1/measurements", "POST", body='{"name": "é"}'.encode(), headers=[("Content-Type", "json")])

    assert event["body"] == '{"name": "é"}'
    assert event["isBase64Encoded"] is False


def test_body_that_is_not_utf8_is_base64_encoded():
    event = event_for("/v1/measurements", "POST", body=b"\xff\xfe\x00")

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\xfe\x00"


def test_body_with_a_binary_media_type_is_base64_encoded_even_when_it_is_text():
    event = event_for(
        "/v1/measurements",
        "POST",
        body=b"plain",
        headers=[("Content-Type", "image/png; q=1")],
        api=BINARY_API,
    )

    assert event["isBase64Encoded"] is True
    assert event["body"] == base64.b64encode(b"plain").decode()


def test_proxy_response_merges_headers_and_multi_value_headers():
    response = proxy_response(
        {
            "statusCode": 201,
            "headers": {"Content-Type": "text/plain", "X-One": "1", "Set-Cookie": "lost=1", "Content-Length": "99"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": "héllo",
        },
        request_id="req-1",
    )

    assert response.status == 201
    assert response.body == "héllo".encode()
    assert response.headers == [
        ("Content-Type", "text/plain"),
        ("X-One", "1"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        ("x-amzn-RequestId", "req-1"),
    ]


def test_proxy_response_decodes_base64_bodies_and_defaults_to_json_content_type():
    response = proxy_response(
        {"statusCode": 200, "body": base64.b64encode(b"\x00\xff").decode(), "isBase64Encoded": True}
    )

    assert response.body == b"\x00\xff"
    assert ("Content-Type", "application/json") in response.headers


@pytest.mark.parametrize(
    "result",
    [
        None,
        {"body": "x"},
        {"statusCode": "abc"},
        {"statusCode": 200, "body": {"a": 1}},
        {"statusCode": 200, "body": "x", "cookies": []},
        {"statusCode": 200, "body": "!!", "isBase64Encoded": True},
        {"statusCode": 200, "multiValueHeaders": {"A": "not-a-list"}},
    ],
)
def test_malformed_proxy_responses_are_rejected(result):
    with pytest.raises(InvalidProxyResponseError):
        proxy_response(result)


def test_a_template_gateway_response_replaces_missing_authentication_token():
    from polymetric_local.template import GatewayResponse

    custom = GatewayResponse(status=404, templates={"application/json": '{"errors":{"request":["nope"]}}'}, headers={})
    router = make_router()
    router.unknown_route = custom
    for method, path in (("GET", "/v2/nothing"), ("DELETE", "/v1/measurements")):
        response = router.resolve(method, path)
        assert isinstance(response, HttpResponse)
        assert (response.status, response.body) == (404, b'{"errors":{"request":["nope"]}}')
        assert ("Content-Type", "application/json") in response.headers
