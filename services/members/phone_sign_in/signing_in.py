"""Members sign in with their phone number and a one-time code sent by SMS; their sessions are
the accounts' sessions (kind ``member``, subject the member id). No nameko, no pymongo.

- Asking for a code answers the same whether or not the number is a member's: only for the one
  active member with that number is a code made and texted, but the limits count every number,
  and every request from the client's address (its network, for IPv6) whatever the number.
- The code is stored only as a keyed hash; the text goes out through notify with the code's id
  as its key (a repeated send is not sent twice). A text that could not be sent takes its code
  with it: the caller is told to try again later.
- Every code request and sign-in attempt is recorded with the number masked, never the code;
  a sign-in attempt is recorded under the id the caller gave it, so a repeated call answers as
  the first one did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from services.infra.errors import Conflict, TooManyRequests, Unavailable
from services.infra.i18n import _
from services.infra.pii import mask_phone
from services.infra.scope import Caller
from services.members.accounts.domain import Session, SessionRules, secret_hash
from services.members.accounts.errors import Stale, Unauthenticated
from services.members.accounts.signing_in import session_ended
from services.members.domain import Member
from services.members.phone_sign_in import commands
from services.members.phone_sign_in.domain import (
    ACTIVE_STATUSES,
    AddressRequests,
    Code,
    CodeRules,
    PhoneCodes,
    SignInRecord,
    client_network,
    member_session,
    member_session_id,
    signable,
)
from services.members.phone_sign_in.ports import (
    CodeSender,
    PhoneSignInSettings,
    PhoneSignInUnitOfWork,
    SmsNotSent,
)

T = TypeVar("T")
PHONE_FIELD = "phone"  # the members' look-up hash of their phone number
CODE_FIELD = "member_sign_in_code"
ADDRESS_FIELD = "client_address"
CONCURRENT_TRIES = 4


def wrong_code() -> Unauthenticated:
    """The one answer to a wrong, expired, used-up or never-sent code."""
    return Unauthenticated(_("The code is wrong or has expired"))


@dataclass(frozen=True)
class MemberSignedIn:
    """A member with a valid session: what the gateway issues tokens for."""

    member: Member
    session: Session

    @property
    def session_id(self) -> str:
        return self.session.session_id

    @property
    def active(self) -> dict[str, Any]:
        m = self.member
        return {"index": 0, "role": "member", "org_id": m.org_id, "scope": m.org_path}

    @property
    def account(self) -> dict[str, Any]:
        """The member seen as the staff's account (the same answer shape): the member id, the
        number and the name masked, the one role ``member`` over the member's organization."""
        m, signed_in_at = self.member, self.session.created_at
        return {
            "account_id": m.member_id,
            "username": m.phone_masked,
            "display_name": m.name_masked,
            "roles": [{"role": "member", "org_id": m.org_id, "scope": m.org_path}],
            "member_id": m.member_id,
            "org_path": m.org_path,
            "enabled": True,
            "must_change_password": False,
            "locked_until": None,
            "created_at": signed_in_at,
            "last_sign_in_at": signed_in_at,
        }

    must_change_password = False


def code_id_for(request_id: str) -> str:
    return "mc-" + request_id


def request_code(
    cmd: commands.RequestCode,
    uow: PhoneSignInUnitOfWork,
    caller: Caller,
    settings: PhoneSignInSettings,
    send: CodeSender,
) -> CodeRules:
    """Make and text a code when the number is an active member's; the answer (the rules: how
    long a code lives, how soon another may be asked for) is the same for every number."""
    now, rules = settings.clock(), settings.rules
    phone_hash = settings.keyed_hash(cmd.phone, PHONE_FIELD)
    code_id = code_id_for(cmd.request_id)
    made: dict[str, str] = {}  # the code, made once however often the write is retried

    def decide() -> tuple[str, Member | None]:
        record = uow.phone_codes.get(phone_hash) or PhoneCodes(phone_hash)
        if record.last_request_id == cmd.request_id:  # the same request again: done already
            return "repeated", None
        member, outcome = signable(uow.members.with_phone_hash(phone_hash))
        code = None
        if member is not None:
            plain = made.setdefault("code", settings.new_code())
            code_hash = settings.keyed_hash(f"{phone_hash}:{plain}", CODE_FIELD)
            code = Code.issue(code_id, code_hash, member.member_id, now, rules)
        uow.phone_codes.save(record.requested(cmd.request_id, code, now, rules))
        return outcome, member

    def audit(outcome: str, member: Member | None) -> None:
        _record(
            uow, "cr-" + cmd.request_id, "code_request", cmd.phone, caller, now, outcome, member
        )

    def within_limit(step: Callable[[], T], refused: str) -> T:
        try:
            return _decided(step)
        except TooManyRequests:
            audit(refused, None)
            raise

    if caller.ip:  # the gateway's client address; a call from within has none
        address_hash = settings.keyed_hash(client_network(caller.ip), ADDRESS_FIELD)
        count = partial(_count_address, uow, address_hash, cmd.request_id, now, rules)
        within_limit(count, "address_limited")
    outcome, member = within_limit(decide, "rate_limited")
    if outcome == "repeated":
        return rules
    if member is not None:
        try:
            send(code_id, cmd.phone, made["code"], rules.minutes)
        except SmsNotSent:
            _decided(lambda: _discard(uow, phone_hash, code_id))
            audit("send_failed", member)
            raise Unavailable(_("The text message could not be sent; try again later")) from None
    audit(outcome, member)
    return rules


def _count_address(
    uow: PhoneSignInUnitOfWork, address_hash: str, request_id: str, now: datetime, rules: CodeRules
) -> None:
    record = uow.code_addresses.get(address_hash) or AddressRequests(address_hash)
    counted = record.requested(request_id, now, rules)
    if counted != record:
        uow.code_addresses.save(counted)


def _discard(uow: PhoneSignInUnitOfWork, phone_hash: str, code_id: str) -> None:
    record = uow.phone_codes.get(phone_hash)
    if record is not None and record.without(code_id) != record:
        uow.phone_codes.save(record.without(code_id))


def sign_in(
    cmd: commands.SignInWithCode,
    uow: PhoneSignInUnitOfWork,
    caller: Caller,
    settings: PhoneSignInSettings,
    sessions: SessionRules,
) -> MemberSignedIn:
    now = settings.clock()
    earlier = uow.member_sign_ins.get(cmd.attempt_id)
    if earlier is not None:
        return _attempt_again(earlier, cmd, uow)
    phone_hash = settings.keyed_hash(cmd.phone, PHONE_FIELD)
    presented = settings.keyed_hash(f"{phone_hash}:{cmd.code}", CODE_FIELD)

    def judge() -> tuple[str, str | None]:
        record = uow.phone_codes.get(phone_hash)
        if record is None:
            return "no_code", None
        checked, outcome = record.checked(presented, now)
        if checked != record:
            uow.phone_codes.save(checked)
        return outcome, record.code.member_id if record.code else None

    outcome, member_id = _decided(judge)
    member = uow.members.get(member_id) if outcome == "ok" and member_id else None
    session = None
    if outcome == "ok":
        if member is None or member.status not in ACTIVE_STATUSES:
            outcome = "inactive"
        else:
            start = member_session(
                member_session_id(cmd.attempt_id),
                member,
                secret_hash(cmd.refresh_secret),
                now,
                sessions,
            )
            session, _created = uow.sessions.add(start)
    _record(uow, cmd.attempt_id, "sign_in", cmd.phone, caller, now, outcome, member)
    if member is None or session is None:
        raise wrong_code()
    return MemberSignedIn(member, session)


def _attempt_again(
    earlier: SignInRecord, cmd: commands.SignInWithCode, uow: PhoneSignInUnitOfWork
) -> MemberSignedIn:
    """A sign-in attempt seen before: the same answer (the session only to the one who holds its
    refresh token, that is the caller that made the attempt)."""
    if earlier.outcome != "ok" or earlier.member_id is None:
        raise wrong_code()
    member = uow.members.get(earlier.member_id)
    session = uow.sessions.get(member_session_id(earlier.record_id))
    if member is None or session is None or session.refresh_hash != secret_hash(cmd.refresh_secret):
        raise wrong_code()
    return MemberSignedIn(member, session)


def refresh(
    cmd: commands.RefreshMemberSession,
    uow: PhoneSignInUnitOfWork,
    caller: Caller,
    settings: PhoneSignInSettings,
    sessions: SessionRules,
) -> MemberSignedIn:
    """A new token pair for a member's session: the refresh token rotates; presenting a used one
    (a stolen copy) ends the session."""
    session_id, _dot, secret = cmd.refresh_token.partition(".")
    now = settings.clock()

    def rotate() -> MemberSignedIn:
        session = uow.sessions.get(session_id)
        member = uow.members.get(session.subject) if session and session.kind == "member" else None
        if session is None or member is None or member.status not in ACTIVE_STATUSES:
            raise session_ended()
        if session.ended(now, sessions, None):
            raise session_ended()
        after, outcome = session.refreshed(
            secret_hash(secret), secret_hash(cmd.refresh_secret), now
        )
        if outcome == "reused":  # a used token again: a copy is in other hands, end the session
            uow.sessions.save(after)
        if outcome in ("reused", "unknown"):
            raise session_ended()
        return MemberSignedIn(member, uow.sessions.save(after) if outcome == "rotated" else after)

    return _decided(rotate)


def get_me(session_id: str, uow: PhoneSignInUnitOfWork, caller: Caller) -> MemberSignedIn:
    """The signed-in member (the caller) and the session their token names."""
    session = uow.sessions.get(session_id)
    member = uow.members.get(caller.subject) if caller.role == "member" else None
    if member is None or session is None or session.subject != member.member_id:
        raise session_ended()
    if member.status not in ACTIVE_STATUSES:  # left (lifecycle/ also ends such sessions)
        raise session_ended()
    return MemberSignedIn(member, session)


def _record(
    uow: PhoneSignInUnitOfWork,
    record_id: str,
    kind: str,
    phone: str,
    caller: Caller,
    now: datetime,
    outcome: str,
    member: Member | None,
) -> None:
    uow.member_sign_ins.add(
        SignInRecord(
            record_id=record_id,
            kind=kind,
            phone_masked=mask_phone(phone),
            at=now,
            ip=caller.ip,
            outcome=outcome,
            member_id=member.member_id if member else None,
            org_path=member.org_path if member else None,
        )
    )


def _decided(step: Callable[[], T]) -> T:
    """Run a read-decide-write step again when its write met a concurrent change."""
    for attempt in range(CONCURRENT_TRIES):
        try:
            return step()
        except Stale:
            if attempt + 1 == CONCURRENT_TRIES:
                break
    raise Conflict(_("This phone number is busy with another request; try again"))
