"""What callers ask of meetings held: leave, closing, the sheet, minutes and rates."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestLeave:
    meeting_id: str
    member_id: str
    reason: str


@dataclass(frozen=True)
class DecideLeave:
    meeting_id: str
    member_id: str
    approve: bool
    reason: str | None = None


@dataclass(frozen=True)
class WithdrawLeave:
    meeting_id: str
    member_id: str


@dataclass(frozen=True)
class ListMeetingLeave:
    meeting_id: str
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class ListPendingLeave:
    org_id: str | None = None  # None: the caller's whole scope
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class CloseMeeting:
    meeting_id: str


@dataclass(frozen=True)
class GetSheet:
    meeting_id: str
    cursor: str | None = None
    limit: int = 100


@dataclass(frozen=True)
class PutMinutes:
    meeting_id: str
    topic: str
    content: str
    photos: list[bytes] = field(default_factory=list)


@dataclass(frozen=True)
class ReadPhoto:
    meeting_id: str
    photo_id: str


@dataclass(frozen=True)
class GetRates:
    org_id: str
    from_month: str
    to_month: str
    children: bool = False
    cursor: str | None = None  # of the children
    limit: int = 50
