"""Who is calling and what they may do: roles per action, scope per object.

The gateway refuses what it can before any service is asked; the services check again on every
object they touch (other systems call them directly), and a 403 from either carries no data of
the object.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import current_app, g, request

from gateway.auth import ROLES, InvalidToken, Principal, verify_token
from gateway.errors import ApiError
from services.infra.i18n import _

STAFF = frozenset({"county_operator", "org_admin"})
SECRETARIES = STAFF | {"branch_secretary"}
GRID = frozenset({"grid_leader", "grid_worker"})
COMMUNITY = STAFF | GRID | {"community_worker"}
EVERYONE = frozenset(ROLES)

# action → roles allowed (the services hold the same rules for their own objects)
PERMISSIONS: dict[str, frozenset[str]] = {
    "create_org": STAFF,
    "register_member": SECRETARIES,
    "read_member": SECRETARIES | GRID | {"community_worker", "member"},
    "read_member_pii": STAFF,
    "read_points": SECRETARIES | GRID | {"member"},
    "read_inbox": SECRETARIES | {"member"},
    "schedule_meeting": SECRETARIES,
    "enroll_kiosk": STAFF,
    "kiosk_check_in": frozenset({"kiosk"}),
    "record_need": COMMUNITY,
    "list_needs": COMMUNITY | {"branch_secretary", "member"},
    "bench_echo": EVERYONE,
}
# actions on a member's own records that a member may take on themselves only
SELF_SERVICE = {"read_member", "read_points", "read_inbox"}


def authenticate() -> Principal:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, _("Sign in first: send a bearer token"), headers=CHALLENGE)
    try:
        principal = verify_token(current_app.config["SETTINGS"].token_secret, token.strip())
    except InvalidToken:
        raise ApiError(
            401, _("The token is invalid or expired; sign in again"), headers=CHALLENGE
        ) from None
    g.principal = principal
    return principal


CHALLENGE = {"WWW-Authenticate": 'Bearer realm="dangjian"'}


def authorize(action: str) -> Principal:
    """The verified caller, if their role may take ``action`` (401 / 403 otherwise)."""
    principal = authenticate()
    if principal.role not in PERMISSIONS[action]:
        raise ApiError(403, _("Your role may not do this"))
    return principal


def within_scope(principal: Principal, org_path: str) -> None:
    if not principal.covers(org_path):
        raise ApiError(403, _("This organization is outside your area of responsibility"))


def member_self_only(principal: Principal, member_id: str) -> bool:
    """For a member: refuse anyone else's records (True when the caller is that member)."""
    if principal.role != "member":
        return False
    if principal.subject != member_id:
        raise ApiError(403, _("Members may only read their own records"))
    return True


def caller_context(principal: Principal) -> dict[str, Any]:
    """The caller as RPC context data (services/infra/scope.py reads it)."""
    return replace(principal, ip=request.remote_addr or None).as_context()


def current_principal() -> Principal:
    """The caller authorized for this request (set by ``authorize``)."""
    principal: Principal = g.principal
    return principal
