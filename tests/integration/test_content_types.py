"""AppOptics body routes read JSON or forms; a body of any other type is a 415 (seed: Incorrect Content-Type).

What works stays working: JSON without a Content-Type, JSON that curl labels a form (``-d '{...}'``), forms.
"""

import json

import pytest

from tests.integration.api import Api

REFUSED = {"errors": {"request": ["Content type was not application/json or application/x-www-form-urlencoded."]}}
MULTIPART = "multipart/form-data; boundary=XyZ"
MULTIPART_BODY = '--XyZ\r\nContent-Disposition: form-data; name="name"\r\n\r\nOps\r\n--XyZ--\r\n'


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", '{"name": "Ops"}'),
        ("text/plain; charset=utf-8", "name=Ops"),
        (MULTIPART, MULTIPART_BODY),
        ("application/xml", "<space><name>Ops</name></space>"),
    ],
)
def test_a_body_neither_json_nor_form_is_415_and_creates_nothing(api: Api, content_type: str, body: str) -> None:
    reply = api.post("/v1/spaces", body=body, content_type=content_type)
    assert (reply.status, reply.json) == (415, REFUSED)
    assert reply.headers["content-type"] == "application/json"
    assert api.get("/v1/spaces").json["spaces"] == []


def test_every_body_route_says_415(api: Api) -> None:
    space = api.post("/v1/spaces", json_body={"name": "Ops"}).json["id"]
    chart = api.post(f"/v1/spaces/{space}/charts", json_body={"name": "c", "streams": [{"metric": "m"}]}).json["id"]
    routes = [
        ("PUT", f"/v1/spaces/{space}"),
        ("POST", f"/v1/spaces/{space}/charts"),
        ("PUT", f"/v1/spaces/{space}/charts/{chart}"),
        ("POST", "/v1/snapshots"),
        ("POST", "/v1/alerts"),
        ("POST", "/v1/services"),
        ("POST", "/v1/annotations/deploys"),
        ("PUT", "/v1/metrics/cpu"),
        ("POST", "/v1/metrics"),
        ("POST", "/v1/api_tokens"),
    ]
    for method, path in routes:
        reply = api.request(method, path, body='{"name": "x"}', content_type="text/plain")
        assert (reply.status, reply.json) == (415, REFUSED), (method, path, reply.text)


def test_json_without_a_type_or_labelled_a_form_and_forms_still_work(api: Api) -> None:
    assert api.post("/v1/spaces", body=json.dumps({"name": "untyped"})).status == 201
    curl = api.post("/v1/spaces", body='{"name": "curl -d"}', content_type="application/x-www-form-urlencoded")
    assert (curl.status, curl.json["name"]) == (201, "curl -d")
    assert api.post("/v1/spaces", form="name=form").status == 201
    charset = api.post("/v1/spaces", body='{"name": "utf8"}', content_type="application/json; charset=utf-8")
    assert charset.status == 201
    vendor = api.post("/v1/spaces", body='{"name": "vendor"}', content_type="application/vnd.api+json")
    assert vendor.status == 201
    # An empty body of another type is no body at all: a PUT that changes nothing.
    space = curl.json["id"]
    assert api.put(f"/v1/spaces/{space}", body="", content_type="text/plain").status == 204
    assert sorted(s["name"] for s in api.get("/v1/spaces").json["spaces"]) == [
        "curl -d",
        "form",
        "untyped",
        "utf8",
        "vendor",
    ]


def test_measurements_stay_json_only(api: Api) -> None:
    reply = api.post("/v1/measurements", body='{"measurements": []}', content_type="text/plain")
    assert (reply.status, reply.json) == (415, {"errors": {"request": ["Content type was not application/json."]}})
