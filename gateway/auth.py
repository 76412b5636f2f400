"""Signed bearer tokens with a role and an organization scope (a subtree of the org tree).

Tokens issued at sign-in (and to paired kiosks) also name their session (``sid``): the gateway
asks the members service whether that session is still valid (gateway/sessions.py), so a
sign-out, a password change or a revoked kiosk is noticed within seconds. While an account's
password change is due, its tokens carry ``pwc``. Tokens without ``sid`` (operator tools, tests,
kiosks enrolled by an operator) are valid until they expire.

A token is only as good as its claims: they are loaded through a schema, so a correctly signed
token with a malformed claim (an unknown role, a scope that is not an org path, a kiosk without
its device) is refused like a forged one (401), never a 500.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import jwt
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from services.infra.schemas import shared
from services.infra.scope import ROLES, Caller

ALGORITHM = "HS256"
AUDIENCE = "dangjian"
SCOPE_PATTERN = r"^(/|(/[a-z0-9][a-z0-9-]{0,63})+)$"
SESSION_PATTERN = r"^[a-z]{2}-[A-Za-z0-9-]{3,100}$"


class Claims(Schema):
    """The claims a token must carry. Registered claims PyJWT checks (aud, nbf) are excluded."""

    class Meta:
        unknown = EXCLUDE

    sub = fields.String(required=True, validate=validate.Length(1, 128))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    scope = fields.String(required=True, validate=validate.Regexp(SCOPE_PATTERN))
    device = fields.String(load_default=None, validate=validate.Regexp(r"^[A-Za-z0-9-]{3,64}$"))
    sid = fields.String(load_default=None, validate=validate.Regexp(SESSION_PATTERN))
    pwc = fields.Boolean(load_default=False)
    exp = fields.Integer(required=True, strict=True)
    iat = fields.Integer(required=True, strict=True)

    @validates_schema
    def _device_iff_kiosk(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("role") == "kiosk") != (data.get("device") is not None):
            raise ValidationError("a kiosk token names its device; no other token does", "device")


# The verified caller: the same object the services build from the RPC context data.
Principal = Caller


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class Token:
    """A verified token: who is calling, and the session it belongs to (if any)."""

    principal: Principal
    session_id: str | None = None
    password_change_due: bool = False


def issue_token(
    secret: str,
    *,
    subject: str,
    role: str,
    scope: str,
    device: str | None = None,
    ttl_days: float = 30,
    ttl_seconds: int | None = None,
    session_id: str | None = None,
    password_change_due: bool = False,
) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "role": role,
        "scope": scope,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + (ttl_seconds if ttl_seconds is not None else int(ttl_days * 86400)),
    }
    if device:
        claims["device"] = device
    if session_id:
        claims["sid"] = session_id
    if password_change_due:
        claims["pwc"] = True
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_token(secret: str, token: str) -> Token:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["sub", "role", "scope", "exp", "iat"]},
        )
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise InvalidToken(str(error)) from None
    try:
        loaded = shared(Claims).load(claims)
    except ValidationError as error:
        raise InvalidToken(str(error.messages)) from None
    principal = Principal(loaded["sub"], loaded["role"], loaded["scope"], loaded["device"])
    return Token(principal, loaded["sid"], loaded["pwc"])


def verify_token(secret: str, token: str) -> Principal:
    return read_token(secret, token).principal
