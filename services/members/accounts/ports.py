"""What the account handlers work over: the repositories of the unit of work, the password hasher
(a port, so unit tests use a cheap one), and the settings read once at start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from services.infra.errors import retrying as infra_retrying
from services.infra.i18n import _
from services.members.accounts.domain import (
    Account,
    Lockout,
    PairingCode,
    PasswordPolicy,
    Session,
    SessionRules,
    SignInAttempt,
)
from services.members.domain import Kiosk
from services.members.handlers import KioskRepository, UnitOfWork

T = TypeVar("T")


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...
    def verify(self, password_hash: str, password: str) -> bool: ...
    def needs_rehash(self, password_hash: str) -> bool: ...


class AccountRepository(Protocol):
    def get(self, account_id: str) -> Account | None: ...
    def by_username(self, username: str) -> Account | None: ...
    def add(self, account: Account) -> None:
        """Raises AlreadyStored when the username is taken."""

    def save(self, account: Account) -> Account:
        """Raises Stale when the stored account changed since it was read."""

    def under(
        self, scope: str, cursor: str | None, limit: int
    ) -> tuple[list[Account], str | None]: ...


class SessionRepository(Protocol):
    def get(self, session_id: str) -> Session | None: ...
    def add(self, session: Session) -> tuple[Session, bool]: ...
    def save(self, session: Session) -> Session:
        """Raises Stale when the stored session changed since it was read."""

    def purge(self, before: datetime) -> int:
        """Remove the sessions over (``Session.over_by``) before the UTC day of ``before``."""


class AttemptRepository(Protocol):
    def get(self, attempt_id: str) -> SignInAttempt | None: ...
    def add(self, attempt: SignInAttempt) -> tuple[SignInAttempt, bool]: ...
    def under(
        self, scope: str, unattributed: bool, cursor: str | None, limit: int
    ) -> tuple[list[SignInAttempt], str | None]:
        """Newest first; ``unattributed`` adds the attempts on usernames nobody has."""

    def purge(self, before: datetime) -> int:
        """Remove the attempts made before the UTC day of ``before``; how many."""


class PairingCodeRepository(Protocol):
    def get(self, code_hash: str) -> PairingCode | None: ...
    def put(self, code: PairingCode) -> None:
        """Store the code, replacing a used or expired one with the same hash."""

    def claim(self, code_hash: str, device_id: str, now: datetime) -> bool:
        """Mark an unused code used by ``device_id``; False when it was already used."""

    def purge(self, before: datetime) -> int:
        """Remove the codes that expired before the UTC day of ``before`` (used or not)."""


class KioskDirectory(KioskRepository, Protocol):
    def save(self, kiosk: Kiosk) -> None: ...
    def under(
        self, scope: str, cursor: str | None, limit: int
    ) -> tuple[list[Kiosk], str | None]: ...


class AccountsUnitOfWork(UnitOfWork, Protocol):
    @property
    def kiosks(self) -> KioskDirectory: ...

    @property
    def accounts(self) -> AccountRepository: ...

    @property
    def sessions(self) -> SessionRepository: ...

    @property
    def attempts(self) -> AttemptRepository: ...

    @property
    def pairing_codes(self) -> PairingCodeRepository: ...


@dataclass(frozen=True)
class AccountSettings:
    hasher: PasswordHasher
    keyed_hash: Callable[[str, str], str]  # HMAC with the deployment's key (short codes)
    dummy_hash: str  # verified against when no account has the username (same time taken)
    policy: PasswordPolicy = field(default_factory=PasswordPolicy)
    lockout: Lockout = field(default_factory=Lockout)
    sessions: SessionRules = field(default_factory=SessionRules)
    pairing_minutes: int = 15
    clock: Callable[[], datetime] = lambda: datetime.now().astimezone()


def retrying(attempt: Callable[[], T]) -> T:
    """``services.infra.errors.retrying`` with the accounts' message."""
    return infra_retrying(attempt, _("Too many concurrent changes to this account; try again"))
