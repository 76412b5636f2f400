"""Errors that cross the RPC boundary. The gateway maps them to HTTP status codes by name.

nameko turns an exception raised in an RPC into a RemoteError carrying the class name
(``exc_type``) and the message; the gateway's error table keys on those names.
"""

import json
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class ServiceError(Exception):
    """Base for expected, user-caused failures (the caller can act on the message)."""

    def __init__(self, message: str, **details: object) -> None:
        # the JSON text survives nameko's serialization (only str(exc) crosses the wire)
        super().__init__(
            json.dumps({"message": message, **details}, ensure_ascii=False, default=str)
        )
        self.message = message
        self.details = details


class InvalidInput(ServiceError):
    pass


class NotFound(ServiceError):
    pass


class Conflict(ServiceError):
    pass


class Forbidden(ServiceError):
    pass


class Unavailable(ServiceError):
    """Something the service depends on (an SMS provider) is away; the same call may be retried."""


class TooManyRequests(ServiceError):
    """Asked too often (sign-in codes for one phone number): wait ``retry_after_seconds``."""


class AlreadyStored(Exception):
    """A unique index refused a write (raised by stores, handled by handlers)."""


class Stale(Exception):
    """The stored document changed since it was read (optimistic concurrency): read again."""


class PoisonMessage(Exception):
    """A message that can never be handled (malformed, wrong schema): dead-letter it at once."""


def retrying(attempt: Callable[[], T], conflict: str, tries: int = 4) -> T:
    """Run a read-decide-write step again when its write met a concurrent change (``Stale``);
    after ``tries``, a Conflict with the caller's (translated) ``conflict`` message."""
    for _try in range(tries - 1):
        try:
            return attempt()
        except Stale:
            continue
    try:
        return attempt()
    except Stale:
        raise Conflict(conflict) from None
