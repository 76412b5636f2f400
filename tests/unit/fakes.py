"""In-memory fakes of the services' units of work, for handler tests without a broker or store."""

from __future__ import annotations

from typing import Any

from services.infra.errors import AlreadyStored
from services.infra.events import Event
from services.members.domain import Attendance, Kiosk, Meeting, Member, Org


class _Keyed:
    def __init__(self) -> None:
        self.rows: dict[str, Any] = {}
        self.events: list[Event] = []

    def get(self, key: str) -> Any:
        return self.rows.get(key)

    def get_recent(self, key: str) -> Any:
        return self.rows.get(key)

    def _add(self, key: str, row: Any) -> tuple[Any, bool]:
        if key in self.rows:
            return self.rows[key], False
        self.rows[key] = row
        return row, True


class FakeOrgs(_Keyed):
    def add(self, org: Org) -> tuple[Org, bool]:
        return self._add(org.org_id, org)


class FakeMembers(_Keyed):
    def by_card(self, card_uid: str) -> Member | None:
        return next((m for m in self.rows.values() if m.card_uid == card_uid), None)

    def by_id_hash(self, id_hash: str) -> Member | None:
        return next((m for m in self.rows.values() if m.id_hash == id_hash), None)

    def add(self, member: Member, events: list[Event]) -> None:
        if self.by_id_hash(member.id_hash) or (member.card_uid and self.by_card(member.card_uid)):
            raise AlreadyStored(member.member_id)
        self.rows[member.member_id] = member
        self.events.extend(events)


class FakeMeetings(_Keyed):
    def add(self, meeting: Meeting) -> tuple[Meeting, bool]:
        return self._add(meeting.meeting_id, meeting)


class FakeAttendance(_Keyed):
    def add(self, attendance: Attendance, events: list[Event]) -> tuple[Attendance, bool]:
        stored, created = self._add(attendance.attendance_id, attendance)
        if created:
            self.events.extend(events)
        return stored, created


class FakeKiosks(_Keyed):
    def add(self, kiosk: Kiosk) -> tuple[Kiosk, bool]:
        return self._add(kiosk.device_id, kiosk)


class FakeAudit:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def record(self, entry: dict[str, Any]) -> None:
        self.entries.append(entry)


class FakeMembersUoW:
    def __init__(self) -> None:
        self.orgs = FakeOrgs()
        self.members = FakeMembers()
        self.meetings = FakeMeetings()
        self.attendance = FakeAttendance()
        self.kiosks = FakeKiosks()
        self.audit = FakeAudit()

    def events(self) -> list[Event]:
        return self.members.events + self.attendance.events
