"""What callers ask of accounts, sessions and kiosk pairing: one typed command per RPC.

Secrets that a repeated call must find again (the next refresh token, a one-time password, a
pairing code, the new device's id) are chosen by the caller (the gateway) and passed in; the
service stores only their hashes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SignIn:
    username: str
    password: str
    attempt_id: str
    refresh_secret: str


@dataclass(frozen=True)
class Refresh:
    refresh_token: str
    refresh_secret: str


@dataclass(frozen=True)
class ChangePassword:
    current_password: str
    new_password: str
    request_id: str
    refresh_secret: str
    session_id: str | None = None


@dataclass(frozen=True)
class SwitchRole:
    session_id: str
    index: int
    refresh_secret: str


@dataclass(frozen=True)
class RoleIn:
    role: str
    org_id: str


@dataclass(frozen=True)
class CreateAccount:
    username: str
    display_name: str
    password: str
    roles: list[RoleIn] = field(default_factory=list)
    member_id: str | None = None


@dataclass(frozen=True)
class ListQuery:
    org_id: str | None = None
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class CreatePairingCode:
    org_id: str
    place: str
    code: str


@dataclass(frozen=True)
class PairKiosk:
    code: str
    device_id: str
