"""What callers ask of mobile members (流动党员) and lapse warnings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class RegisterMobile:
    member_id: str
    place: str  # where the member is (free text, shown only to staff within scope)
    since: date
    until: date
    host_org_id: str | None = None  # where they take part; may be chosen later
    region: str | None = None  # the administrative division code (6 digits) of the place


@dataclass(frozen=True)
class ChangeHost:
    member_id: str
    host_org_id: str | None  # None: no host for now


@dataclass(frozen=True)
class EndMobile:
    """The member's return (回归): the stay ends."""

    member_id: str


@dataclass(frozen=True)
class ListMobile:
    org_id: str
    hosted: bool = False  # False: members of this subtree away; True: hosted in this subtree
    overdue: bool = False  # only stays past their end (home list)
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class ListMobileAttendance:
    member_id: str
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class ListLapseWarnings:
    org_id: str
    cursor: str | None = None
    limit: int = 50
