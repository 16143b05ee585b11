"""Call the real Lambda handlers the way API Gateway would, starting from the sample events in events/."""

import importlib
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from polymetric_local.template import Template
from tests.conftest import REPO, LambdaContext, basic, load_event


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


def _route(template: Template, method: str, path: str) -> tuple[str, str, dict[str, str]]:
    """(function logical id, resource path, path parameters) of a request, from template.yaml."""
    for function in template.functions.values():
        for event in function.api_events:
            if event.method.lower() not in (method.lower(), "any"):
                continue
            names = re.findall(r"{(\w+)}", event.path)
            pattern = "^" + re.sub(r"{\w+}", "([^/]+)", event.path) + "$"
            match = re.match(pattern, path)
            if match:
                # As API Gateway: path parameters decoded, the path as the client encoded it.
                return function.logical_id, event.path, dict(zip(names, map(unquote, match.groups()), strict=True))
    raise LookupError(f"no route for {method} {path} in template.yaml")


def _module(template: Template, function_id: str) -> str:
    """``functions.metrics.app`` for CodeUri functions/metrics/ and Handler app.lambda_handler."""
    function = template.functions[function_id]
    package = ".".join(function.code_uri.resolve().relative_to(REPO).parts)
    return f"{package}.{function.handler.rpartition('.')[0]}"


class Api:
    """``api.post("/v1/measurements", json={...})`` -> Reply, through the function that template.yaml routes to."""

    def __init__(self, template: Template, token: str | None) -> None:
        self.template = template
        self.token = token

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        form: str | None = None,
        body: str | None = None,
        query: dict[str, Any] | None = None,
        token: str | None = "",
        user: str | None = None,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        function_id, resource, params = _route(self.template, method, path)
        event = load_event("apigw/measurements-get")
        event.update(httpMethod=method.upper(), path=path, resource=resource, pathParameters=params or None)
        event["requestContext"].update(resourcePath=resource, httpMethod=method.upper(), path="/Prod" + path)
        hdrs = {"User-Agent": "integration-test/1.0"}
        use = self.token if token == "" else token
        if use is not None:
            hdrs["Authorization"] = basic(use, user)
        if json_body is not None:
            body, content_type = json.dumps(json_body), content_type or "application/json"
        elif form is not None:
            body, content_type = form, content_type or "application/x-www-form-urlencoded"
        if content_type:
            hdrs["Content-Type"] = content_type
        hdrs.update(headers or {})
        event["headers"] = hdrs
        event["multiValueHeaders"] = {k: [v] for k, v in hdrs.items()}
        multi = {k: [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in (query or {}).items()}
        event["multiValueQueryStringParameters"] = multi or None
        event["queryStringParameters"] = {k: v[-1] for k, v in multi.items()} or None
        event["body"] = body
        module = importlib.import_module(_module(self.template, function_id))
        raw = getattr(module, self.template.functions[function_id].handler_attribute)(event, LambdaContext())
        merged = {k: v[-1] for k, v in (raw.get("multiValueHeaders") or {}).items()}
        merged.update(raw.get("headers") or {})
        return Reply(raw["statusCode"], {k.lower(): v for k, v in merged.items()}, raw.get("body") or "")

    def get(self, path: str, **kw: Any) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Reply:
        return self.request("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> Reply:
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> Reply:
        return self.request("DELETE", path, **kw)


def q(name: str) -> str:
    return quote(name, safe="")
