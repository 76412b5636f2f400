"""Signing in and the caller's own session: /auth/sign-in, /auth/refresh, /auth/sign-out,
/auth/password, /auth/me, /auth/switch, and a kiosk's pairing (/kiosk/pair).

The members service checks credentials and keeps the sessions; the gateway issues the tokens
(it holds TOKEN_SECRET): a short-lived access token naming the session, and a refresh token
``<session_id>.<secret>`` whose secret the gateway makes up and members stores as a hash.
Failed sign-ins and pairings are counted per client address (gateway/sessions.py) on top of
the per-account lockout that members applies.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app, request

from gateway.access import current_principal, current_token, failure_throttle, session_check
from gateway.auth import issue_token
from gateway.credentials import new_device_id, new_secret, request_id
from gateway.errors import ApiError
from gateway.http_schemas import (
    KioskPairedOut,
    MeOut,
    NoQuery,
    PairIn,
    PasswordIn,
    RefreshIn,
    SignInIn,
    SwitchIn,
    TokenPairOut,
)
from gateway.routing import anonymous_rpc, api, public, rpc
from gateway.smorest import BODY, secured
from services.infra.i18n import _

MEMBER_SESSION_PREFIX = "ms-"  # services/members/phone_sign_in: a member's session


def token_pair(signed: dict[str, Any], refresh_secret: str) -> dict[str, Any]:
    """The tokens for a session members has just vouched for (its active role)."""
    settings = current_app.config["SETTINGS"]
    active = signed["active"]
    access = issue_token(
        settings.token_secret,
        subject=signed["account"]["account_id"],
        role=active["role"],
        scope=active["scope"],
        ttl_seconds=settings.access_token_seconds,
        session_id=signed["session_id"],
        password_change_due=signed["must_change_password"],
    )
    return {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": settings.access_token_seconds,
        "refresh_token": f"{signed['session_id']}.{refresh_secret}",
        "must_change_password": signed["must_change_password"],
        "account": signed["account"],
        "active_role": active,
    }


@contextmanager
def counted_failures(kind: str, statuses: set[int]) -> Iterator[None]:
    """Refuse (429) an address with too many recent failures of ``kind``; count this one if it
    fails with one of ``statuses``."""
    throttle, key = failure_throttle(), f"{kind}:{request.remote_addr}"
    wait = throttle.retry_after(key)
    if wait is not None:
        raise ApiError(
            429,
            _(
                "Too many failed attempts from this address; try again in {seconds} seconds",
                seconds=wait,
            ),
            headers={"Retry-After": str(wait)},
        )
    try:
        yield
    except ApiError as error:
        if error.status in statuses:
            throttle.failed(key)
        raise


@api.route("/auth/sign-in", methods=["POST"])
@public(api, 423, 429, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(SignInIn)
@api.response(200, TokenPairOut)
def sign_in(body: dict[str, Any]) -> Any:
    """Sign in with a username and password (no token): an access token and a refresh token.
    Wrong password and unknown username get the same 401; 423 while the account is locked
    (``unlocks_at``, Retry-After); 403 for a disabled account."""
    refresh = new_secret()
    attempt = {**body, "attempt_id": request_id(), "refresh_secret": refresh}
    with counted_failures("sign-in", {401, 403, 423}):
        signed = anonymous_rpc("members", "sign_in", attempt)
    return token_pair(signed, refresh)


@api.route("/auth/refresh", methods=["POST"])
@public(api, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(RefreshIn)
@api.response(200, TokenPairOut)
def refresh(body: dict[str, Any]) -> Any:
    """A new token pair for the refresh token of the last one (no access token needed). Each
    refresh token is used once: using one again ends the session (401)."""
    following = new_secret()
    member = body["refresh_token"].startswith(MEMBER_SESSION_PREFIX)  # a member's (by SMS code)
    signed = anonymous_rpc(
        "members",
        "refresh_member_session" if member else "refresh_session",
        {"refresh_token": body["refresh_token"], "refresh_secret": following},
    )
    return token_pair(signed, following)


@api.route("/auth/sign-out", methods=["POST"])
@secured(api, "sign_out")
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(204, description="Signed out: the session and its refresh token are void")
def sign_out() -> Any:
    """End the caller's session (nothing to end for a token without one)"""
    session_id = current_token().session_id
    if session_id:
        rpc("members", "sign_out", session_id)
        session_check().forget(session_id)
    return "", 204


@api.route("/auth/me", methods=["GET"])
@secured(api, "read_me", 404)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.response(200, MeOut)
def me() -> Any:
    """The caller's account, each role with its organization's name, and the role the token
    carries (a member signed in by SMS code: the member as an account with the one role
    ``member``)"""
    if current_principal().role == "member" and current_token().session_id:
        signed = rpc("members", "get_member_me", current_token().session_id)
        return {**signed["account"], "active_role": signed["active"]}
    account: dict[str, Any] = rpc("members", "get_me")
    principal = current_principal()
    index = next(
        (
            i
            for i, role in enumerate(account["roles"])
            if (role["role"], role["scope"]) == (principal.role, principal.scope)
        ),
        None,
    )
    active = {
        "index": index,
        "role": principal.role,
        "org_id": account["roles"][index]["org_id"] if index is not None else None,
        "scope": principal.scope,
    }
    return {**account, "active_role": active}


@api.route("/auth/password", methods=["POST"])
@secured(api, "change_password", 404, 409, 423, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(PasswordIn)
@api.response(200, TokenPairOut)
def change_password(body: dict[str, Any]) -> Any:
    """Change the caller's password: every session of the account ends, a new pair is answered.
    Policy failures are 400 with the reasons per field."""
    following, session_id = new_secret(), current_token().session_id
    signed = rpc(
        "members",
        "change_password",
        {**body, "request_id": request_id(), "refresh_secret": following, "session_id": session_id},
    )
    if session_id:
        session_check().forget(session_id)
    return token_pair(signed, following)


@api.route("/auth/switch", methods=["POST"])
@secured(api, "switch_role", 404, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(SwitchIn)
@api.response(200, TokenPairOut)
def switch_role(body: dict[str, Any]) -> Any:
    """Make another of the account's roles the active one: a new pair carrying it"""
    session_id = current_token().session_id
    if not session_id:
        raise ApiError(403, _("Sign in with your username and password to switch roles"))
    following = new_secret()
    signed = rpc(
        "members",
        "switch_role",
        {"session_id": session_id, "index": body["index"], "refresh_secret": following},
    )
    return token_pair(signed, following)


@api.route("/kiosk/pair", methods=["POST"])
@public(api, 404, 409, 429, *BODY)
@api.arguments(NoQuery, location="query", as_kwargs=True)
@api.arguments(PairIn)
@api.response(201, KioskPairedOut)
def pair_kiosk(body: dict[str, Any]) -> Any:
    """Pair a kiosk with a one-time code from an administrator (no token): the device is
    enrolled at the code's place and gets its long-lived device token (revocable)"""
    device_id = new_device_id()
    with counted_failures("pair", {404}):
        paired = anonymous_rpc(
            "members", "pair_kiosk", {"code": body["code"], "device_id": device_id}
        )
    settings = current_app.config["SETTINGS"]
    token = issue_token(
        settings.token_secret,
        subject=device_id,
        role="kiosk",
        scope=paired["org_path"],
        device=device_id,
        ttl_days=settings.kiosk_token_days,
        session_id=paired["session_id"],
    )
    answer = {k: paired[k] for k in ("device_id", "org_id", "org_path", "place")}
    return {**answer, "token": token}, 201
