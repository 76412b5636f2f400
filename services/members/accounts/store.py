"""The repositories of accounts, sessions, sign-in attempts and pairing codes over the members
database. Documents map to the domain objects here; pymongo errors stop here.

Accounts and sessions are written whole, guarded by a version (a write from stale state is
refused with ``Stale`` and the handler reads again); pairing codes are claimed with one
conditional update, so a code pairs one device only. Sessions, attempts and pairing codes are
purged by day (services/infra/retention.py).
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import datetime
from typing import Any, ClassVar

from services.infra import paging
from services.infra.events import stamp
from services.infra.repository import insert, insert_once, page
from services.infra.retention import PURGE_DAY, PURGE_INDEX, day_of, purge_before
from services.infra.scope import ancestors
from services.members.accounts.domain import (
    Account,
    Assignment,
    PairingCode,
    Session,
    SignInAttempt,
)
from services.members.accounts.errors import Stale

BY_USERNAME = [("username", 1), ("_id", 1)]
NEWEST_FIRST = [("at", -1), ("_id", -1)]
UNATTRIBUTED = "-"  # the "ancestors" of an attempt on a username nobody has
SESSION_OVER_BY = ("expires_at", "revoked_at")  # Session.over_by: what its purge_day is of


def _stamp(moment: datetime | None) -> str | None:
    return stamp(moment) if moment is not None else None


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _subtree(scope: str) -> dict[str, Any]:
    return {"ancestors": scope} if scope.strip("/") else {}


def replace_version(collection: Any, doc: dict[str, Any], read_version: int) -> None:
    """Write ``doc`` over the stored one if that is still the version it was read at."""
    result = collection.replace_one({"_id": doc["_id"], "version": read_version}, doc)
    if result.matched_count != 1:
        raise Stale(doc["_id"])


class Accounts:
    def __init__(self, db: Any) -> None:
        self.c = db.accounts

    def get(self, account_id: str) -> Account | None:
        return _account(self.c.find_one({"_id": account_id}))

    def by_username(self, username: str) -> Account | None:
        return _account(self.c.find_one({"username": username}))

    def add(self, account: Account) -> None:
        insert(self.c, _account_doc(account))

    def save(self, account: Account) -> Account:
        replace_version(self.c, _account_doc(account), account.version)
        return replace(account, version=account.version + 1)

    def move_scopes(self, old_path: str, new_path: str) -> int:
        """After an organization moved (services/members/tree/): each role over ``old_path``
        now lies over ``new_path``, and the account under the organization that follows (index
        roles.scope); a repeat finds nothing left at ``old_path``."""
        moved = 0
        for doc in self.c.find({"roles.scope": old_path}):
            account = _account(doc)
            if account is None:
                continue
            roles = tuple(
                replace(r, scope=new_path) if r.scope == old_path else r for r in account.roles
            )
            self.save(replace(account, roles=roles))
            moved += 1
        return moved

    def under(self, scope: str, cursor: str | None, limit: int) -> tuple[list[Account], str | None]:
        after = paging.decode(cursor, tuple(k for k, _ in BY_USERNAME))
        rows, position = page(self.c, _subtree(scope), BY_USERNAME, after, limit)
        return [a for a in map(_account, rows) if a is not None], paging.encode(position)


def _account_doc(account: Account) -> dict[str, Any]:
    return {
        "_id": account.account_id,
        "username": account.username,
        "display_name": account.display_name,
        "roles": [asdict(role) for role in account.roles],
        "member_id": account.member_id,
        "enabled": account.enabled,
        "password_hash": account.password_hash,
        "must_change_password": account.must_change_password,
        "failed_attempts": account.failed_attempts,
        "locked_until": _stamp(account.locked_until),
        "generation": account.generation,
        "created_at": stamp(account.created_at),
        "last_sign_in_at": _stamp(account.last_sign_in_at),
        "org_path": account.org_path,
        "ancestors": ancestors(account.org_path),
        "version": account.version + 1,
    }


def _account(doc: dict[str, Any] | None) -> Account | None:
    if doc is None:
        return None
    return Account(
        account_id=doc["_id"],
        username=doc["username"],
        display_name=doc["display_name"],
        roles=tuple(Assignment(**role) for role in doc["roles"]),
        member_id=doc.get("member_id"),
        enabled=bool(doc["enabled"]),
        password_hash=doc["password_hash"],
        must_change_password=bool(doc["must_change_password"]),
        failed_attempts=int(doc["failed_attempts"]),
        locked_until=_moment(doc.get("locked_until")),
        generation=int(doc["generation"]),
        created_at=datetime.fromisoformat(doc["created_at"]),
        last_sign_in_at=_moment(doc.get("last_sign_in_at")),
        version=int(doc["version"]),
    )


class Sessions:
    def __init__(self, db: Any) -> None:
        self.c = db.sessions

    def get(self, session_id: str) -> Session | None:
        return _session(self.c.find_one({"_id": session_id}))

    def add(self, session: Session) -> tuple[Session, bool]:
        stored, created = insert_once(self.c, _session_doc(session))
        return _session(stored) or session, created

    def save(self, session: Session) -> Session:
        replace_version(self.c, _session_doc(session), session.version)
        return replace(session, version=session.version + 1)

    def purge(self, before: datetime) -> int:
        return purge_before(self.c, SESSION_OVER_BY, before)


def _session_doc(session: Session) -> dict[str, Any]:
    return {
        "_id": session.session_id,
        "kind": session.kind,
        "subject": session.subject,
        "generation": session.generation,
        "active_index": session.active_index,
        "refresh_hash": session.refresh_hash,
        "used_hashes": list(session.used_hashes),
        "created_at": stamp(session.created_at),
        "last_seen_at": stamp(session.last_seen_at),
        "expires_at": _stamp(session.expires_at),
        "revoked_at": _stamp(session.revoked_at),
        "revoked_reason": session.revoked_reason,
        PURGE_DAY: day_of(session.over_by),
        "version": session.version + 1,
    }


def _session(doc: dict[str, Any] | None) -> Session | None:
    if doc is None:
        return None
    return Session(
        session_id=doc["_id"],
        kind=doc["kind"],
        subject=doc["subject"],
        generation=int(doc["generation"]),
        active_index=int(doc["active_index"]),
        refresh_hash=doc.get("refresh_hash"),
        used_hashes=tuple(doc.get("used_hashes", ())),
        created_at=datetime.fromisoformat(doc["created_at"]),
        last_seen_at=datetime.fromisoformat(doc["last_seen_at"]),
        expires_at=_moment(doc.get("expires_at")),
        revoked_at=_moment(doc.get("revoked_at")),
        revoked_reason=doc.get("revoked_reason"),
        version=int(doc["version"]),
    )


class Attempts:
    def __init__(self, db: Any) -> None:
        self.c = db.sign_in_attempts

    def get(self, attempt_id: str) -> SignInAttempt | None:
        return _attempt(self.c.find_one({"_id": attempt_id}))

    def add(self, attempt: SignInAttempt) -> tuple[SignInAttempt, bool]:
        doc = {
            "_id": attempt.attempt_id,
            "username": attempt.username,
            "at": stamp(attempt.at),
            "ip": attempt.ip,
            "outcome": attempt.outcome,
            "account_id": attempt.account_id,
            "org_path": attempt.org_path,
            "ancestors": ancestors(attempt.org_path) if attempt.org_path else [UNATTRIBUTED],
            PURGE_DAY: day_of(attempt.at),
        }
        stored, created = insert_once(self.c, doc)
        return _attempt(stored) or attempt, created

    def purge(self, before: datetime) -> int:
        return purge_before(self.c, ("at",), before)

    def under(
        self, scope: str, unattributed: bool, cursor: str | None, limit: int
    ) -> tuple[list[SignInAttempt], str | None]:
        after = paging.decode(cursor, tuple(k for k, _ in NEWEST_FIRST))
        query = _subtree(scope)
        if query and unattributed:
            query = {"ancestors": {"$in": [scope, UNATTRIBUTED]}}
        rows, position = page(self.c, query, NEWEST_FIRST, after, limit)
        return [a for a in map(_attempt, rows) if a is not None], paging.encode(position)


def _attempt(doc: dict[str, Any] | None) -> SignInAttempt | None:
    if doc is None:
        return None
    return SignInAttempt(
        attempt_id=doc["_id"],
        username=doc["username"],
        at=datetime.fromisoformat(doc["at"]),
        ip=doc.get("ip"),
        outcome=doc["outcome"],
        account_id=doc.get("account_id"),
        org_path=doc.get("org_path"),
    )


class PairingCodes:
    def __init__(self, db: Any) -> None:
        self.c = db.pairing_codes

    def get(self, code_hash: str) -> PairingCode | None:
        doc = self.c.find_one({"_id": code_hash})
        if doc is None:
            return None
        return PairingCode(
            code_hash=doc["_id"],
            org_id=doc["org_id"],
            org_path=doc["org_path"],
            place=doc["place"],
            created_by=doc["created_by"],
            created_at=datetime.fromisoformat(doc["created_at"]),
            expires_at=datetime.fromisoformat(doc["expires_at"]),
            used_at=_moment(doc.get("used_at")),
            device_id=doc.get("device_id"),
        )

    def put(self, code: PairingCode) -> None:
        doc = {
            **asdict(code),
            "created_at": stamp(code.created_at),
            "expires_at": stamp(code.expires_at),
            "used_at": _stamp(code.used_at),
            PURGE_DAY: day_of(code.expires_at),  # used or not, dead by then
        }
        doc["_id"] = doc.pop("code_hash")
        self.c.replace_one({"_id": doc["_id"]}, doc, upsert=True)

    def claim(self, code_hash: str, device_id: str, now: datetime) -> bool:
        result = self.c.update_one(
            {"_id": code_hash, "used_at": None},
            {"$set": {"used_at": stamp(now), "device_id": device_id}},
        )
        return bool(result.modified_count == 1)

    def purge(self, before: datetime) -> int:
        return purge_before(self.c, ("expires_at",), before)


class AccountsStore:
    """The accounts part of the members unit of work (MembersStore mixes it in)."""

    INDEXES: ClassVar[dict[str, list[Any]]] = {
        "accounts": [
            ([("username", 1)], {"unique": True}),
            ([("ancestors", 1), ("username", 1), ("_id", 1)], {}),
            ([("roles.scope", 1)], {}),  # a moved organization's roles (move_scopes)
        ],
        "sessions": [([("subject", 1)], {}), PURGE_INDEX],
        "sign_in_attempts": [
            ([("ancestors", 1), ("at", -1), ("_id", -1)], {}),
            ([("at", -1), ("_id", -1)], {}),
            PURGE_INDEX,
        ],
        "pairing_codes": [PURGE_INDEX],
    }

    def __init__(self, db: Any) -> None:
        self.accounts = Accounts(db)
        self.sessions = Sessions(db)
        self.attempts = Attempts(db)
        self.pairing_codes = PairingCodes(db)
