"""Rules of one-time sign-in codes sent by SMS. No I/O: objects take plain values (code hashes,
never codes), check their rules and return their new state.

One record per phone number (its keyed hash): the times codes were asked for (the rate limits
per minute and per day, the same for numbers that belong to nobody, so that the answers do not
tell who is a member) and at most one live code (a new code replaces the old). A code lives
``minutes`` and allows ``tries`` attempts; the last wrong one kills it, a right one uses it up.
One record per client address too: one address asking for codes for many numbers costs texts
and finds out which numbers are members', so it may ask ``per_address`` times a window.
"""

from __future__ import annotations

import hmac
import ipaddress
import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from services.infra.errors import TooManyRequests
from services.infra.events import isoformat
from services.infra.i18n import _
from services.members.accounts.domain import Session, SessionRules
from services.members.domain import Member

ACTIVE_STATUSES = frozenset({"full", "probationary"})  # leaving or deceased members are not
MINUTE = 60
DAY = 24 * 60 * 60
# what the audit records of a code request and of a sign-in attempt
REQUEST_OUTCOMES = (
    "sent",
    "not_member",
    "ambiguous_phone",
    "rate_limited",
    "address_limited",
    "send_failed",
)
SIGN_IN_OUTCOMES = ("ok", "bad_code", "no_code", "inactive")


@dataclass(frozen=True)
class CodeRules:
    minutes: int = 5  # a code's lifetime
    tries: int = 5  # attempts a code allows; the last wrong one kills it
    per_minute: int = 1  # codes a number may ask for per minute ...
    per_day: int = 10  # ... and per 24 hours
    per_address: int = 20  # codes one client address may ask for (any numbers) ...
    address_minutes: int = 60  # ... per this many minutes

    @property
    def windows(self) -> tuple[tuple[int, int], ...]:
        return ((MINUTE, self.per_minute), (DAY, self.per_day))

    @property
    def address_window(self) -> tuple[int, int]:
        return (self.address_minutes * MINUTE, self.per_address)


def waiting(
    requests: tuple[datetime, ...], now: datetime, windows: Iterable[tuple[int, int]]
) -> int:
    """Seconds until another request fits every (window seconds, limit) (0: now)."""
    wait = 0.0
    for window, limit in windows:
        recent = [t for t in requests if (now - t).total_seconds() < window]
        if limit <= 0:
            wait = max(wait, window)
        elif len(recent) >= limit:
            wait = max(wait, (recent[-limit] - now).total_seconds() + window)
    return math.ceil(wait)


@dataclass(frozen=True)
class Code:
    code_id: str  # the SMS's idempotency key: a repeated send is not sent twice
    code_hash: str
    member_id: str
    created_at: datetime
    expires_at: datetime
    tries_left: int

    @classmethod
    def issue(
        cls, code_id: str, code_hash: str, member_id: str, now: datetime, rules: CodeRules
    ) -> Code:
        return cls(
            code_id, code_hash, member_id, now, now + timedelta(minutes=rules.minutes), rules.tries
        )

    def live(self, now: datetime) -> bool:
        return now < self.expires_at and self.tries_left > 0


@dataclass(frozen=True)
class PhoneCodes:
    """The codes of one phone number (by its keyed hash)."""

    phone_hash: str
    requests: tuple[datetime, ...] = ()  # the last day's, oldest first
    last_request_id: str | None = None
    code: Code | None = None
    version: int = 0  # the stored version this state was read at (optimistic concurrency)

    def retry_after(self, now: datetime, rules: CodeRules) -> int:
        """Seconds until another code may be asked for (0: now)."""
        return waiting(self.requests, now, rules.windows)

    @property
    def last_asked(self) -> datetime | None:
        """When a code was last asked for (what the record's retention counts from)."""
        return max((*self.requests, *([self.code.created_at] if self.code else [])), default=None)

    def requested(
        self, request_id: str, code: Code | None, now: datetime, rules: CodeRules
    ) -> PhoneCodes:
        """A code asked for: counted against the limits (TooManyRequests beyond them); ``code``
        (None when the number is no member's) replaces any earlier one."""
        wait = self.retry_after(now, rules)
        if wait:
            raise too_many_requests(wait, now)
        kept = tuple(t for t in self.requests if (now - t).total_seconds() < DAY)
        return replace(
            self,
            requests=(*kept, now)[-max(rules.per_day, 1) :],
            last_request_id=request_id,
            code=code,
        )

    def checked(self, presented_hash: str, now: datetime) -> tuple[PhoneCodes, str]:
        """A code typed in: (new state, outcome). ``ok`` uses the code up; ``bad_code`` counts a
        try (the last one kills the code); ``no_code``: no live code to compare with."""
        code = self.code
        if code is None or not code.live(now):
            return self, "no_code"
        if hmac.compare_digest(code.code_hash, presented_hash):
            return replace(self, code=None), "ok"
        tries_left = code.tries_left - 1
        return replace(self, code=replace(code, tries_left=tries_left) if tries_left else None), (
            "bad_code"
        )

    def without(self, code_id: str) -> PhoneCodes:
        """The code discarded (its text could not be sent)."""
        if self.code is None or self.code.code_id != code_id:
            return self
        return replace(self, code=None)


@dataclass(frozen=True)
class AddressRequests:
    """The code requests of one client address (its keyed hash) within the address window."""

    address_hash: str
    requests: tuple[datetime, ...] = ()  # oldest first
    last_request_id: str | None = None
    version: int = 0

    def requested(self, request_id: str, now: datetime, rules: CodeRules) -> AddressRequests:
        """One more request from the address (the same request again counts once);
        TooManyRequests beyond the limit, in words that do not depend on the number."""
        if request_id == self.last_request_id:
            return self
        window, limit = rules.address_window
        wait = waiting(self.requests, now, [rules.address_window])
        if wait:
            raise address_limited(wait, now)
        kept = tuple(t for t in self.requests if (now - t).total_seconds() < window)
        return replace(self, requests=(*kept, now)[-max(limit, 1) :], last_request_id=request_id)

    @property
    def last_asked(self) -> datetime | None:
        return self.requests[-1] if self.requests else None


def client_network(ip: str) -> str:
    """What the address limit counts: an IPv4 address, or an IPv6 address's /64 (one
    subscriber's whole range: their addresses are theirs to change at will)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def address_limited(seconds: int, now: datetime) -> TooManyRequests:
    message = _(
        "Too many codes were asked for from this network; try again in {minutes} minutes",
        minutes=math.ceil(seconds / MINUTE),
    )
    return _retry_later(message, seconds, now)


def too_many_requests(seconds: int, now: datetime) -> TooManyRequests:
    """When the number may ask again, in words: seconds, minutes or hours."""
    if seconds <= 2 * MINUTE:
        message = _(
            "Codes are asked for too often; try again in {seconds} seconds", seconds=seconds
        )
    elif seconds <= 2 * 60 * MINUTE:
        message = _(
            "Codes are asked for too often; try again in {minutes} minutes",
            minutes=math.ceil(seconds / MINUTE),
        )
    else:
        message = _(
            "Too many codes were asked for today; try again in {hours} hours",
            hours=math.ceil(seconds / (60 * MINUTE)),
        )
    return _retry_later(message, seconds, now)


def _retry_later(message: str, seconds: int, now: datetime) -> TooManyRequests:
    return TooManyRequests(
        message, retry_after_seconds=seconds, retry_at=isoformat(now + timedelta(seconds=seconds))
    )


def signable(candidates: list[Member]) -> tuple[Member | None, str]:
    """The member a phone number signs in as: the one active member with that number. A number
    shared by several active members signs in nobody (no guessing whose records to open)."""
    active = [m for m in candidates if m.status in ACTIVE_STATUSES]
    if not active:
        return None, "not_member"
    if len(active) > 1:
        return None, "ambiguous_phone"
    return active[0], "sent"


# -- member sessions -------------------------------------------------------------------------


def member_session_id(attempt_id: str) -> str:
    """A member's session is named after the sign-in attempt that started it (a repeated attempt
    finds it); the prefix tells member sessions from staff (``ss-``) and kiosk (``ks-``) ones."""
    return "ms-" + attempt_id


def member_session(
    session_id: str, member: Member, refresh_hash: str, now: datetime, rules: SessionRules
) -> Session:
    return Session(
        session_id=session_id,
        kind="member",
        subject=member.member_id,
        generation=0,
        active_index=0,
        refresh_hash=refresh_hash,
        used_hashes=(),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=rules.max_hours),
    )


@dataclass(frozen=True)
class SignInRecord:
    """One code request or sign-in attempt, as the audit keeps it (never the code)."""

    record_id: str
    kind: str  # code_request | sign_in
    phone_masked: str
    at: datetime
    ip: str | None
    outcome: str
    member_id: str | None = None
    org_path: str | None = None
