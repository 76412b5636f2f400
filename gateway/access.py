"""Who is calling and what they may do: roles per action, scope per object."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from gateway.auth import InvalidToken, Principal, verify_token
from gateway.errors import ApiError
from services.infra.i18n import _

STAFF = {"county_operator", "org_admin"}
SECRETARIES = STAFF | {"branch_secretary"}
COMMUNITY = STAFF | {"community_worker", "grid_leader", "grid_worker"}

PERMISSIONS: dict[str, set[str]] = {
    "create_org": STAFF,
    "register_member": SECRETARIES,
    "read_member": SECRETARIES | {"member"},
    "read_member_pii": STAFF,
    "schedule_meeting": SECRETARIES,
    "enroll_kiosk": STAFF,
    "kiosk_check_in": {"kiosk"},
    "read_scorecard": SECRETARIES | {"member"},
    "record_need": COMMUNITY,
    "list_needs": COMMUNITY | {"branch_secretary", "member"},
    "echo": SECRETARIES | COMMUNITY | {"member", "kiosk"},
}


def caller(action: str) -> Principal:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise ApiError(401, "unauthenticated", _("Sign in first: send a bearer token"))
    try:
        principal = verify_token(current_app.config["SETTINGS"].token_secret, header[7:].strip())
    except InvalidToken:
        raise ApiError(
            401, "unauthenticated", _("The token is invalid or expired; sign in again")
        ) from None
    if principal.role not in PERMISSIONS[action]:
        raise ApiError(403, "forbidden", _("Your role may not do this"))
    return principal


def within_scope(principal: Principal, org_path: str) -> None:
    if not principal.covers(org_path):
        raise ApiError(
            403, "forbidden", _("This organization is outside your area of responsibility")
        )


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", _("The request body must be a JSON object"))
    return body
