"""The password hasher adapter: argon2id (argon2-cffi). Hashing is CPU work that would block an
eventlet service's hub (and every other worker: card sign-ins, heartbeats) for its duration, so
the service passes ``offload`` (eventlet's native thread pool); argon2-cffi releases the GIL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


def _inline(function: Callable[..., Any], *args: Any) -> Any:
    return function(*args)


class Argon2Passwords:
    def __init__(
        self,
        *,
        time_cost: int,
        memory_kib: int,
        parallelism: int,
        offload: Callable[..., Any] = _inline,
    ) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism
        )
        self._offload = offload

    def hash(self, password: str) -> str:
        return str(self._offload(self._hasher.hash, password))

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self._offload(self._hasher.verify, password_hash, password))
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return bool(self._hasher.check_needs_rehash(password_hash))
        except InvalidHashError:
            return True
