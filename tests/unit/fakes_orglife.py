"""In-memory fakes of the meetings-held records (leave, sheets, closings, rates, minutes) beside
the fake members unit of work, and a small world to run the orglife handlers in."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from services.infra import paging
from services.infra.events import Event, stamp
from services.infra.pii import PiiCipher
from services.infra.scope import in_subtree
from services.members.domain import IN_REGISTER, Meeting, Member, org_ids_on
from services.members.orglife.domain import (
    APPROVED,
    PENDING,
    Closing,
    LeaveRequest,
    Minutes,
    MonthRates,
    SheetRow,
)
from services.members.orglife.ports import OrgLifeSettings
from tests.unit.fakes import FakeMembersUoW, _sorted_page

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


class FakeOrgLife:
    def __init__(self, uow: FakeOrgLifeUoW) -> None:
        self.uow = uow
        self.leaves: dict[str, LeaveRequest] = {}
        self.sheets: dict[str, list[SheetRow]] = {}
        self.closings: dict[str, Closing] = {}
        self.rates_uncounted: set[str] = set()
        self.rate_rows: dict[tuple[str, str], MonthRates] = {}
        self.minutes_rows: dict[str, Minutes] = {}
        self.photos: dict[str, str] = {}
        self.events: list[Event] = []

    def leave(self, leave_id: str) -> LeaveRequest | None:
        return self.leaves.get(leave_id)

    def put_leave(self, request: LeaveRequest) -> None:
        self.leaves[request.leave_id] = request

    def _page(self, rows: list[LeaveRequest], cursor: str | None, limit: int) -> Any:
        order = ("requested_at", "_id"), lambda r: (stamp(r.requested_at), r.leave_id)
        shown, position = _sorted_page(rows, *order, cursor, limit)
        return shown, paging.encode(position)

    def leave_of_meeting(self, meeting_id: str, cursor: str | None, limit: int) -> Any:
        rows = [r for r in self.leaves.values() if r.meeting_id == meeting_id]
        return self._page(rows, cursor, limit)

    def pending_leave(self, org_path: str, cursor: str | None, limit: int) -> Any:
        rows = [
            r
            for r in self.leaves.values()
            if r.status == PENDING and in_subtree(r.meeting_org_path, org_path)
        ]
        return self._page(rows, cursor, limit)

    def approved_leave(self, meeting_id: str) -> set[str]:
        return {
            r.member_id
            for r in self.leaves.values()
            if r.meeting_id == meeting_id and r.status == APPROVED
        }

    def expected_members(self, meeting: Meeting) -> list[Member]:
        paths = (meeting.org_path, *meeting.invited_org_paths)
        found = []
        for m in self.uow.members.rows.values():
            host = m.mobile.host_org_path if m.mobile else None
            if m.status in IN_REGISTER and (
                any(in_subtree(m.org_path, p) for p in paths)
                or (host is not None and any(in_subtree(host, p) for p in paths))
                or m.member_id in meeting.guest_member_ids
            ):
                found.append(m)
        return found

    def present_members(self, meeting_id: str) -> list[Member]:
        ids = [a.member_id for a in self.uow.attendance.rows.values() if a.meeting_id == meeting_id]
        return [self.uow.members.rows[i] for i in ids if i in self.uow.members.rows]

    def put_sheet(self, meeting_id: str, rows: list[SheetRow]) -> None:
        self.sheets[meeting_id] = list(rows)

    def sheet(self, meeting_id: str, cursor: str | None, limit: int) -> Any:
        rows = self.sheets.get(meeting_id, [])
        key = ("member_id", "_id"), lambda r: (r.member_id, f"{meeting_id}:{r.member_id}")
        shown, position = _sorted_page(rows, *key, cursor, limit)
        return shown, paging.encode(position)

    def close(self, closing: Closing, events: list[Event]) -> bool:
        if closing.meeting_id in self.closings:
            return False
        self.closings[closing.meeting_id] = closing
        self.rates_uncounted.add(closing.meeting_id)
        meeting = self.uow.meetings.rows[closing.meeting_id]
        self.uow.meetings.rows[closing.meeting_id] = replace(meeting, closed_at=closing.closed_at)
        self.events.extend(events)
        return True

    def closing(self, meeting_id: str) -> Closing | None:
        return self.closings.get(meeting_id)

    def claim_rates(self, meeting_id: str) -> bool:
        if meeting_id in self.rates_uncounted:
            self.rates_uncounted.discard(meeting_id)
            return True
        return False

    def add_rates(self, closing: Closing) -> None:
        for org_id in org_ids_on(closing.org_path):
            was = self.rate_rows.get((org_id, closing.month), MonthRates(org_id, closing.month))
            self.rate_rows[(org_id, closing.month)] = replace(
                was,
                meetings=was.meetings + 1,
                expected=was.expected + closing.expected,
                excused=was.excused + closing.excused,
                present=was.present + closing.present,
            )

    def rates(self, org_ids: list[str], months: list[str]) -> dict[tuple[str, str], MonthRates]:
        return {k: v for k, v in self.rate_rows.items() if k[0] in org_ids and k[1] in months}

    def minutes(self, meeting_id: str) -> Minutes | None:
        return self.minutes_rows.get(meeting_id)

    def put_minutes(self, minutes: Minutes, photos: dict[str, str]) -> None:
        self.photos.update(photos)
        self.minutes_rows[minutes.meeting_id] = minutes

    def photo(self, photo_id: str) -> str | None:
        return self.photos.get(photo_id)


class FakeOrgLifeUoW(FakeMembersUoW):
    def __init__(self) -> None:
        super().__init__()
        self.orglife = FakeOrgLife(self)


class Clock:
    """A settable clock: tests move it past a meeting's start or window."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


def orglife_settings(clock: Any = lambda: NOW, **overrides: Any) -> OrgLifeSettings:
    key = base64.b64decode(base64.b64encode(b"k" * 32))
    return OrgLifeSettings(cipher=PiiCipher(key, b"h" * 32), clock=clock, **overrides)
