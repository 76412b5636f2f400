"""What callers ask of the members service: one typed command per RPC."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class CreateOrg:
    org_id: str
    name: str
    kind: str
    parent_id: str | None = None
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RegisterMember:
    org_id: str
    name: str
    gender: str
    birth_date: date
    id_number: str
    phone: str
    join_date: date
    status: str = "full"
    card_uid: str | None = None
    skills: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ScheduleMeeting:
    org_id: str
    kind: str
    title: str
    starts_at: datetime
    meeting_id: str | None = None
    window_before_min: int | None = None
    window_after_min: int | None = None
    invited_org_ids: list[str] = field(default_factory=list)
    guest_member_ids: list[str] = field(default_factory=list)
    open_to_all: bool = False


@dataclass(frozen=True)
class EnrollKiosk:
    device_id: str
    org_id: str
    place: str


@dataclass(frozen=True)
class CheckIn:
    card_uid: str
    meeting_id: str
    swiped_at: datetime | None = None  # a swipe the kiosk queued while offline: when it was made


@dataclass(frozen=True)
class ReadPersonalData:
    member_id: str
    reason: str
