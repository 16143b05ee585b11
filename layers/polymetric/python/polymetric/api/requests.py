"""Reading API Gateway (REST, v1 payload) requests: bodies, repeated query keys, headers."""

import base64
import binascii
import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from polymetric.errors import InvalidInputError, UnsupportedMediaTypeError

from .forms import parse_form

FORM = "application/x-www-form-urlencoded"


def header(app: APIGatewayRestResolver, name: str) -> str | None:
    headers = app.current_event.headers or {}
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return str(value)
    return None


def content_type(app: APIGatewayRestResolver) -> str:
    return (header(app, "Content-Type") or "").split(";")[0].strip().lower()


def raw_body(app: APIGatewayRestResolver) -> bytes:
    """The body's bytes. Base64 bodies (binary media types, gzip) are decoded here, never as UTF-8 text."""
    event = app.current_event
    body = event.body
    if not body:
        return b""
    if event.is_base64_encoded:
        try:
            return base64.b64decode(body)
        except (binascii.Error, ValueError):
            raise InvalidInputError(request=["The request body is not valid base64."]) from None
    return body.encode("utf-8", errors="surrogatepass")


def _json_type(kind: str) -> bool:
    """A JSON media type, or none given (clients that send JSON without saying so)."""
    return not kind or kind == "application/json" or kind.endswith("+json")


def json_body_bytes(app: APIGatewayRestResolver) -> bytes:
    """The body of a JSON-only route (seed: the only permissible content type is JSON); a missing type is JSON."""
    if not _json_type(content_type(app)):
        raise UnsupportedMediaTypeError("Content type was not application/json.")
    return raw_body(app)


def document(app: APIGatewayRestResolver) -> dict[str, Any]:
    """A JSON or form-encoded body as a dict; an empty body is {}.

    A form-typed body that is a JSON object is read as JSON: ``curl -d '{...}'`` without ``-H`` labels it a
    form, and the seed's own examples (environments, snapshots) send exactly that. No form starts with ``{``.
    A body of any other type (``text/plain``, ``multipart/form-data``) is a 415 (seed: Incorrect Content-Type).
    """
    body = raw_body(app)
    kind = content_type(app)
    if kind == FORM:
        text = body.decode("utf-8", errors="replace")
        if not text.lstrip().startswith("{"):
            return parse_form(text)
    if not body.strip():
        return {}
    if kind != FORM and not _json_type(kind):
        raise UnsupportedMediaTypeError(f"Content type was not application/json or {FORM}.")
    try:
        doc = json.loads(body)
    except ValueError:
        raise InvalidInputError(request=["The request body is not valid JSON."]) from None
    except RecursionError:
        raise InvalidInputError(request=["The request body is nested too deeply."]) from None
    if not isinstance(doc, dict):
        raise InvalidInputError(request=["The request body must be a JSON object."])
    return doc


def query_values(app: APIGatewayRestResolver) -> dict[str, list[str]]:
    """Every query key with all its values (clients repeat keys: names[]=, tags[k]=, group_by[]=)."""
    multi = app.current_event.multi_value_query_string_parameters or {}
    single = app.current_event.query_string_parameters or {}
    out = {k: list(v) for k, v in multi.items()}
    for k, v in single.items():
        out.setdefault(k, [v])
    return out


def base_url(app: APIGatewayRestResolver) -> str:
    """The API's own URL as the caller reached it (absolute hrefs): scheme, host and, on an execute-api
    host, the stage (``https://abc.execute-api.us-east-1.amazonaws.com/Prod``)."""
    host = header(app, "Host") or "localhost"
    scheme = (header(app, "X-Forwarded-Proto") or "https").split(",")[0].strip()
    stage = app.current_event.request_context.stage if host.endswith(".amazonaws.com") else None
    return f"{scheme}://{host}" + (f"/{stage}" if stage else "")
