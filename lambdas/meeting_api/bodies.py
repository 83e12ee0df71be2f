"""Request bodies, read once at the edge: JSON only, decoded and parsed within limits, else a 4xx.

Powertools' own reader (OpenAPIRequestValidationMiddleware._get_body in 3.37.0) parses form and multipart
bodies into the route's model (so a form could place a call), and lets ValueError, RecursionError and
UnicodeDecodeError from base64, UTF-8 and json.loads escape as 500s. Ours replaces it for every route with
a body; routes without one never read theirs.
"""

from __future__ import annotations

import binascii
import json
from base64 import b64decode
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIRequestValidationMiddleware,
)

from meeting_api.errors import MalformedBody, RequestTooLarge, UnsupportedMediaType

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.types import EventHandlerInstance
    from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

# Our largest request is a few dozen bytes; these leave room and keep parsing cheap.
MAX_BODY_BYTES = 16 * 1024
MAX_DEPTH = 32


def read_json_body(event: BaseProxyEvent) -> Any:
    """The body's JSON value; None when there is no body (the route's model decides if that is allowed)."""
    raw = event.body or ""
    if not raw:
        return None
    _require_json_media_type(event.headers.get("content-type"))
    if len(raw) > 2 * MAX_BODY_BYTES:  # base64 is 4/3 of the bytes: too large either way, skip decoding
        raise RequestTooLarge(f"the request body is over {MAX_BODY_BYTES} bytes; send only the JSON fields")
    data = _bytes_of(raw, base64_encoded=bool(event.is_base64_encoded))
    if len(data) > MAX_BODY_BYTES:
        raise RequestTooLarge(
            f"the request body is {len(data)} bytes; at most {MAX_BODY_BYTES} bytes are accepted"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedBody("the request body is not UTF-8 text; send JSON") from None
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise MalformedBody(f"the request body nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:  # JSONDecodeError, and int() refusing more than 4300 digits
        if isinstance(error, json.JSONDecodeError):
            raise MalformedBody(f"the request body is not valid JSON ({error.msg})") from None
        raise MalformedBody("a number in the request body has too many digits") from None
    if _depth(value) > MAX_DEPTH:
        raise MalformedBody(f"the request body nests deeper than {MAX_DEPTH} levels")
    return value


def _require_json_media_type(content_type: str | None) -> None:
    media_type, *parameters = (part.strip().lower() for part in (content_type or "").split(";"))
    charsets = {
        value.strip('"') for name, _, value in (p.partition("=") for p in parameters) if name == "charset"
    }
    if media_type != "application/json" or not charsets <= {"utf-8"}:
        sent = f"not {content_type}" if content_type else "with a Content-Type header"
        raise UnsupportedMediaType(f"send the request body as application/json (UTF-8), {sent}")


def _bytes_of(raw: str, *, base64_encoded: bool) -> bytes:
    if not base64_encoded:
        return raw.encode("utf-8", "surrogatepass")  # a lone surrogate then fails the UTF-8 decoding
    try:
        return b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedBody("the request body is marked base64 but is not valid base64") from None


def _refuse_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not JSON", name, 0)


def _depth(value: Any) -> int:
    """Nesting depth without recursion (a body can nest thousands of levels within the size limit)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                return depth
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


class JsonBodyValidation(OpenAPIRequestValidationMiddleware):
    """Powertools' request validation, reading the body with read_json_body instead of its own reader."""

    def _get_body(self, app: EventHandlerInstance) -> Any:
        return read_json_body(app.current_event)


class JsonHttpResolver(APIGatewayHttpResolver):
    """APIGatewayHttpResolver whose validated routes read bodies as JSON only, within limits."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        if self._enable_validation:
            self._request_validation_middleware = JsonBodyValidation()  # type: ignore[no-untyped-call]
