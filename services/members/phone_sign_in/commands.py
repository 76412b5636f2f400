"""What a phone asks for: a sign-in code, a sign-in with it, a fresh token pair.

The ids and secrets a repeated call must find again (the request id, the attempt id, the next
refresh token) are chosen by the caller (the gateway) and passed in; the service stores only
hashes of the secrets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RequestCode:
    phone: str
    request_id: str


@dataclass(frozen=True)
class SignInWithCode:
    phone: str
    code: str
    attempt_id: str
    refresh_secret: str


@dataclass(frozen=True)
class RefreshMemberSession:
    refresh_token: str
    refresh_secret: str
