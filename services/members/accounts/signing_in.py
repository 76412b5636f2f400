"""Signing in and the life of a session: sign-in, refresh, sign-out, password change, role
switch, and the gateway's per-request check. No nameko, no pymongo.

Every sign-in attempt is recorded (never the password) under the id the caller gave it, so a
repeated call answers as the first one did instead of counting a failure twice or starting a
second session.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from services.infra.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from services.infra.events import isoformat
from services.infra.i18n import _
from services.infra.scope import Caller
from services.members.accounts import commands
from services.members.accounts.domain import (
    Account,
    Assignment,
    Session,
    SignInAttempt,
    secret_hash,
    session_id_for,
)
from services.members.accounts.errors import Locked, Stale, Unauthenticated
from services.members.accounts.ports import AccountSettings, AccountsUnitOfWork, retrying


def wrong_credentials() -> Unauthenticated:
    """The one answer to an unknown username and to a wrong password."""
    return Unauthenticated(_("Wrong username or password"))


def session_ended() -> Unauthenticated:
    return Unauthenticated(_("Your session has ended; sign in again"))


@dataclass(frozen=True)
class SignedIn:
    """An account with a valid session: what the gateway issues tokens for."""

    account: Account
    session: Session

    @property
    def session_id(self) -> str:
        return self.session.session_id

    @property
    def must_change_password(self) -> bool:
        return self.account.must_change_password

    @property
    def active(self) -> dict[str, Any]:
        index = self.session.active_index
        role = self.account.assignment(index)
        return {"index": index, "role": role.role, "org_id": role.org_id, "scope": role.scope}


def normalized(username: str) -> str:
    return username.strip().lower()


def sign_in(
    cmd: commands.SignIn, uow: AccountsUnitOfWork, caller: Caller, settings: AccountSettings
) -> SignedIn:
    now = settings.clock()
    earlier = uow.attempts.get(cmd.attempt_id)
    if earlier is not None:
        return _attempt_again(earlier, cmd, uow, settings)
    username = normalized(cmd.username)
    found = uow.accounts.by_username(username)
    if found is None:
        settings.hasher.verify(settings.dummy_hash, cmd.password)  # the same time as a real one
        _record(uow, cmd.attempt_id, username, caller, now, "unknown_user", None)
        raise wrong_credentials()
    verified: dict[str, bool] = {}  # hash -> result: a retried step does not verify again

    def judge() -> tuple[str, Account]:
        account = uow.accounts.get(found.account_id) or found
        outcome, changed = _judged(account, cmd.password, now, settings, verified)
        return outcome, account if changed == account else uow.accounts.save(changed)

    outcome, account = retrying(judge)
    session = None
    if outcome == "ok":
        start = Session.start(
            session_id_for(cmd.attempt_id),
            account,
            0,
            secret_hash(cmd.refresh_secret),
            now,
            settings.sessions,
        )
        session, _created = uow.sessions.add(start)
    _record(uow, cmd.attempt_id, username, caller, now, outcome, account)
    if session is None:
        raise _refusal(outcome, account, now)
    return SignedIn(account, session)


def _judged(
    account: Account,
    password: str,
    now: datetime,
    settings: AccountSettings,
    verified: dict[str, bool],
) -> tuple[str, Account]:
    if account.is_locked(now):
        return "locked", account
    if account.password_hash not in verified:
        verified[account.password_hash] = settings.hasher.verify(account.password_hash, password)
    if not verified[account.password_hash]:
        return "bad_password", account.failed(now, settings.lockout)
    if not account.enabled:
        return "disabled", account
    rehashed = None
    if settings.hasher.needs_rehash(account.password_hash):  # the hashing settings were raised
        rehashed = settings.hasher.hash(password)
    return "ok", account.signed_in(now, rehashed)


def _record(
    uow: AccountsUnitOfWork,
    attempt_id: str,
    username: str,
    caller: Caller,
    now: datetime,
    outcome: str,
    account: Account | None,
) -> None:
    uow.attempts.add(
        SignInAttempt(
            attempt_id=attempt_id,
            username=username[:64],
            at=now,
            ip=caller.ip,
            outcome=outcome,
            account_id=account.account_id if account else None,
            org_path=account.org_path if account else None,
        )
    )


def _refusal(outcome: str, account: Account | None, now: datetime) -> ServiceError:
    # the failure that locks says so at once (the next try would: nothing more is revealed)
    if outcome in ("locked", "bad_password") and account is not None and account.is_locked(now):
        return locked(account, now)
    if outcome == "disabled":
        return Forbidden(_("This account is disabled; ask your administrator"))
    return wrong_credentials()


def locked(account: Account, now: datetime) -> Locked:
    until = account.locked_until or now
    seconds = max(1, math.ceil((until - now).total_seconds()))
    return Locked(
        _(
            "Too many failed sign-ins: the account is locked; try again in {minutes} minutes",
            minutes=math.ceil(seconds / 60),
        ),
        unlocks_at=isoformat(until),
        retry_after_seconds=seconds,
    )


def _attempt_again(
    earlier: SignInAttempt,
    cmd: commands.SignIn,
    uow: AccountsUnitOfWork,
    settings: AccountSettings,
) -> SignedIn:
    """A sign-in attempt seen before: the same answer (a session only to the one who holds its
    refresh token, that is the caller that made the attempt)."""
    account = uow.accounts.get(earlier.account_id) if earlier.account_id else None
    if earlier.outcome != "ok":
        raise _refusal(earlier.outcome, account, settings.clock())
    session = uow.sessions.get(session_id_for(earlier.attempt_id))
    if (
        account is None
        or session is None
        or session.refresh_hash != secret_hash(cmd.refresh_secret)
    ):
        raise wrong_credentials()
    return SignedIn(account, session)


# -- sessions --------------------------------------------------------------------------------


def _valid_session(
    uow: AccountsUnitOfWork, session_id: str, settings: AccountSettings, now: datetime
) -> tuple[Session, Account]:
    session = uow.sessions.get(session_id)
    if session is None or session.kind != "staff":
        raise session_ended()
    account = uow.accounts.get(session.subject)
    if account is None or session.ended(now, settings.sessions, account):
        raise session_ended()
    return session, account


def refresh(
    cmd: commands.Refresh, uow: AccountsUnitOfWork, caller: Caller, settings: AccountSettings
) -> SignedIn:
    session_id, _dot, secret = cmd.refresh_token.partition(".")
    now = settings.clock()

    def rotate() -> SignedIn:
        session, account = _valid_session(uow, session_id, settings, now)
        rotated, outcome = session.refreshed(
            secret_hash(secret), secret_hash(cmd.refresh_secret), now
        )
        if outcome in ("unknown", "reused"):
            if outcome == "reused":  # a used token again: a copy is in other hands, end it
                uow.sessions.save(rotated)
            raise session_ended()
        if outcome == "rotated":
            rotated = uow.sessions.save(rotated)
        return SignedIn(account, rotated)

    return retrying(rotate)


def verify_session(
    session_id: str, uow: AccountsUnitOfWork, caller: Caller, settings: AccountSettings
) -> bool:
    """Whether the caller's session is still valid (the gateway asks on requests with a session
    token); records the activity that keeps it from timing out."""
    now = settings.clock()
    session = uow.sessions.get(session_id)
    if session is None or session.subject != caller.subject:
        return False
    account = uow.accounts.get(session.subject) if session.kind == "staff" else None
    if session.ended(now, settings.sessions, account):
        return False
    if session.due_for_touch(now, settings.sessions):
        with contextlib.suppress(Stale):  # touched by a concurrent call: as good
            uow.sessions.save(session.touched(now))
    return True


def sign_out(
    session_id: str, uow: AccountsUnitOfWork, caller: Caller, settings: AccountSettings
) -> None:
    now = settings.clock()

    def end() -> None:
        session = uow.sessions.get(session_id)
        if session is None or session.subject != caller.subject or session.revoked_at:
            return
        uow.sessions.save(session.revoked(now, "signed_out"))

    retrying(end)


def get_me(uow: AccountsUnitOfWork, caller: Caller) -> Account:
    account = uow.accounts.get(caller.subject)
    if account is None:
        raise NotFound(_("Unknown account"))
    return account


@dataclass(frozen=True)
class NamedAssignment(Assignment):
    """A role as its holder is shown it: with its organization's name."""

    org_name: str | None = None


def get_me_named(uow: AccountsUnitOfWork, caller: Caller) -> Account:
    """The caller's account, each role with its organization's name: the holder's own roles, so
    named whatever the scope of the active one (the console offers them to switch to)."""
    account = get_me(uow, caller)
    named = []
    for role in account.roles:
        org = uow.orgs.get(role.org_id)
        named.append(NamedAssignment(role.role, role.org_id, role.scope, org.name if org else None))
    return replace(account, roles=tuple(named))


def change_password(
    cmd: commands.ChangePassword,
    uow: AccountsUnitOfWork,
    caller: Caller,
    settings: AccountSettings,
) -> SignedIn:
    """A new password chosen by the account's holder: every session ends, a new one starts."""
    now = settings.clock()
    account = get_me(uow, caller)
    new_session_id = session_id_for(cmd.request_id)
    earlier = uow.sessions.get(new_session_id)
    if earlier is not None:  # the same change asked again
        if (earlier.subject, earlier.refresh_hash) != (
            account.account_id,
            secret_hash(cmd.refresh_secret),
        ):
            raise Conflict(_("This request was already made"))
        return SignedIn(account, earlier)
    verified: dict[str, bool] = {}

    def change() -> Account | None:
        current = get_me(uow, caller)
        if current.is_locked(now):
            raise locked(current, now)
        if current.password_hash not in verified:
            verified[current.password_hash] = settings.hasher.verify(
                current.password_hash, cmd.current_password
            )
        if not verified[current.password_hash]:
            uow.accounts.save(current.failed(now, settings.lockout))
            return None
        settings.policy.check(cmd.new_password, "new_password", current=cmd.current_password)
        return uow.accounts.save(current.password_changed(settings.hasher.hash(cmd.new_password)))

    changed = retrying(change)
    if changed is None:
        raise InvalidInput(
            _("Some fields are missing or invalid"),
            fields={"current_password": [_("The current password is wrong")]},
        )
    index = 0
    current_session = uow.sessions.get(cmd.session_id) if cmd.session_id else None
    if current_session is not None and current_session.subject == changed.account_id:
        index = min(current_session.active_index, len(changed.roles) - 1)
    start = Session.start(
        new_session_id, changed, index, secret_hash(cmd.refresh_secret), now, settings.sessions
    )
    session, _created = uow.sessions.add(start)
    return SignedIn(changed, session)


def switch_role(
    cmd: commands.SwitchRole, uow: AccountsUnitOfWork, caller: Caller, settings: AccountSettings
) -> SignedIn:
    """Another role of the account becomes the active one in the caller's session."""
    now = settings.clock()

    def switch() -> SignedIn:
        session, account = _valid_session(uow, cmd.session_id, settings, now)
        if session.subject != caller.subject:
            raise session_ended()
        account.assignment(cmd.index)
        switched = session.switched(cmd.index, secret_hash(cmd.refresh_secret), now)
        if switched != session:
            switched = uow.sessions.save(switched)
        return SignedIn(account, switched)

    return retrying(switch)
