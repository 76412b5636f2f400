"""Signed bearer tokens with a role and an organization scope (a subtree of the org tree)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

ROLES = (
    "county_operator",
    "org_admin",
    "branch_secretary",
    "grid_leader",
    "grid_worker",
    "community_worker",
    "member",
    "kiosk",
)
ALGORITHM = "HS256"
AUDIENCE = "dangjian"


@dataclass(frozen=True)
class Principal:
    subject: str
    role: str
    scope: str  # org path the principal may act on, with everything below it
    device: str | None = None

    def covers(self, org_path: str) -> bool:
        scope = self.scope.rstrip("/")
        return scope == "" or org_path == scope or org_path.startswith(scope + "/")


class InvalidToken(Exception):
    pass


def issue_token(
    secret: str,
    *,
    subject: str,
    role: str,
    scope: str,
    device: str | None = None,
    ttl_days: float = 30,
) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    now = int(time.time())
    claims = {
        "sub": subject,
        "role": role,
        "scope": scope,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + int(ttl_days * 86400),
    }
    if device:
        claims["device"] = device
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_token(secret: str, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["sub", "role", "scope", "exp"]},
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from None
    if claims["role"] not in ROLES:
        raise InvalidToken("unknown role")
    return Principal(claims["sub"], claims["role"], claims["scope"], claims.get("device"))
