"""The API's blueprints and what every route module shares: calling a service as the caller,
the answer to a create-or-find, the scope check of an organization, and ``public`` for the few
routes that take no token (sign-in, refresh, kiosk pairing)."""

from __future__ import annotations

import http
from collections.abc import Callable
from typing import Any

from flask import current_app

from gateway.access import ANONYMOUS, caller_context, current_principal, within_scope
from gateway.smorest import ALWAYS, GatewayBlueprint

api = GatewayBlueprint("api", __name__, url_prefix="/api/v1", description="The platform's HTTP API")
bench = GatewayBlueprint(
    "bench",
    __name__,
    url_prefix="/api/v1/bench",
    description="Benchmark hooks (never mounted in production)",
)


def rpc(service: str, method: str, *args: Any) -> Any:
    caller = caller_context(current_principal())
    return current_app.extensions["rpc"].call(service, method, *args, caller=caller)


def anonymous_rpc(service: str, method: str, *args: Any) -> Any:
    """A call for a request without a token: the caller is nobody, from the client's address."""
    caller = caller_context(ANONYMOUS)
    return current_app.extensions["rpc"].call(service, method, *args, caller=caller)


def created_or_found(result: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """201 for a new object, 200 when the same natural key already existed (idempotent create;
    the service has checked that the existing object is within the caller's scope)."""
    created = result.pop("created", True)
    return result, 201 if created else 200


def org_in_scope(org_id: str) -> str:
    """The organization's path, once it is known to lie within the caller's scope."""
    path: str = rpc("members", "get_org", org_id)["path"]
    within_scope(current_principal(), path)
    return path


def without_none(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if not (k in keys and v is None)}


def public(blp: GatewayBlueprint, *statuses: int) -> Callable[[Any], Any]:
    """A route anyone may call (no bearer token): documented without security, with the problem
    statuses it can answer."""

    def decorator(view: Any) -> Any:
        documented: Any = blp.doc(security=[])(view)
        for status in sorted(set(ALWAYS) | set(statuses), reverse=True):
            documented = blp.alt_response(status, http.HTTPStatus(status).name)(documented)
        return documented

    return decorator
