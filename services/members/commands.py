"""What callers ask of the members service: one typed command per RPC."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class CreateOrg:
    org_id: str
    name: str
    kind: str
    parent_id: str | None = None
    tags: list[str] = field(default_factory=list)
    ends_on: date | None = None  # a temporary or action branch's planned end


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
    # the optional profile (lifecycle/profile.py checks each as a profile change does)
    ethnicity: str = ""
    education: str = ""
    work_unit: str = ""
    duties: list[str] = field(default_factory=list)
    address: str = ""  # the home address in full: stored encrypted
    grid_id: str | None = None

    def profile(self) -> dict[str, Any]:
        """The profile fields given (those left empty are not set)."""
        given = {
            "ethnicity": self.ethnicity,
            "education": self.education,
            "work_unit": self.work_unit,
            "duties": self.duties,
            "address": self.address,
            "grid_id": self.grid_id,
        }
        return {name: value for name, value in given.items() if value}


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


# -- the console's reads ---------------------------------------------------------------------


@dataclass(frozen=True)
class ListOrgs:
    """The roots of the caller's scope (``org_id`` None), or an organization's children."""

    org_id: str | None = None
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class ListMembers:
    org_id: str
    q: str | None = None  # a name prefix
    card_uid: str | None = None
    subtree: bool = False
    status: str | None = None  # one status, or IN_REGISTER_FILTER for those in the register
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class ListMeetings:
    org_id: str
    since: datetime | None = None
    until: datetime | None = None
    newest_first: bool = True
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class ListMemberAttendance:
    member_id: str
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class FollowAttendance:
    """A meeting's sign-ins after ``after`` (a live list polls with the cursor it was given)."""

    meeting_id: str
    after: str | None = None
    limit: int = 100
