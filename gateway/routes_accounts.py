"""Account management, sign-in attempts and kiosks, for county operators (everything) and
organization admins (within their subtree; never the county operator's role). The gateway
checks the organizations, accounts and kiosks against the caller's scope first; the members
service checks them again."""

from __future__ import annotations

from typing import Any

from gateway.access import current_principal, within_scope
from gateway.credentials import new_pairing_code, new_password
from gateway.errors import ApiError
from gateway.http_schemas import (
    AccountCreatedOut,
    AccountIn,
    AccountOut,
    AccountsPage,
    AccountsQuery,
    AttemptsPage,
    KiosksPage,
    KioskStateOut,
    NoQuery,
    PairingCodeIn,
    PairingCodeOut,
    PasswordResetOut,
    RoleIn,
)
from gateway.routing import api, created_or_found, org_in_scope, rpc, without_none
from gateway.smorest import BODY, secured
from services.infra.i18n import _

ACCOUNT_ID = "<string(minlength=1, maxlength=64):account_id>"
DEVICE_ID = "<string(minlength=3, maxlength=64):device_id>"
PAIRING_TRIES = 3  # a new code is drawn when one happens to be in use (10^8 codes, minutes each)


def account_in_scope(account_id: str) -> dict[str, Any]:
    """The account, once all its roles are known to lie within the caller's scope."""
    account: dict[str, Any] = rpc("members", "get_account", account_id)
    within_scope(current_principal(), account["org_path"])
    return account


def grantable(roles: list[dict[str, Any]]) -> None:
    principal = current_principal()
    for role in roles:
        if role["role"] == "county_operator" and principal.role != "county_operator":
            raise ApiError(403, _("Only a county operator may grant the county operator's role"))
        org_in_scope(role["org_id"])


def list_query(query: dict[str, Any]) -> dict[str, Any]:
    """A list's query for the service, its organization checked against the caller's scope."""
    if query.get("org_id"):
        org_in_scope(query["org_id"])
    return {"org_id": query.get("org_id"), "cursor": query.get("cursor"), "limit": query["limit"]}


# -- accounts --------------------------------------------------------------------------------


@api.route("/accounts", methods=["GET"])
@secured(api, "manage_accounts", 404)
@api.arguments(AccountsQuery, location="query")
@api.response(200, AccountsPage)
def list_accounts(query: dict[str, Any]) -> Any:
    """Accounts whose every role lies within an organization subtree, by username (paginated)"""
    return rpc("members", "list_accounts", list_query(query))


@api.route("/accounts", methods=["POST"])
@secured(api, "manage_accounts", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(AccountIn)
@api.response(201, AccountCreatedOut, description="Created; changes its password at first sign-in")
@api.alt_response(200, schema=AccountCreatedOut, description="The same create again")
def create_account(body: dict[str, Any]) -> Any:
    """Create a staff account with one or more roles; without a password, a one-time password is
    made and answered once (the holder must change it at the first sign-in)"""
    grantable(body["roles"])
    made = body["password"] is None
    password = new_password() if made else body["password"]
    payload = without_none({**body, "password": password}, "member_id")
    account, status = created_or_found(rpc("members", "create_account", payload))
    return {**account, "initial_password": password if made else None}, status


@api.route(f"/accounts/{ACCOUNT_ID}", methods=["GET"])
@secured(api, "manage_accounts", 404)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, AccountOut)
def get_account(account_id: str) -> Any:
    """An account (never its password)"""
    return account_in_scope(account_id)


@api.route(f"/accounts/{ACCOUNT_ID}/roles", methods=["POST"])
@secured(api, "manage_accounts", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(RoleIn)
@api.response(200, AccountOut)
def grant_role(body: dict[str, Any], account_id: str) -> Any:
    """Add a role over an organization (the account's sessions end)"""
    grantable([body])
    account_in_scope(account_id)
    return rpc("members", "grant_role", account_id, body)


@api.route(f"/accounts/{ACCOUNT_ID}/roles/<int(min=0, max=99):index>", methods=["DELETE"])
@secured(api, "manage_accounts", 404, 409)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, AccountOut)
def revoke_role(account_id: str, index: int) -> Any:
    """Remove the role at a position of account.roles (the last one stays; sessions end)"""
    account_in_scope(account_id)
    return rpc("members", "revoke_role", account_id, index)


@api.route(f"/accounts/{ACCOUNT_ID}/disable", methods=["POST"])
@secured(api, "manage_accounts", 404, 409)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, AccountOut)
def disable_account(account_id: str) -> Any:
    """Disable an account: its sessions end and it cannot sign in"""
    account_in_scope(account_id)
    return rpc("members", "disable_account", account_id)


@api.route(f"/accounts/{ACCOUNT_ID}/enable", methods=["POST"])
@secured(api, "manage_accounts", 404, 409)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, AccountOut)
def enable_account(account_id: str) -> Any:
    """Enable a disabled account (and lift a lockout)"""
    account_in_scope(account_id)
    return rpc("members", "enable_account", account_id)


@api.route(f"/accounts/{ACCOUNT_ID}/password-reset", methods=["POST"])
@secured(api, "manage_accounts", 404, 409)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, PasswordResetOut)
def reset_password(account_id: str) -> Any:
    """Set a one-time password (answered once; the holder must change it; sessions end)"""
    account_in_scope(account_id)
    password = new_password()
    account = rpc("members", "reset_password", account_id, password)
    return {"account": account, "one_time_password": password}


@api.route("/auth/attempts", methods=["GET"])
@secured(api, "list_sign_in_attempts", 404)
@api.arguments(AccountsQuery, location="query")
@api.response(200, AttemptsPage)
def list_sign_in_attempts(query: dict[str, Any]) -> Any:
    """Sign-in attempts on accounts within a subtree, newest first (paginated); county
    operators also see attempts on usernames nobody has"""
    return rpc("members", "list_sign_in_attempts", list_query(query))


# -- kiosks ----------------------------------------------------------------------------------


@api.route("/kiosks/pairing-codes", methods=["POST"])
@secured(api, "manage_kiosks", 404, 409, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(PairingCodeIn)
@api.response(201, PairingCodeOut)
def create_pairing_code(body: dict[str, Any]) -> Any:
    """A one-time code that pairs a kiosk with a place (typed on the kiosk; minutes, once)"""
    org_in_scope(body["org_id"])
    for tries_left in reversed(range(PAIRING_TRIES)):
        code = new_pairing_code()
        try:
            return {
                **rpc("members", "create_pairing_code", {**body, "code": code}),
                "code": code,
            }, 201
        except ApiError as error:
            if error.status != 409 or not tries_left:
                raise
    raise AssertionError("unreachable")


@api.route("/kiosks", methods=["GET"])
@secured(api, "manage_kiosks", 404)
@api.arguments(AccountsQuery, location="query")
@api.response(200, KiosksPage)
def list_kiosks(query: dict[str, Any]) -> Any:
    """The kiosks of an organization subtree, revoked ones included (paginated)"""
    return rpc("members", "list_kiosks", list_query(query))


@api.route(f"/kiosks/{DEVICE_ID}/revoke", methods=["POST"])
@secured(api, "manage_kiosks", 404)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, KioskStateOut)
def revoke_kiosk(device_id: str) -> Any:
    """Revoke a kiosk: its token is refused and it signs nobody in (within seconds); the record
    stays bound to its place"""
    within_scope(current_principal(), rpc("members", "get_kiosk", device_id)["org_path"])
    return rpc("members", "revoke_kiosk", device_id)
