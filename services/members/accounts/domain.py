"""Rules of staff accounts, sessions, sign-in attempts and kiosk pairing codes. No I/O: objects
take plain values (password hashes, never passwords, except the policy that reads a new one),
check their rules and return their new state.

- An account holds one or more role assignments (a role over an organization's subtree); its
  ``org_path`` is the lowest organization above all of them, so "the account lies within a
  caller's scope" is one check and means every assignment does.
- Sessions carry the account's ``generation``: changing the password, the roles or disabling the
  account increments it, which ends every older session at once without touching them.
- Refresh tokens are ``<session_id>.<secret>``; a session stores the hash of the current secret
  and of the used ones, so presenting a used one (a stolen copy) ends the session.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from services.infra.errors import Conflict, Forbidden, InvalidInput, NotFound
from services.infra.i18n import _

MANAGERS = frozenset({"county_operator", "org_admin"})
# the secretary sets up the kiosk at the branch's own meeting place
KIOSK_KEEPERS = MANAGERS | {"branch_secretary"}
OUTCOMES = ("ok", "bad_password", "locked", "disabled", "unknown_user")
USED_HASHES_KEPT = 64  # refresh tokens remembered per session to recognise a reused one


def secret_hash(secret: str) -> str:
    """Hash of a high-entropy secret (refresh tokens): only the hash is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


def common_path(paths: Iterable[str]) -> str:
    """The lowest organization path above every one of ``paths`` ('/' when they share none)."""
    split = [[p for p in path.split("/") if p] for path in paths]
    if not split:
        return "/"
    shared: list[str] = []
    for parts in zip(*split, strict=False):
        if any(part != parts[0] for part in parts):
            break
        shared.append(parts[0])
    return "/" + "/".join(shared)


# -- passwords -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = 8
    max_length: int = 128
    min_classes: int = 3

    def check(self, password: str, field: str, current: str | None = None) -> None:
        """Refuse a password that breaks the policy, with the reasons under ``field``."""
        problems = []
        if len(password) < self.min_length:
            problems.append(_("Use at least {n} characters", n=self.min_length))
        if len(password) > self.max_length:
            problems.append(_("Use at most {n} characters", n=self.max_length))
        classes = [
            any("a" <= c <= "z" for c in password),
            any("A" <= c <= "Z" for c in password),
            any("0" <= c <= "9" for c in password),
            any(not ("a" <= c <= "z" or "A" <= c <= "Z" or "0" <= c <= "9") for c in password),
        ]
        if sum(classes) < self.min_classes:
            problems.append(
                _(
                    "Mix at least {n} of: lower-case letters, upper-case letters, digits, "
                    "other characters",
                    n=self.min_classes,
                )
            )
        if current is not None and password == current:
            problems.append(_("The new password must differ from the current one"))
        if problems:
            raise InvalidInput(
                _("The password does not meet the password policy"), fields={field: problems}
            )


@dataclass(frozen=True)
class Lockout:
    max_failures: int = 5
    minutes: int = 15


# -- accounts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """A role over an organization's subtree (``scope`` is the organization's path)."""

    role: str
    org_id: str
    scope: str


@dataclass(frozen=True)
class Account:
    account_id: str
    username: str
    display_name: str
    roles: tuple[Assignment, ...]
    member_id: str | None
    enabled: bool
    password_hash: str
    must_change_password: bool
    failed_attempts: int
    locked_until: datetime | None
    generation: int
    created_at: datetime
    last_sign_in_at: datetime | None = None
    version: int = 0  # the stored version this state was read at (optimistic concurrency)

    @property
    def org_path(self) -> str:
        return common_path(a.scope for a in self.roles)

    @classmethod
    def open(
        cls,
        *,
        username: str,
        display_name: str,
        roles: list[Assignment],
        member_id: str | None,
        password_hash: str,
        now: datetime,
    ) -> Account:
        """A new account: its password is a one-time one, to be changed at the first sign-in."""
        if not roles:
            raise InvalidInput(
                _("Some fields are missing or invalid"),
                fields={"roles": [_("An account needs at least one role")]},
            )
        unique = tuple(dict.fromkeys(roles))
        return cls(
            account_id="ac-" + uuid.uuid4().hex[:16],
            username=username,
            display_name=display_name,
            roles=unique,
            member_id=member_id,
            enabled=True,
            password_hash=password_hash,
            must_change_password=True,
            failed_attempts=0,
            locked_until=None,
            generation=1,
            created_at=now,
        )

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def assignment(self, index: int) -> Assignment:
        if not 0 <= index < len(self.roles):
            raise NotFound(_("This account has no role at that position"), index=index)
        return self.roles[index]

    def failed(self, now: datetime, lockout: Lockout) -> Account:
        """One more wrong password; the last one allowed locks the account for a while."""
        lock_expired = self.locked_until is not None and now >= self.locked_until
        failures = 1 if lock_expired else self.failed_attempts + 1
        if failures >= lockout.max_failures:
            return replace(
                self, failed_attempts=0, locked_until=now + timedelta(minutes=lockout.minutes)
            )
        return replace(self, failed_attempts=failures, locked_until=None)

    def signed_in(self, now: datetime, password_hash: str | None = None) -> Account:
        return replace(
            self,
            failed_attempts=0,
            locked_until=None,
            last_sign_in_at=now,
            password_hash=password_hash or self.password_hash,
        )

    def password_changed(self, password_hash: str) -> Account:
        """A new password chosen by its holder: every session of the account ends."""
        return replace(
            self,
            password_hash=password_hash,
            must_change_password=False,
            failed_attempts=0,
            locked_until=None,
            generation=self.generation + 1,
        )

    def password_reset(self, password_hash: str) -> Account:
        """A one-time password set by an operator: sessions end, the holder must change it."""
        return replace(
            self,
            password_hash=password_hash,
            must_change_password=True,
            failed_attempts=0,
            locked_until=None,
            generation=self.generation + 1,
        )

    def granted(self, assignment: Assignment) -> tuple[Account, bool]:
        if assignment in self.roles:
            return self, False
        roles = (*self.roles, assignment)
        return replace(self, roles=roles, generation=self.generation + 1), True

    def without_role(self, index: int) -> Account:
        self.assignment(index)
        if len(self.roles) == 1:
            raise Conflict(_("An account keeps at least one role; disable it instead"))
        roles = self.roles[:index] + self.roles[index + 1 :]
        return replace(self, roles=roles, generation=self.generation + 1)

    def disabled(self) -> Account:
        if not self.enabled:
            return self
        return replace(self, enabled=False, generation=self.generation + 1)

    def reenabled(self) -> Account:
        return replace(self, enabled=True, failed_attempts=0, locked_until=None)


def require_manager_of(account: Account, role: str, covers: bool) -> None:
    """Who may change an account: a manager whose scope holds every role of it; only a county
    operator changes an account that holds the county operator's role."""
    if not covers:
        raise Forbidden(_("This organization is outside your area of responsibility"))
    if role != "county_operator" and any(a.role == "county_operator" for a in account.roles):
        raise Forbidden(_("Only a county operator may change a county operator's account"))


def require_grantable(role: str, granted_by: str) -> None:
    if role == "county_operator" and granted_by != "county_operator":
        raise Forbidden(_("Only a county operator may grant the county operator's role"))


# -- sessions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionRules:
    idle_minutes: int = 30
    max_hours: int = 12
    touch_seconds: int = 60  # last activity is written at most this often


@dataclass(frozen=True)
class Session:
    """A signed-in account (kind ``staff``), a paired kiosk (kind ``kiosk``, no idle limit) or
    a member signed in by SMS code (kind ``member``, subject the member id: phone_sign_in)."""

    session_id: str
    kind: str
    subject: str
    generation: int
    active_index: int
    refresh_hash: str | None
    used_hashes: tuple[str, ...]
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None = None
    revoked_reason: str | None = None
    version: int = 0

    @classmethod
    def start(
        cls,
        session_id: str,
        account: Account,
        active_index: int,
        refresh_hash: str,
        now: datetime,
        rules: SessionRules,
    ) -> Session:
        account.assignment(active_index)
        return cls(
            session_id=session_id,
            kind="staff",
            subject=account.account_id,
            generation=account.generation,
            active_index=active_index,
            refresh_hash=refresh_hash,
            used_hashes=(),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=rules.max_hours),
        )

    @classmethod
    def for_kiosk(cls, device_id: str, now: datetime) -> Session:
        return cls(
            session_id=kiosk_session_id(device_id),
            kind="kiosk",
            subject=device_id,
            generation=0,
            active_index=0,
            refresh_hash=None,
            used_hashes=(),
            created_at=now,
            last_seen_at=now,
            expires_at=None,
        )

    def ended(self, now: datetime, rules: SessionRules, account: Account | None) -> str | None:
        """Why the session is over, or None while it is valid."""
        if self.revoked_at is not None:
            return self.revoked_reason or "revoked"
        if self.kind == "kiosk":
            return None
        if self.kind == "staff" and (account is None or not account.enabled):
            return "disabled"
        if self.kind == "staff" and account is not None and account.generation != self.generation:
            return "superseded"
        if self.expires_at is not None and now >= self.expires_at:
            return "expired"
        if now - self.last_seen_at >= timedelta(minutes=rules.idle_minutes):
            return "idle"
        return None

    @property
    def over_by(self) -> datetime | None:
        """When the session is over at the latest (what its retention counts from); None while
        nothing ends it (an unrevoked kiosk's)."""
        return max((m for m in (self.expires_at, self.revoked_at) if m is not None), default=None)

    def due_for_touch(self, now: datetime, rules: SessionRules) -> bool:
        return now - self.last_seen_at >= timedelta(seconds=rules.touch_seconds)

    def touched(self, now: datetime) -> Session:
        return replace(self, last_seen_at=now)

    def revoked(self, now: datetime, reason: str) -> Session:
        if self.revoked_at is not None:
            return self
        return replace(self, revoked_at=now, revoked_reason=reason)

    def refreshed(self, presented: str, following: str, now: datetime) -> tuple[Session, str]:
        """Rotate the refresh token: (new state, outcome). ``rotated``: the current token was
        presented; ``replayed``: the same rotation asked again (a redelivered call);
        ``reused``: an already used token was presented, so the session ends; ``unknown``:
        not a token of this session."""
        if presented == self.refresh_hash:
            return self._rotated(following, now), "rotated"
        if following == self.refresh_hash and self.used_hashes[-1:] == (presented,):
            return self, "replayed"
        if presented in self.used_hashes:
            return self.revoked(now, "refresh_reused"), "reused"
        return self, "unknown"

    def switched(self, index: int, following: str, now: datetime) -> Session:
        """Another role of the account becomes the active one (a new refresh token with it)."""
        if (self.active_index, self.refresh_hash) == (index, following):
            return self  # the same switch asked again
        return replace(self._rotated(following, now), active_index=index)

    def _rotated(self, following: str, now: datetime) -> Session:
        used = (*self.used_hashes, self.refresh_hash) if self.refresh_hash else self.used_hashes
        return replace(
            self,
            refresh_hash=following,
            used_hashes=used[-USED_HASHES_KEPT:],
            last_seen_at=now,
        )


def session_id_for(request_id: str) -> str:
    """The session a request creates is named after the request, so a repeated request finds it
    instead of starting another one."""
    return "ss-" + request_id


def kiosk_session_id(device_id: str) -> str:
    return "ks-" + device_id


# -- sign-in attempts ------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInAttempt:
    attempt_id: str
    username: str
    at: datetime
    ip: str | None
    outcome: str
    account_id: str | None
    org_path: str | None  # the account's; None when no account has that username


# -- kiosk pairing codes ---------------------------------------------------------------------


@dataclass(frozen=True)
class PairingCode:
    """A one-time code an operator gives to a kiosk of a place; stored only as a keyed hash."""

    code_hash: str
    org_id: str
    org_path: str
    place: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    device_id: str | None = None

    @classmethod
    def issue(
        cls,
        code_hash: str,
        *,
        org_id: str,
        org_path: str,
        place: str,
        created_by: str,
        now: datetime,
        minutes: int,
    ) -> PairingCode:
        return cls(
            code_hash, org_id, org_path, place, created_by, now, now + timedelta(minutes=minutes)
        )

    def live(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at

    def same_request(self, other: PairingCode) -> bool:
        return (self.org_id, self.place, self.created_by) == (
            other.org_id,
            other.place,
            other.created_by,
        )
