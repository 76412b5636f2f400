"""Errors of signing in that cross the RPC boundary (the gateway maps them by class name: 401,
423), and the store's refusal of a write made from stale state."""

from services.infra.errors import ServiceError, Stale

__all__ = ["Locked", "Stale", "Unauthenticated"]


class Unauthenticated(ServiceError):
    """Wrong credentials, or a session or refresh token that is no longer valid (401)."""


class Locked(ServiceError):
    """Too many failed sign-ins: the account is locked for a while (423)."""
