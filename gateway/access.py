"""Who is calling and what they may do: roles per action, scope per object.

The gateway refuses what it can before any service is asked; the services check again on every
object they touch (other systems call them directly), and a 403 from either carries no data of
the object.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import current_app, g, request

from gateway.auth import ROLES, InvalidToken, Principal, Token, read_token
from gateway.errors import CHALLENGE, ApiError
from gateway.sessions import FailureThrottle, SessionCheck
from services.infra.i18n import _
from services.infra.scope import STAFF_ROLES

STAFF = frozenset({"county_operator", "org_admin"})
SECRETARIES = STAFF | {"branch_secretary"}
GRID = frozenset({"grid_leader", "grid_worker"})
COMMUNITY = STAFF | GRID | {"community_worker"}
EVERYONE = frozenset(ROLES)
STAFF_ACCOUNTS = frozenset(STAFF_ROLES)

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
    # the console's reads (routes_console.py)
    "browse_orgs": STAFF_ACCOUNTS,
    "list_members": STAFF_ACCOUNTS,
    "read_meetings": STAFF_ACCOUNTS,
    "read_attendance": STAFF_ACCOUNTS | {"member"},  # a member: their own only
    # the caller's own account and session (routes_auth.py)
    "sign_out": EVERYONE,
    "read_me": STAFF_ACCOUNTS | {"member"},  # a member signed in by SMS code (a session)
    "change_password": STAFF_ACCOUNTS,
    "switch_role": STAFF_ACCOUNTS,
    # accounts, sign-in attempts, kiosk pairing (routes_accounts.py); the members service checks
    # every account and organization against the caller's scope again
    "manage_accounts": STAFF,
    "list_sign_in_attempts": STAFF,
    "manage_kiosks": SECRETARIES,  # a secretary: the kiosks of their own branch
    # the registers (routes_tree.py, routes_lifecycle.py, routes_roster.py)
    "manage_orgs": STAFF,  # change, move, merge, dissolve, temporary members, history
    "change_member": SECRETARIES,  # profile and status
    "manage_cards": SECRETARIES,
    "import_roster": SECRETARIES,
    "export_members": SECRETARIES,  # masked; in full: read_member_pii too
    # organizational life (routes_orglife.py, routes_plans.py, routes_dues.py,
    # routes_transfers.py, routes_mobile.py)
    "manage_meetings": SECRETARIES,  # close, minutes, leave decisions
    "request_leave": SECRETARIES | {"member"},  # a member: for themselves only
    "read_plans": STAFF_ACCOUNTS,  # the yearly plan, what is due, attendance rates
    "manage_dues": SECRETARIES,  # the dues run, payments, corrections
    "declare_income": SECRETARIES | {"member"},  # a member: their own only
    "read_dues": STAFF_ACCOUNTS | {"member"},  # a member: their own only
    "manage_transfers": SECRETARIES,
    "manage_mobile": SECRETARIES,
    "read_lapse": SECRETARIES,  # the lapse warning list
    "bench_echo": EVERYONE,
}
# actions on a member's own records that a member may take on themselves only
SELF_SERVICE = {
    "read_member",
    "read_points",
    "read_inbox",
    "read_attendance",
    "request_leave",
    "declare_income",
    "read_dues",
}
# all a token may do while its account's password change is due
WHILE_PASSWORD_CHANGE_DUE = {"change_password", "read_me", "sign_out"}


def authenticate() -> Principal:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, _("Sign in first: send a bearer token"), headers=CHALLENGE)
    try:
        verified = read_token(current_app.config["SETTINGS"].token_secret, token.strip())
    except InvalidToken:
        raise ApiError(
            401, _("The token is invalid or expired; sign in again"), headers=CHALLENGE
        ) from None
    if verified.session_id and not session_valid(verified):
        raise ApiError(401, _("Your session has ended; sign in again"), headers=CHALLENGE)
    g.principal, g.token = verified.principal, verified
    return verified.principal


def session_valid(verified: Token) -> bool:
    """Whether the token's session is still valid (asked of members, believed a few seconds)."""
    sid = str(verified.session_id)

    def ask() -> bool:
        caller = caller_context(verified.principal)
        return bool(
            current_app.extensions["rpc"].call("members", "verify_session", sid, caller=caller)
        )

    return session_check().valid(sid, ask)


def session_check() -> SessionCheck:
    extensions = current_app.extensions
    if "session_check" not in extensions:
        seconds = current_app.config["SETTINGS"].session_check_seconds
        extensions.setdefault("session_check", SessionCheck(seconds))
    check: SessionCheck = extensions["session_check"]
    return check


def failure_throttle() -> FailureThrottle:
    extensions = current_app.extensions
    if "failure_throttle" not in extensions:
        settings = current_app.config["SETTINGS"]
        throttle = FailureThrottle(
            settings.sign_in_failures_per_ip, settings.sign_in_window_seconds
        )
        extensions.setdefault("failure_throttle", throttle)
    found: FailureThrottle = extensions["failure_throttle"]
    return found


def current_token() -> Token:
    """The verified token of this request (set by ``authenticate``)."""
    token: Token = g.token
    return token


def authorize(action: str) -> Principal:
    """The verified caller, if their role may take ``action`` (401 / 403 otherwise)."""
    principal = authenticate()
    if current_token().password_change_due and action not in WHILE_PASSWORD_CHANGE_DUE:
        raise ApiError(403, _("Change your password first"), code="password_change_required")
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


# Who calls for a request without a token (sign-in, refresh, kiosk pairing): nobody in
# particular, covering no organization; the services record the client's address.
ANONYMOUS = Principal("anonymous", "anonymous", "none")


def current_principal() -> Principal:
    """The caller authorized for this request (set by ``authorize``)."""
    principal: Principal = g.principal
    return principal
