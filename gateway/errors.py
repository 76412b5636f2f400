"""Every failure the gateway returns, as one table: what happened → status and message."""

from __future__ import annotations

import json
from typing import Any

from marshmallow import ValidationError
from nameko.exceptions import RemoteError, RpcTimeout

from services.infra.i18n import _

# service error class name (nameko RemoteError.exc_type) → HTTP status
REMOTE_ERRORS = {
    "InvalidInput": (400, "invalid_input"),
    "NotFound": (404, "not_found"),
    "Conflict": (409, "conflict"),
    "Forbidden": (403, "forbidden"),
    "MethodNotFound": (502, "bad_gateway"),
    "UnknownService": (503, "service_unavailable"),
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def from_remote(error: RemoteError) -> ApiError:
    status, code = REMOTE_ERRORS.get(error.exc_type, (502, "upstream_error"))
    try:
        parsed = json.loads(error.value)
        message, details = parsed.pop("message"), parsed
    except (TypeError, ValueError, KeyError, AttributeError):
        message, details = _("The service could not complete the request"), {}
    if "fields" in details:
        details["fields"] = translate_messages(details["fields"])
    return ApiError(status, code, _(message), **details)


def from_validation(error: ValidationError) -> ApiError:
    return ApiError(
        400,
        "invalid_input",
        _("Some fields are missing or invalid"),
        fields=translate_messages(error.messages),
    )


def timeout(service: str, error: RpcTimeout) -> ApiError:
    return ApiError(
        504, "timeout", _("The {service} service did not answer in time", service=service)
    )


def unavailable(service: str) -> ApiError:
    return ApiError(
        503, "service_unavailable", _("The {service} service is unavailable", service=service)
    )


def translate_messages(messages: Any) -> Any:
    if isinstance(messages, dict):
        return {k: translate_messages(v) for k, v in messages.items()}
    if isinstance(messages, list):
        return [translate_messages(m) for m in messages]
    return _(messages) if isinstance(messages, str) else messages
