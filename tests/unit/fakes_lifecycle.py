"""In-memory fakes of the lifecycle part of the members unit of work (status history, cards,
refused swipes, phone sessions), and a small world to run the lifecycle handlers in."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from services.infra import paging
from services.infra.errors import Stale
from services.infra.events import Event, stamp
from services.infra.pii import PiiCipher
from services.infra.scope import Caller, in_subtree
from services.members import commands, handlers
from services.members.accounts.domain import Session
from services.members.domain import Member, Org
from services.members.idcard import make_id_number
from services.members.lifecycle.domain import StatusChange
from services.members.lifecycle.ports import LifecycleSettings
from tests.unit.fakes import FakeMembersUoW, _sorted_page

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
OPERATOR = Caller("op", "county_operator", "/hj")
STREET1 = Caller("s1", "org_admin", "/hj/s1")
SECRETARY1 = Caller("sec1", "branch_secretary", "/hj/s1/b1")
SECRETARY2 = Caller("sec2", "branch_secretary", "/hj/s2/b3")
READER1 = Caller("cw", "community_worker", "/hj/s1")
KIOSK1 = Caller("k1", "kiosk", "/hj/s1", device="k1")


def cipher() -> PiiCipher:
    key = base64.b64decode(base64.b64encode(b"k" * 32))
    return PiiCipher(key, b"h" * 32)


def lifecycle_settings(clock: Any = lambda: NOW, **overrides: Any) -> LifecycleSettings:
    return LifecycleSettings(cipher=cipher(), clock=clock, **overrides)


def members_settings(clock: Any = lambda: NOW) -> handlers.Settings:
    return handlers.Settings(cipher=cipher(), clock=clock)


class FakeLifecycle:
    """The lifecycle's records, beside the fake members (``members``: the FakeMembers)."""

    def __init__(self, uow: FakeLifecycleUoW) -> None:
        self.uow = uow
        self.last: dict[str, tuple[StatusChange, bool]] = {}  # member -> (change, uncounted)
        self.history: dict[str, StatusChange] = {}
        self.reminded: dict[str, date] = {}
        self.events: list[Event] = []

    def pending_change(self, member_id: str) -> StatusChange | None:
        found = self.last.get(member_id)
        return found[0] if found else None

    def save_change(self, member: Member, events: list[Event], change: StatusChange) -> Member:
        saved = self.uow.members.save(member, events)
        self.last[member.member_id] = (change, True)
        return saved

    def record_change(self, change: StatusChange) -> None:
        self.history.setdefault(change.change_id, change)

    def claim_change_count(self, member_id: str, change_id: str) -> bool:
        found = self.last.get(member_id)
        if found and found[0].change_id == change_id and found[1]:
            self.last[member_id] = (found[0], False)
            return True
        return False

    def status_history(self, member_id: str, cursor: str | None, limit: int) -> Any:
        rows = [c for c in self.history.values() if c.member_id == member_id]
        shown, position = _sorted_page(
            rows, ("at", "_id"), lambda c: (stamp(c.at), c.change_id), cursor, limit, True
        )
        return shown, paging.encode(position)

    def probation_due(
        self, org: Org, since: date, until: date, cursor: str | None, limit: int
    ) -> Any:
        rows = [
            m
            for m in self.uow.members.rows.values()
            if m.status == "probationary"
            and in_subtree(m.org_path, org.path)
            and m.probation_ends is not None
            and since <= m.probation_ends <= until
        ]
        shown, position = _sorted_page(
            rows,
            ("probation_ends", "_id"),
            lambda m: (m.probation_ends.isoformat(), m.member_id),
            cursor,
            limit,
        )
        return shown, paging.encode(position)

    def probation_reminders_due(self, days: list[date], limit: int) -> list[Member]:
        return [
            m
            for m in self.uow.members.rows.values()
            if m.status == "probationary"
            and m.probation_ends in days
            and self.reminded.get(m.member_id) != m.probation_ends
        ][:limit]

    def mark_reminded(self, member: Member, events: list[Event]) -> bool:
        if member.probation_ends is None or self.reminded.get(member.member_id) == (
            member.probation_ends
        ):
            return False
        self.reminded[member.member_id] = member.probation_ends
        self.events.extend(events)
        return True

    def search(self, org: Org, kind: str, key: str, cursor: str | None, limit: int) -> Any:
        def matches(m: Member) -> bool:
            if kind == "name":
                return m.name.startswith(key)
            return (m.card_uid if kind == "card" else m.id_hash) == key

        rows = [
            m
            for m in self.uow.members.rows.values()
            if in_subtree(m.org_path, org.path) and matches(m)
        ]
        card = self.uow.cards.get(key) if kind == "card" and not rows else None
        held = self.uow.members.get(card.member_id) if card else None
        if held is not None and in_subtree(held.org_path, org.path):
            rows = [held]
        if kind != "name":
            return rows[:1], None
        return self.uow.members.listed(org, True, key, cursor, limit)

    def member_sessions(self, member_id: str) -> list[Session]:
        return [
            s
            for s in self.uow.sessions.rows.values()
            if s.subject == member_id and s.kind == "member" and s.revoked_at is None
        ]


class FakeSessions:
    def __init__(self) -> None:
        self.rows: dict[str, Session] = {}

    def get(self, session_id: str) -> Session | None:
        return self.rows.get(session_id)

    def add(self, session: Session) -> tuple[Session, bool]:
        return self.rows.setdefault(session.session_id, session), True

    def save(self, session: Session) -> Session:
        stored = self.rows.get(session.session_id)
        if stored is None or stored.version != session.version:
            raise Stale(session.session_id)
        saved = replace(session, version=session.version + 1)
        self.rows[session.session_id] = saved
        return saved

    def purge(self, before: datetime) -> int:
        return 0


class FakeLifecycleUoW(FakeMembersUoW):
    def __init__(self) -> None:
        super().__init__()
        self.sessions = FakeSessions()
        self.lifecycle = FakeLifecycle(self)

    def events(self) -> list[Event]:
        return super().events() + self.lifecycle.events


def world() -> FakeLifecycleUoW:
    """A county hj with streets s1, s2 and branches b1, b2 (s1) and b3 (s2)."""
    uow = FakeLifecycleUoW()
    for org_id, parent in [
        ("hj", None),
        ("s1", "hj"),
        ("s2", "hj"),
        ("b1", "s1"),
        ("b2", "s1"),
        ("b3", "s2"),
    ]:
        handlers.create_org(
            commands.CreateOrg(org_id, org_id, "branch", parent_id=parent), uow, OPERATOR
        )
    return uow


def registered(
    uow: FakeLifecycleUoW,
    *,
    org_id: str = "b1",
    card: str | None = "A0000001",
    seq: int = 1,
    status: str = "full",
    join_date: date = date(2005, 7, 1),
    name: str = "张三丰",
    gender: str = "male",
) -> Member:
    birth = date(1980, 5, 6)
    cmd = commands.RegisterMember(
        org_id=org_id,
        name=name,
        gender=gender,
        birth_date=birth,
        id_number=make_id_number("410108", birth, seq, gender),
        phone="13800001234",
        join_date=join_date,
        status=status,
        card_uid=card,
    )
    member, _created = handlers.register_member(cmd, uow, OPERATOR, members_settings())
    return member
