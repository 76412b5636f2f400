"""What the meetings-held handlers work over: the orglife records of the unit of work (the
members store mixes them in) and the settings read once at start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Protocol

from services.infra.events import Event
from services.infra.pii import PiiCipher
from services.members.domain import Meeting, Member
from services.members.handlers import CHINA, Page, UnitOfWork
from services.members.orglife.domain import Closing, LeaveRequest, Minutes, MonthRates, SheetRow


class OrgLifeRecords(Protocol):
    def leave(self, leave_id: str) -> LeaveRequest | None: ...
    def put_leave(self, request: LeaveRequest) -> None:
        """Store the request (a new one replaces a withdrawn or declined one of its key)."""

    def leave_of_meeting(self, meeting_id: str, cursor: str | None, limit: int) -> Page:
        """The meeting's requests, oldest first."""

    def pending_leave(self, org_path: str, cursor: str | None, limit: int) -> Page:
        """Pending requests for meetings in the subtree of ``org_path``, oldest first."""

    def approved_leave(self, meeting_id: str) -> set[str]:
        """The members with approved leave for the meeting."""

    def expected_members(self, meeting: Meeting) -> list[Member]:
        """Members (in the register) of the meeting's and invited subtrees, its guests and the
        mobile members hosted there (by index, never a scan of the register)."""

    def present_members(self, meeting_id: str) -> list[Member]:
        """The members signed in to the meeting."""

    def put_sheet(self, meeting_id: str, rows: list[SheetRow]) -> None:
        """The meeting's attendance sheet (replacing any earlier attempt's rows)."""

    def sheet(self, meeting_id: str, cursor: str | None, limit: int) -> Page: ...
    def close(self, closing: Closing, events: list[Event]) -> bool:
        """Mark the meeting closed with its counts and events in one write; False when it was
        closed already (the stored closing stands)."""

    def closing(self, meeting_id: str) -> Closing | None: ...
    def claim_rates(self, meeting_id: str) -> bool:
        """True for the one call that takes the rates' counting of the closing on itself."""

    def add_rates(self, closing: Closing) -> None:
        """Raise the month's rates of the meeting's organization and each one above it (one
        bulk write)."""

    def rates(self, org_ids: list[str], months: list[str]) -> dict[tuple[str, str], MonthRates]:
        """By (org_id, month), those with a closed meeting."""

    def minutes(self, meeting_id: str) -> Minutes | None: ...
    def put_minutes(self, minutes: Minutes, photos: dict[str, str]) -> None:
        """Store the minutes and the new photos' sealed contents (by photo id)."""

    def photo(self, photo_id: str) -> str | None:
        """A photo's sealed content."""


class OrgLifeUnitOfWork(UnitOfWork, Protocol):
    @property
    def orglife(self) -> OrgLifeRecords: ...


@dataclass(frozen=True)
class OrgLifeSettings:
    cipher: PiiCipher  # photos are stored encrypted, as roster files are
    clock: Callable[[], datetime] = lambda: datetime.now().astimezone()
    timezone: tzinfo = CHINA  # where a meeting's month is
    photo_max_bytes: int = 2**20
    photo_max_count: int = 9
    max_months: int = 24  # the longest range of months a rates read covers
