"""In-memory fakes of the accounts part of the members unit of work, and a cheap password hasher
(the real one is argon2id: tens of milliseconds per hash)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from services.infra.errors import AlreadyStored
from services.infra.retention import day_of
from services.infra.scope import in_subtree
from services.members.accounts.domain import Account, PairingCode, Session, SignInAttempt
from services.members.accounts.errors import Stale
from services.members.domain import Kiosk
from tests.unit.fakes import FakeKiosks, FakeMembersUoW


class CheapHasher:
    """Salted SHA-256 stands in for argon2 in unit tests; counts its work."""

    def __init__(self, scheme: str = "v1") -> None:
        self.scheme = scheme
        self.hashed = 0
        self.verified = 0

    def hash(self, password: str) -> str:
        self.hashed += 1
        return f"{self.scheme}$" + hashlib.sha256(password.encode()).hexdigest()

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified += 1
        _scheme, _, digest = password_hash.partition("$")
        return digest == hashlib.sha256(password.encode()).hexdigest()

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith(self.scheme + "$")


class _Versioned:
    def __init__(self) -> None:
        self.rows: dict[str, Any] = {}
        self.stale_next = 0  # make the next N saves meet a concurrent change

    def _save(self, key: str, row: Any) -> Any:
        stored = self.rows.get(key)
        if self.stale_next or stored is None or stored.version != row.version:
            self.stale_next = max(0, self.stale_next - 1)
            raise Stale(key)
        self.rows[key] = replace(row, version=row.version + 1)
        return self.rows[key]


def purge_rows(
    rows: dict[str, Any], before: datetime, moment: Callable[[Any], datetime | None]
) -> int:
    """Remove the rows whose ``moment(row)`` lies before the UTC day of ``before`` (as the
    stores do, by whole days); how many."""
    cutoff = str(day_of(before))
    old = [k for k, row in rows.items() if (day_of(moment(row)) or cutoff) < cutoff]
    for key in old:
        del rows[key]
    return len(old)


def _page(rows: list[Any], cursor: str | None, limit: int) -> tuple[list[Any], str | None]:
    start = int(cursor or 0)
    more = len(rows) > start + limit
    return rows[start : start + limit], str(start + limit) if more else None


class FakeAccounts(_Versioned):
    def get(self, account_id: str) -> Account | None:
        return self.rows.get(account_id)

    def by_username(self, username: str) -> Account | None:
        return next((a for a in self.rows.values() if a.username == username), None)

    def add(self, account: Account) -> None:
        if self.by_username(account.username) or account.account_id in self.rows:
            raise AlreadyStored(account.username)
        self.rows[account.account_id] = replace(account, version=account.version + 1)

    def save(self, account: Account) -> Account:
        return self._save(account.account_id, account)  # type: ignore[no-any-return]

    def under(self, scope: str, cursor: str | None, limit: int) -> tuple[list[Account], str | None]:
        found = sorted(
            (a for a in self.rows.values() if in_subtree(a.org_path, scope) and a.org_path != "/")
            if scope.strip("/")
            else self.rows.values(),
            key=lambda a: a.username,
        )
        return _page(found, cursor, limit)


class FakeSessions(_Versioned):
    def get(self, session_id: str) -> Session | None:
        return self.rows.get(session_id)

    def add(self, session: Session) -> tuple[Session, bool]:
        if session.session_id in self.rows:
            return self.rows[session.session_id], False
        self.rows[session.session_id] = replace(session, version=session.version + 1)
        return self.rows[session.session_id], True

    def save(self, session: Session) -> Session:
        return self._save(session.session_id, session)  # type: ignore[no-any-return]

    def purge(self, before: datetime) -> int:
        return purge_rows(self.rows, before, lambda s: s.over_by)


class FakeAttempts:
    def __init__(self) -> None:
        self.rows: dict[str, SignInAttempt] = {}

    def get(self, attempt_id: str) -> SignInAttempt | None:
        return self.rows.get(attempt_id)

    def add(self, attempt: SignInAttempt) -> tuple[SignInAttempt, bool]:
        if attempt.attempt_id in self.rows:
            return self.rows[attempt.attempt_id], False
        self.rows[attempt.attempt_id] = attempt
        return attempt, True

    def under(
        self, scope: str, unattributed: bool, cursor: str | None, limit: int
    ) -> tuple[list[SignInAttempt], str | None]:
        def shown(a: SignInAttempt) -> bool:
            if a.org_path is None:
                return unattributed or not scope.strip("/")
            return in_subtree(a.org_path, scope)

        found = sorted((a for a in self.rows.values() if shown(a)), key=lambda a: a.at)
        return _page(found[::-1], cursor, limit)

    def purge(self, before: datetime) -> int:
        return purge_rows(self.rows, before, lambda a: a.at)


class FakePairingCodes:
    def __init__(self) -> None:
        self.rows: dict[str, PairingCode] = {}

    def get(self, code_hash: str) -> PairingCode | None:
        return self.rows.get(code_hash)

    def put(self, code: PairingCode) -> None:
        self.rows[code.code_hash] = code

    def claim(self, code_hash: str, device_id: str, now: datetime) -> bool:
        code = self.rows.get(code_hash)
        if code is None or code.used_at is not None:
            return False
        self.rows[code_hash] = replace(code, used_at=now, device_id=device_id)
        return True

    def purge(self, before: datetime) -> int:
        return purge_rows(self.rows, before, lambda c: c.expires_at)


class FakeKioskDirectory(FakeKiosks):
    def save(self, kiosk: Kiosk) -> None:
        self.rows[kiosk.device_id] = kiosk

    def under(self, scope: str, cursor: str | None, limit: int) -> tuple[list[Kiosk], str | None]:
        found = sorted(
            (k for k in self.rows.values() if in_subtree(k.org_path, scope)),
            key=lambda k: k.device_id,
        )
        return _page(found, cursor, limit)


class FakeAccountsUoW(FakeMembersUoW):
    def __init__(self) -> None:
        super().__init__()
        self.kiosks = FakeKioskDirectory()
        self.accounts = FakeAccounts()
        self.sessions = FakeSessions()
        self.attempts = FakeAttempts()
        self.pairing_codes = FakePairingCodes()
