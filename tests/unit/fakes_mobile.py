"""In-memory fakes of the mobile members' and lapse warnings' repositories, beside the lifecycle
world (tests/unit/fakes_lifecycle.py): a county hj, streets s1, s2, branches b1, b2 (s1), b3 (s2)."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.infra import paging
from services.infra.events import Event
from services.infra.scope import Caller, in_subtree
from services.members.domain import Org
from services.members.mobile.ports import MobileSettings, Warning
from tests.unit.fakes import _sorted_page
from tests.unit.fakes_lifecycle import NOW
from tests.unit.fakes_lifecycle import world as lifecycle_world

HOST3 = Caller("sec3", "branch_secretary", "/hj/s2/b3")  # the secretary of branch b3


TODAY = NOW.date()


def mobile_settings(today: date = TODAY, **overrides: Any) -> MobileSettings:
    moment = NOW.replace(year=today.year, month=today.month, day=today.day)
    return MobileSettings(clock=lambda: moment, **overrides)


class FakeMobile:
    def __init__(self, uow: Any) -> None:
        self.uow = uow
        self.reminded: dict[str, tuple[date, date]] = {}  # member -> the stay reminded of
        self.events: list[Event] = []

    def overdue_due(self, days: list[date], limit: int) -> list[Any]:
        return [
            m
            for m in self.uow.members.rows.values()
            if m.mobile is not None
            and m.mobile.until in days
            and self.reminded.get(m.member_id) != (m.mobile.since, m.mobile.until)
        ][:limit]

    def mark_overdue(self, member: Any, events: list[Event]) -> bool:
        stay = (member.mobile.since, member.mobile.until)
        if self.reminded.get(member.member_id) == stay:
            return False
        self.reminded[member.member_id] = stay
        self.events.extend(events)
        return True

    def away(self, org: Org, overdue_before: date | None, cursor: str | None, limit: int) -> Any:
        rows = [
            m
            for m in self.uow.members.rows.values()
            if m.mobile is not None
            and in_subtree(m.org_path, org.path)
            and (overdue_before is None or m.mobile.until < overdue_before)
        ]
        shown, position = _sorted_page(
            rows,
            ("until", "_id"),
            lambda m: (m.mobile.until.isoformat(), m.member_id),
            cursor,
            limit,
        )
        return shown, paging.encode(position)

    def hosted(self, org: Org, cursor: str | None, limit: int) -> Any:
        rows = [
            m
            for m in self.uow.members.rows.values()
            if m.mobile is not None
            and m.mobile.host_org_path is not None
            and in_subtree(m.mobile.host_org_path, org.path)
        ]
        shown, position = _sorted_page(rows, ("_id",), lambda m: (m.member_id,), cursor, limit)
        return shown, paging.encode(position)


class FakeLapse:
    def __init__(self, uow: Any) -> None:
        self.uow = uow
        self.rows: dict[str, dict[str, Any]] = {}
        self.events: list[Event] = []

    def inactive_since(
        self, months: list[str], after: str | None, limit: int
    ) -> list[dict[str, str]]:
        found = sorted(
            (m, row["last_active"])
            for m, row in self.uow.activity.rows.items()
            if row.get("last_active") in months and (after is None or m > after)
        )
        return [{"_id": m, "last_active": last} for m, last in found[:limit]]

    def warn(self, warning: Warning, events: list[Event]) -> bool:
        key = f"{warning.member_id}|{warning.last_active}"
        row = self.rows.setdefault(key, {"warning": warning, "thresholds": set()})
        if warning.threshold in row["thresholds"]:
            return False
        row["thresholds"].add(warning.threshold)
        if warning.threshold >= row["warning"].threshold:
            row["warning"] = warning
        self.events.extend(events)
        return True

    def current(self, org: Org, cursor: str | None, limit: int) -> Any:
        rows = [
            r["warning"] for r in self.rows.values() if in_subtree(r["warning"].org_path, org.path)
        ]
        shown, position = _sorted_page(
            rows, ("last_active", "_id"), lambda w: (w.last_active, w.member_id), cursor, limit
        )
        return shown, paging.encode(position)


def world() -> Any:
    """The lifecycle world with the mobile members' and lapse warnings' fakes."""
    uow = lifecycle_world()
    uow.mobile = FakeMobile(uow)
    uow.lapse = FakeLapse(uow)
    return uow
