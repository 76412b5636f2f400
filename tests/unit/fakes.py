"""In-memory fakes of the services' units of work, for handler tests without a broker or store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from services.infra import paging
from services.infra.errors import AlreadyStored, Stale
from services.infra.events import Event, stamp
from services.infra.scope import in_subtree
from services.members.domain import (
    IN_REGISTER,
    Attendance,
    Kiosk,
    Meeting,
    Member,
    Org,
    org_ids_on,
)
from services.members.lifecycle.domain import Card, CardRefusal
from tests.unit.fakes_plans import FakePlanCounts, FakePlanOrgs


def _sorted_page(
    rows: list[Any],
    keys: tuple[str, ...],
    position: Callable[[Any], tuple[Any, ...]],
    cursor: str | None,
    limit: int,
    descending: bool = False,
) -> tuple[list[Any], dict[str, Any] | None]:
    """Rows in the order of ``position`` (sort values named ``keys``), strictly after the
    cursor's position; the position to continue after, as the stores return it."""
    after = paging.decode(cursor, keys)
    ordered = sorted(rows, key=position, reverse=descending)
    if after is not None:
        last = tuple(after[k] for k in keys)
        ordered = [r for r in ordered if (position(r) < last if descending else position(r) > last)]
    shown, more = ordered[:limit], len(ordered) > limit
    return shown, (dict(zip(keys, position(shown[-1]), strict=True)) if more and shown else None)


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


class _Counted(_Keyed):
    """Rows created uncounted until one call claims their counting (as the stores mark them)."""

    def __init__(self) -> None:
        super().__init__()
        self.uncounted: set[str] = set()

    def _add(self, key: str, row: Any) -> tuple[Any, bool]:
        stored, created = super()._add(key, row)
        if created:
            self.uncounted.add(key)
        return stored, created

    def claim_count(self, key: str) -> bool:
        if key in self.uncounted:
            self.uncounted.discard(key)
            return True
        return False

    def many(self, keys: list[str]) -> dict[str, Any]:
        return {k: self.rows[k] for k in keys if k in self.rows}


class FakeOrgs(_Counted):
    def add(self, org: Org) -> tuple[Org, bool]:
        return self._add(org.org_id, org)

    def by_path(self, path: str) -> Org | None:
        return next((o for o in self.rows.values() if o.path == path), None)

    def children(self, parent_id: str, cursor: str | None, limit: int) -> Any:
        found = [o for o in self.rows.values() if o.parent_id == parent_id]
        return self._page(found, cursor, limit)

    def roots(self, cursor: str | None, limit: int) -> Any:
        return self._page([o for o in self.rows.values() if o.depth == 1], cursor, limit)

    def _page(self, found: list[Org], cursor: str | None, limit: int) -> Any:
        shown, position = _sorted_page(found, ("_id",), lambda o: (o.org_id,), cursor, limit)
        return shown, paging.encode(position)

    def members_under(self, paths: list[str]) -> dict[str, int]:
        return {o.path: o.counts.members for o in self.rows.values() if o.path in paths}

    def _raise(self, org_ids: list[str], **by: int) -> None:
        for org_id in org_ids:
            if org_id in self.rows:
                org = self.rows[org_id]
                raised = {k: getattr(org.counts, k) + n for k, n in by.items()}
                self.rows[org_id] = replace(org, counts=replace(org.counts, **raised))

    def count_org(self, org: Org) -> None:
        above = org_ids_on(org.path)[:-1]
        self._raise(above, orgs_below=1)
        self._raise(above[-1:], children=1)

    def count_members(self, org_path: str, by_status: Mapping[str, int]) -> None:
        ids = org_ids_on(org_path)
        in_register = sum(n for status, n in by_status.items() if status in IN_REGISTER)
        self._raise(ids, members=in_register)
        self._raise(ids[-1:], own_members=in_register)
        for org_id in ids:
            if org_id in self.rows:
                org = self.rows[org_id]
                statuses = Counter(org.counts.by_status)
                statuses.update(by_status)
                counts = replace(org.counts, by_status={k: n for k, n in statuses.items() if n})
                self.rows[org_id] = replace(org, counts=counts)

    def save(self, org: Org, events: list[Event]) -> Org:
        stored = self.rows.get(org.org_id)
        if stored is None or stored.version != org.version:
            raise Stale(org.org_id)
        saved = replace(org, counts=stored.counts, version=org.version + 1)
        self.rows[org.org_id] = saved
        self.events.extend(events)
        return saved


class FakeMembers(_Counted):
    def by_card(self, card_uid: str) -> Member | None:
        return next((m for m in self.rows.values() if m.card_uid == card_uid), None)

    def by_id_hash(self, id_hash: str) -> Member | None:
        return next((m for m in self.rows.values() if m.id_hash == id_hash), None)

    def add(self, member: Member, events: list[Event]) -> None:
        if self.by_id_hash(member.id_hash) or (member.card_uid and self.by_card(member.card_uid)):
            raise AlreadyStored(member.member_id)
        self._add(member.member_id, member)
        self.events.extend(events)

    def save(self, member: Member, events: list[Event]) -> Member:
        stored = self.rows.get(member.member_id)
        if stored is None or stored.version != member.version:
            raise Stale(member.member_id)
        holder = self.by_card(member.card_uid) if member.card_uid else None
        if holder is not None and holder.member_id != member.member_id:
            raise AlreadyStored(member.member_id)
        saved = replace(member, version=member.version + 1)
        self.rows[member.member_id] = saved
        self.events.extend(events)
        return saved

    def listed(
        self,
        org: Org,
        subtree: bool,
        name_prefix: str | None,
        cursor: str | None,
        limit: int,
        statuses: tuple[str, ...] | None = None,
    ) -> Any:
        found = [
            m
            for m in self.rows.values()
            if (in_subtree(m.org_path, org.path) if subtree else m.org_id == org.org_id)
            and m.name.startswith(name_prefix or "")
            and (statuses is None or m.status in statuses)
        ]
        last = paging.decode(cursor, ("_id",))
        if last is not None:  # the cursor names the last member by id only, as the store's
            known = self.rows.get(last["_id"])
            after = {"name": known.name if known else "", "_id": last["_id"]}
            cursor = paging.encode(after)
        shown, position = _sorted_page(
            found, ("name", "_id"), lambda m: (m.name, m.member_id), cursor, limit
        )
        return shown, paging.encode({"_id": position["_id"]} if position else None)


class FakeMeetings(_Counted):
    def add(self, meeting: Meeting) -> tuple[Meeting, bool]:
        return self._add(meeting.meeting_id, meeting)

    def of_org(
        self,
        org_path: str,
        since: datetime | None,
        until: datetime | None,
        newest_first: bool,
        cursor: str | None,
        limit: int,
    ) -> Any:
        found = [
            m
            for m in self.rows.values()
            if m.org_path == org_path
            and (since is None or m.starts_at >= since)
            and (until is None or m.starts_at < until)
        ]
        order = ("starts_at", "_id"), lambda m: (stamp(m.starts_at), m.meeting_id)
        shown, position = _sorted_page(found, *order, cursor, limit, descending=newest_first)
        return shown, paging.encode(position)

    def open_for_sign_in(
        self, org_path: str, since: datetime, until: datetime, limit: int
    ) -> list[Meeting]:
        found = [
            m
            for m in self.rows.values()
            if in_subtree(m.org_path, org_path) and m.opens_at < until and m.closes_at >= since
        ]
        return sorted(found, key=lambda m: (m.opens_at, m.meeting_id))[:limit]

    def count_sign_ins(self, meeting_id: str, n: int) -> None:
        meeting = self.rows[meeting_id]
        self.rows[meeting_id] = replace(meeting, signed_in=meeting.signed_in + n)


class FakeAttendance(_Counted):
    def add(self, attendance: Attendance, events: list[Event]) -> tuple[Attendance, bool]:
        stored, created = self._add(attendance.attendance_id, attendance)
        if created:
            self.events.extend(events)
        return stored, created

    def claim_uncounted(self, limit: int) -> list[Attendance]:
        claimed = [self.rows[k] for k in sorted(self.uncounted)[:limit]]
        self.uncounted -= {a.attendance_id for a in claimed}
        return claimed

    def of_member(self, member_id: str, cursor: str | None, limit: int) -> Any:
        found = [a for a in self.rows.values() if a.member_id == member_id]
        order = ("checked_in_at", "_id"), lambda a: (stamp(a.checked_in_at), a.attendance_id)
        shown, position = _sorted_page(found, *order, cursor, limit, descending=True)
        return shown, paging.encode(position)

    def of_meeting(
        self, meeting_id: str, cursor: str | None, limit: int, settled_before: datetime
    ) -> tuple[list[Attendance], str | None, bool]:
        found = [a for a in self.rows.values() if a.meeting_id == meeting_id]

        def position(a: Attendance) -> tuple[str, str]:
            return (stamp(a.recorded_at or a.checked_in_at), a.attendance_id)

        shown, after = _sorted_page(found, ("recorded_at", "_id"), position, cursor, limit)
        more = after is not None
        if not more:
            settled = [a for a in shown if position(a)[0] < stamp(settled_before)]
            last = paging.decode(cursor, ("recorded_at", "_id"))
            after = (
                dict(zip(("recorded_at", "_id"), position(settled[-1]), strict=True))
                if settled
                else last
            )
        return shown, paging.encode(after), more


class FakeTallies:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], tuple[int, int]] = {}

    def add(self, org_path: str, month: str, *, meetings: int = 0, attendance: int = 0) -> None:
        for org_id in org_ids_on(org_path):
            was = self.rows.get((org_id, month), (0, 0))
            self.rows[(org_id, month)] = (was[0] + meetings, was[1] + attendance)

    def of(self, org_ids: list[str], month: str) -> dict[str, tuple[int, int]]:
        return {o: self.rows[(o, month)] for o in org_ids if (o, month) in self.rows}


class FakeActivity:
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, str]] = {}

    def record(self, member_ids: list[str], kind: str, month: str) -> None:
        for member_id in member_ids:
            row = self.rows.setdefault(member_id, {})
            for field in (kind, "last_active"):
                row[field] = max(row.get(field, month), month)

    def seen(self, member_ids: list[str], month: str) -> None:
        for member_id in member_ids:
            row = self.rows.setdefault(member_id, {"registered": month})
            row["last_active"] = max(row.get("last_active", month), month)

    def of(self, member_ids: list[str]) -> dict[str, dict[str, str]]:
        return {m: dict(self.rows[m]) for m in member_ids if m in self.rows}


class FakeKiosks(_Keyed):
    def add(self, kiosk: Kiosk) -> tuple[Kiosk, bool]:
        return self._add(kiosk.device_id, kiosk)


class FakeAudit:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def record(self, entry: dict[str, Any]) -> None:
        self.entries.append(entry)


class FakeCards:
    def __init__(self) -> None:
        self.rows: dict[str, Card] = {}
        self.refusals: dict[str, CardRefusal] = {}

    def get(self, card_uid: str) -> Card | None:
        return self.rows.get(card_uid)

    def reserve(self, card: Card) -> Card:
        if card.card_uid in self.rows:
            raise AlreadyStored(card.card_uid)
        self.rows[card.card_uid] = card
        return card

    def end(self, card: Card) -> None:
        self.rows[card.card_uid] = card

    def active_of(self, member_id: str) -> list[Card]:
        return [c for c in self.rows.values() if c.member_id == member_id and c.active]

    def _of(self, member_id: str) -> list[Card]:
        mine = [c for c in self.rows.values() if c.member_id == member_id]
        return sorted(mine, key=_card_order, reverse=True)

    def latest_of(self, member_id: str) -> Card | None:
        return next(iter(self._of(member_id)), None)

    def of_member(self, member_id: str, cursor: str | None, limit: int) -> Any:
        rows = [c for c in self.rows.values() if c.member_id == member_id]
        shown, position = _sorted_page(rows, ("at", "_id"), _card_order, cursor, limit, True)
        return shown, paging.encode(position)

    def refuse(self, refusal: CardRefusal) -> None:
        self.refusals.setdefault(refusal.refusal_id, refusal)

    def purge(self, before: datetime) -> int:
        old = [k for k, r in self.refusals.items() if r.at.date() < before.astimezone(UTC).date()]
        for key in old:
            del self.refusals[key]
        return len(old)


def _card_order(card: Card) -> tuple[str, str]:
    moment = card.issued_at or card.ended_at
    return (stamp(moment) if moment else "", card.card_uid)


class FakeMembersUoW:
    def __init__(self) -> None:
        self.orgs = FakeOrgs()
        self.members = FakeMembers()
        self.meetings = FakeMeetings()
        self.attendance = FakeAttendance()
        self.kiosks = FakeKiosks()
        self.audit = FakeAudit()
        self.tallies = FakeTallies()
        self.cards = FakeCards()
        self.activity = FakeActivity()
        self.plan_counts = FakePlanCounts()  # plans/: meetings held per org, month and kind
        self.plan_orgs = FakePlanOrgs(self.orgs)

    def events(self) -> list[Event]:
        return self.members.events + self.attendance.events
