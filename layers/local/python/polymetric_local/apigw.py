"""API Gateway REST API emulation: route matching, the v1 proxy event, and the proxy response.

What real REST APIs do, and this module copies:
1. A request resolves on the (resource, method) pair: the most specific resource (static segment over `{x}`
   over `{proxy+}`) that declares the method or ANY wins.
2. `path` keeps the client's percent-encoding; `pathParameters` and query parameters are decoded, query
   parameters with form semantics (`+` is a space). `queryStringParameters` keeps the last of repeated keys.
3. A body that is not UTF-8 text, or whose Content-Type is a binary media type, arrives base64-encoded.
4. A malformed Lambda response (missing statusCode, non-string body, unknown keys) is a 502.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import hashlib
import json
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from polymetric_local.template import GatewayResponse, RestApi, Template

MISSING_TOKEN = "MISSING_AUTHENTICATION_TOKEN"
MISSING_TOKEN_ERROR_TYPE = "MissingAuthenticationTokenException"
MISSING_TOKEN_BODY = b'{"message":"Missing Authentication Token"}'
INTERNAL_ERROR_BODY = b'{"message": "Internal server error"}'
# Real REST APIs answer 403 for an unknown path too; locally a mistyped path says 404 so it is told apart
# from a known path called with the wrong method (which stays 403, as on AWS).
UNKNOWN_PATH_STATUS = 404
WRONG_METHOD_STATUS = 403

_PROXY_RESPONSE_KEYS = frozenset({"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"})
# The server frames the message itself; a handler's copy of these would contradict it.
_HOP_BY_HOP = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class InvalidProxyResponseError(ValueError):
    """The handler's return value is not a valid REST API proxy response (API Gateway answers 502)."""


@dataclass(frozen=True)
class HttpRequest:
    method: str
    target: str  # the request target as sent: path plus optional "?query"
    headers: Sequence[tuple[str, str]] = ()
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    server_port: int | None = None


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Sequence[tuple[str, str]]
    body: bytes
    request_id: str | None = None


@dataclass(frozen=True)
class Route:
    function: str  # logical id of the function that serves it
    path: str  # the template's resource path, e.g. /v1/metrics/{name}
    method: str  # lower case, or "any"
    api: RestApi
    segments: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", _split(self.path))

    @property
    def specificity(self) -> tuple[int, ...]:
        return tuple(0 if s.endswith("+}") else 1 if s.startswith("{") else 2 for s in self.segments)

    def bind(self, segments: Sequence[str]) -> dict[str, str] | None:
        """Path parameters if the (still percent-encoded) segments fit this resource, else None."""
        params: dict[str, str] = {}
        for i, pattern in enumerate(self.segments):
            if pattern.startswith("{") and pattern.endswith("+}"):
                rest = segments[i:]
                if not rest or not rest[0]:
                    return None
                params[pattern[1:-2]] = "/".join(unquote(s) for s in rest)
                return params
            if i >= len(segments):
                return None
            if pattern.startswith("{") and pattern.endswith("}"):
                if not segments[i]:
                    return None
                params[pattern[1:-1]] = unquote(segments[i])
            elif pattern != segments[i]:
                return None
        return params if len(segments) == len(self.segments) else None


@dataclass(frozen=True)
class RouteMatch:
    route: Route
    path: str  # what API Gateway puts in event.path: the stage stripped, percent-encoding kept
    query: str
    path_parameters: dict[str, str] | None


class Router:
    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = tuple(routes)
        self.stages = frozenset(r.api.stage for r in self.routes)
        # The template's own answer to a path no route serves, when it customises MISSING_AUTHENTICATION_TOKEN.
        self.unknown_route = next(
            (r.api.gateway_responses[MISSING_TOKEN] for r in self.routes if MISSING_TOKEN in r.api.gateway_responses),
            None,
        )

    @classmethod
    def from_template(cls, template: Template) -> Router:
        return cls(
            Route(function=fn.logical_id, path=event.path, method=event.method, api=template.api(event.api_id))
            for fn in template.functions.values()
            for event in fn.api_events
        )

    def resolve(self, method: str, target: str) -> RouteMatch | HttpResponse:
        """The route for a request, or API Gateway's answer when there is none."""
        split = urlsplit(target)
        path = split.path or "/"
        segments = _split(path)
        # Clients configured with the execute-api base path (…/Prod/v1/) send the stage; API Gateway strips it.
        if segments and segments[0] in self.stages:
            path = path[1 + len(segments[0]) :] or "/"
            segments = segments[1:]
        # "/v1/measurements/" has an empty last segment that no {name} takes; API Gateway serves the resource
        # without the slash, and still reports the path as sent.
        candidates = [segments]
        if len(segments) > 1 and segments[-1] == "":
            candidates.append(segments[:-1])
        for candidate in candidates:
            found = self._find(method, candidate)
            if found is not None:
                route, params = found
                return RouteMatch(route=route, path=path, query=split.query, path_parameters=params or None)
        known = any(route.bind(candidate) is not None for candidate in candidates for route in self.routes)
        status = WRONG_METHOD_STATUS if known else UNKNOWN_PATH_STATUS
        if self.unknown_route is not None:
            return gateway_response(self.unknown_route, status, MISSING_TOKEN_ERROR_TYPE)
        return missing_authentication_token(status)

    def _find(self, method: str, segments: Sequence[str]) -> tuple[Route, dict[str, str]] | None:
        method = method.lower()
        best: tuple[tuple[tuple[int, ...], bool], Route, dict[str, str]] | None = None
        for route in self.routes:
            if route.method not in (method, "any"):
                continue
            params = route.bind(segments)
            if params is None:
                continue
            rank = (route.specificity, route.method == method)
            if best is None or rank > best[0]:
                best = (rank, route, params)
        return None if best is None else (best[1], best[2])


def build_event(
    request: HttpRequest,
    match: RouteMatch,
    *,
    account_id: str,
    api_id: str,
    request_id: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The REST API (payload v1) Lambda proxy event API Gateway would send for this request."""
    now = time.time() if now is None else now
    request_id = request_id or str(uuid.uuid4())
    headers, multi_headers = _headers(request)
    single_query, multi_query = parse_query(match.query)
    body, is_base64 = _body(request.body, _header(request.headers, "content-type"), match.route.api)
    stage = match.route.api.stage
    host = _header(request.headers, "host") or f"{api_id}.execute-api.us-east-1.amazonaws.com"
    resource_id = hashlib.sha1(match.route.path.encode(), usedforsecurity=False).hexdigest()[:6]
    return {
        "resource": match.route.path,
        "path": match.path,
        "httpMethod": request.method.upper(),
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": single_query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": match.path_parameters,
        "stageVariables": None,
        "requestContext": {
            "resourceId": resource_id,
            "resourcePath": match.route.path,
            "httpMethod": request.method.upper(),
            "extendedRequestId": base64.b64encode(uuid.uuid4().bytes[:9]).decode(),
            "requestTime": _request_time(now),
            "path": f"/{stage}{match.path}",
            "accountId": account_id,
            "protocol": "HTTP/1.1",
            "stage": stage,
            "domainPrefix": host.split(".", 1)[0].split(":", 1)[0],
            "requestTimeEpoch": int(now * 1000),
            "requestId": request_id,
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "sourceIp": request.source_ip,
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": _header(request.headers, "user-agent"),
                "user": None,
            },
            "domainName": host,
            "apiId": api_id,
        },
        "body": body,
        "isBase64Encoded": is_base64,
    }


def parse_query(query: str) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    """(queryStringParameters, multiValueQueryStringParameters) as API Gateway builds them."""
    pairs = parse_qsl(query, keep_blank_values=True)
    if not pairs:
        return None, None
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        multi.setdefault(key, []).append(value)
    return {key: values[-1] for key, values in multi.items()}, multi


def proxy_response(result: Any, *, request_id: str | None = None) -> HttpResponse:
    """Turn a handler's return value into the HTTP response API Gateway would send."""
    if not isinstance(result, Mapping):
        raise InvalidProxyResponseError(f"handler returned {type(result).__name__}, not an object")
    unknown = set(result) - _PROXY_RESPONSE_KEYS
    if unknown:
        raise InvalidProxyResponseError(f"unexpected keys in the proxy response: {sorted(unknown)}")
    status = result.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise InvalidProxyResponseError(f"statusCode must be an HTTP status, got {status!r}")
    body = result.get("body")
    if body is not None and not isinstance(body, str):
        raise InvalidProxyResponseError(f"body must be a string or null, got {type(body).__name__}")
    if result.get("isBase64Encoded"):
        try:
            payload = base64.b64decode(body or "", validate=True)
        except binascii.Error as exc:
            raise InvalidProxyResponseError(f"isBase64Encoded is true but the body is not base64: {exc}") from exc
    else:
        payload = (body or "").encode("utf-8")
    headers = _response_headers(result.get("headers"), result.get("multiValueHeaders"))
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "application/json"))
    if request_id:
        headers.append(("x-amzn-RequestId", request_id))
    return HttpResponse(status=status, headers=headers, body=payload, request_id=request_id)


def gateway_response(custom: GatewayResponse, status: int, error_type: str) -> HttpResponse:
    """API Gateway's own answer as the template customises it: its status (else ``status``), body and headers."""
    content_type, body = next(iter(custom.templates.items()), ("application/json", MISSING_TOKEN_BODY.decode()))
    headers = {"Content-Type": content_type, "x-amzn-ErrorType": error_type, **custom.headers}
    return HttpResponse(status=custom.status or status, headers=list(headers.items()), body=body.encode())


def missing_authentication_token(status: int) -> HttpResponse:
    return HttpResponse(
        status=status,
        headers=[
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", "MissingAuthenticationTokenException"),
        ],
        body=MISSING_TOKEN_BODY,
    )


def internal_server_error(request_id: str | None = None) -> HttpResponse:
    headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", "InternalServerErrorException")]
    if request_id:
        headers.append(("x-amzn-RequestId", request_id))
    return HttpResponse(status=502, headers=headers, body=INTERNAL_ERROR_BODY, request_id=request_id)


def _split(path: str) -> tuple[str, ...]:
    stripped = path[1:] if path.startswith("/") else path
    return tuple(stripped.split("/")) if stripped else ()


def _header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    found = None
    for key, value in headers:
        if key.lower() == name:
            found = value
    return found


def _headers(request: HttpRequest) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    pairs = list(request.headers)
    forwarded = _header(pairs, "x-forwarded-for")
    pairs = [(k, v) for k, v in pairs if k.lower() != "x-forwarded-for"]
    pairs.append(("X-Forwarded-For", f"{forwarded}, {request.source_ip}" if forwarded else request.source_ip))
    if request.server_port is not None and _header(pairs, "x-forwarded-port") is None:
        pairs.append(("X-Forwarded-Port", str(request.server_port)))
    if _header(pairs, "x-forwarded-proto") is None:
        pairs.append(("X-Forwarded-Proto", "http"))
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        multi.setdefault(key, []).append(value)
    return {key: values[-1] for key, values in multi.items()}, multi


def _body(raw: bytes, content_type: str | None, api: RestApi) -> tuple[str | None, bool]:
    if not raw:
        return None, False
    if content_type and _is_binary_type(content_type, api.binary_media_types):
        return base64.b64encode(raw).decode("ascii"), True
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode("ascii"), True


def _is_binary_type(content_type: str, binary_types: Iterable[str]) -> bool:
    mime = content_type.split(";", 1)[0].strip().lower()
    return any(fnmatch.fnmatchcase(mime, pattern.lower()) for pattern in binary_types)


def _response_headers(single: Any, multi: Any) -> list[tuple[str, str]]:
    if single is not None and not isinstance(single, Mapping):
        raise InvalidProxyResponseError("headers must be an object")
    if multi is not None and not isinstance(multi, Mapping):
        raise InvalidProxyResponseError("multiValueHeaders must be an object")
    out: list[tuple[str, str]] = []
    # API Gateway merges the two maps; a name present in both keeps only its multiValueHeaders values.
    multi_names = {str(name).lower() for name in multi or {}}
    for name, value in (single or {}).items():
        if str(name).lower() not in multi_names and str(name).lower() not in _HOP_BY_HOP:
            out.append((str(name), _header_value(value)))
    for name, values in (multi or {}).items():
        if str(name).lower() in _HOP_BY_HOP:
            continue
        if not isinstance(values, list):
            raise InvalidProxyResponseError(f"multiValueHeaders[{name!r}] must be a list")
        out.extend((str(name), _header_value(v)) for v in values)
    return out


def _header_value(value: Any) -> str:
    # The response went through JSON on its way from Lambda, so true/1.5 arrive in their JSON spelling.
    return value if isinstance(value, str) else json.dumps(value)


def _request_time(now: float) -> str:
    t = time.gmtime(now)
    return f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"
