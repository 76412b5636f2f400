"""Every failure the gateway returns, as one table, answered as RFC 9457 problem details.

A problem body is ``application/problem+json``: ``type`` (a URI naming the problem), ``title``
(short, per type), ``status``, ``detail`` (what the person can do about it, in Chinese), ``code``
(the problem's short name) and, for validation failures, ``errors`` (field → messages).

Only 503 (a service or the broker unavailable) and 504 (a service did not answer) are expected
5xx answers; anything else is a bug: a logged 500 problem.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request
from marshmallow import ValidationError
from nameko.exceptions import RemoteError
from werkzeug.exceptions import HTTPException

from services.infra.i18n import _

log = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://dangjian.example/problems/"
PROBLEM_JSON = "application/problem+json"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="dangjian"'}

# status → (code, English title id); the title is translated when the problem is answered
STATUSES: dict[int, tuple[str, str]] = {
    400: ("invalid_input", "Bad Request"),
    401: ("unauthenticated", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not_found", "Not Found"),
    405: ("method_not_allowed", "Method Not Allowed"),
    408: ("request_timeout", "Request Timeout"),
    409: ("conflict", "Conflict"),
    413: ("payload_too_large", "Request Entity Too Large"),
    414: ("uri_too_long", "Request-URI Too Long"),
    415: ("unsupported_media_type", "Unsupported Media Type"),
    423: ("locked", "Locked"),
    429: ("too_many_requests", "Too Many Requests"),
    431: ("headers_too_large", "Request Header Fields Too Large"),
    500: ("internal_error", "Internal Server Error"),
    503: ("service_unavailable", "Service Unavailable"),
    504: ("timeout", "Gateway Timeout"),
}
# the statuses a route may answer with (documented on every route that can)

# service error class name (nameko RemoteError.exc_type) → HTTP status. A service's own errors
# carry a JSON text {"message": <English message id>, ..., "fields": {...}}.
REMOTE_ERRORS = {
    "InvalidInput": 400,
    "Forbidden": 403,
    "NotFound": 404,
    "Conflict": 409,
    "Unauthenticated": 401,  # members: wrong credentials, an ended session
    "Locked": 423,  # members: too many failed sign-ins
    "TooManyRequests": 429,  # members: sign-in codes asked for too often (per phone number)
    "Unavailable": 503,  # a service's own dependency (an SMS provider) is away; retry later
    # nameko's own: the service is being stopped or runs another version
    "ContainerBeingKilled": 503,
    "MethodNotFound": 503,
}

# detail for a status when nothing more specific is known
DEFAULT_DETAILS = {
    400: "Some fields are missing or invalid",
    401: "Sign in first: send a bearer token",
    403: "Your role may not do this",
    404: "No such address or object",
    405: "This address does not accept this method",
    408: "The request body did not arrive in time",
    409: "This conflicts with the current state; reload and try again",
    413: "The request body is too large",
    414: "The address is too long",
    415: "Send the request body as JSON (Content-Type: application/json)",
    423: "Too many failed sign-ins: the account is locked for a while",
    429: "Too many failed attempts from this address; try again later",
    431: "The request headers are too large",
    500: "Internal error; the operator has been notified in the logs",
    503: "The service is unavailable; try again shortly",
    504: "The service did not answer in time; try again shortly",
}


class ApiError(Exception):
    """A problem to answer. ``detail`` is already translated; ``errors`` maps fields to
    translated messages (validation failures only)."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        code: str | None = None,
        errors: Mapping[str, list[str]] | None = None,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        known_code, _title = STATUSES.get(status, STATUSES[500])
        self.status = status if status in STATUSES else 500
        self.code = code or known_code
        self.detail = detail or _(DEFAULT_DETAILS[self.status])
        self.errors = dict(errors) if errors else None
        self.headers = dict(headers or {})
        self.extensions = dict(extensions or {})  # RFC 9457 extension members (unlocks_at)
        super().__init__(self.detail)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.code,
            "title": _(STATUSES[self.status][1]),
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if self.errors is not None:
            body["errors"] = self.errors
        return {**body, **self.extensions}

    def response(self) -> Response:
        text = json.dumps(self.body(), ensure_ascii=False, allow_nan=False)
        response = Response(text, status=self.status, mimetype=PROBLEM_JSON)
        for name, value in self.headers.items():
            response.headers[name] = value
        return response


def invalid(errors: Mapping[str, Any], detail: str | None = None) -> ApiError:
    """A validation failure: field messages (nested ones flattened to dotted keys) translated."""
    return ApiError(
        400,
        detail or _("Some fields are missing or invalid"),
        code="invalid_input",
        errors=flatten_messages(errors),
    )


def from_validation(error: ValidationError) -> ApiError:
    messages = error.messages
    if not isinstance(messages, Mapping):
        messages = {"_schema": messages}
    return invalid(messages)


def from_remote(error: RemoteError) -> ApiError:
    """A service's error: its status by class name; a service bug (any other class) is a 500."""
    status = REMOTE_ERRORS.get(error.exc_type or "")
    if status is None:
        log.error("service error %s: %s", error.exc_type, str(error.value)[:500])
        return ApiError(500)
    parsed: Any = None
    with contextlib.suppress(TypeError, ValueError):
        parsed = json.loads(error.value)
    if not isinstance(parsed, dict):
        parsed = {}
    message, fields = parsed.get("message"), parsed.get("fields")
    detail = _(message) if isinstance(message, str) and message else None
    if status == 400 and isinstance(fields, Mapping):
        return invalid(fields, detail)
    if status == 503 and error.exc_type == "Unavailable" and detail:
        return ApiError(503, detail)  # the service's own dependency (SMS): what to do, in Chinese
    if status == 503:
        return ApiError(503, _("The service is being restarted; try again shortly"))
    if status == 401:
        return ApiError(401, detail, headers=CHALLENGE)
    if status in (423, 429):
        retry, unlocks_at = parsed.get("retry_after_seconds"), parsed.get("unlocks_at")
        return ApiError(
            status,
            detail,
            headers={"Retry-After": str(retry)} if isinstance(retry, int) else None,
            extensions={"unlocks_at": unlocks_at} if isinstance(unlocks_at, str) else None,
        )
    return ApiError(status, detail)


def timeout(service: str) -> ApiError:
    return ApiError(504, _("The {service} service did not answer in time", service=service))


def unavailable(service: str) -> ApiError:
    return ApiError(503, _("The {service} service is unavailable", service=service))


# marshmallow's messages that carry values: matched, then translated as templates
PARAMETRIZED = [
    (
        re.compile(
            r"^Must be greater than or equal to (?P<min>.+) and less than or equal to (?P<max>.+)\.$"
        ),
        "Must be between {min} and {max}.",
    ),
    (re.compile(r"^Must be greater than or equal to (?P<min>.+)\.$"), "Must be at least {min}."),
    (re.compile(r"^Must be less than or equal to (?P<max>.+)\.$"), "Must be at most {max}."),
    (
        re.compile(r"^Length must be between (?P<min>\d+) and (?P<max>\d+)\.$"),
        "Length must be between {min} and {max}.",
    ),
    (
        re.compile(r"^Shorter than minimum length (?P<min>\d+)\.$"),
        "Shorter than minimum length {min}.",
    ),
    (
        re.compile(r"^Longer than maximum length (?P<max>\d+)\.$"),
        "Longer than maximum length {max}.",
    ),
    (re.compile(r"^Must be one of: (?P<choices>.+)\.$"), "Must be one of: {choices}."),
    (
        re.compile(
            r"^A meeting must start between (?P<back>\d+) days ago and (?P<ahead>\d+) days from now$"
        ),
        "A meeting must start between {back} days ago and {ahead} days from now",
    ),
]


def translate(message: str) -> str:
    """A validation message in the caller's language (exact id, else a known template)."""
    translated = _(message)
    if translated != message:
        return translated
    for pattern, msgid in PARAMETRIZED:
        match = pattern.match(message)
        if match:
            return _(msgid, **match.groupdict())
    return message


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages ({"tags": {0: ["..."]}}) as {"tags.0": ["..."]}, each
    message translated."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for field, texts in flatten_messages(value, name).items():
                flat.setdefault(field, []).extend(texts)
    elif isinstance(messages, list | tuple):
        for item in messages:
            if isinstance(item, Mapping | list | tuple):
                for field, texts in flatten_messages(item, prefix).items():
                    flat.setdefault(field, []).extend(texts)
            else:
                flat.setdefault(prefix or "_schema", []).append(translate(str(item)))
    else:
        flat.setdefault(prefix or "_schema", []).append(translate(str(messages)))
    return flat


def from_http(error: HTTPException) -> ApiError:
    status = error.code or 500
    headers = {}
    if status == 405:
        allow = dict(error.get_headers()).get("Allow")
        if allow:
            headers["Allow"] = allow
    if (status not in STATUSES or status >= 500) and status != 503:
        log.error("HTTP %s raised while serving %s", status, request.path)
        status = 500
    data = getattr(error, "data", None)  # webargs' abort carries the field messages
    if status == 400 and isinstance(data, Mapping) and "messages" in data:
        return invalid(_locations_merged(data["messages"]))
    return ApiError(status, headers=headers)


def _locations_merged(messages: Any) -> Any:
    """webargs groups messages by location ({"json": {...}}, {"query": {...}}): one request has
    one body and one query, so the location level adds nothing for the caller."""
    if not isinstance(messages, Mapping):
        return {"_schema": messages}
    merged: dict[str, Any] = {}
    for location, fields in messages.items():
        if isinstance(fields, Mapping):
            merged.update(fields)
        else:
            merged[str(location)] = fields
    return merged


def install(app: Flask) -> None:
    """Every error answered as a problem, whoever raised it."""

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> Response:
        return error.response()

    @app.errorhandler(ValidationError)
    def validation_error(error: ValidationError) -> Response:
        return from_validation(error).response()

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        return from_http(error).response()

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unhandled error while serving %s %s", request.method, request.path)
        return ApiError(500).response()
