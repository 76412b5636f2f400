"""In-memory fakes of the organization register's repositories (services/members/tree/ports.py):
the members' fake unit of work plus the history, the move jobs and a move's rewrites."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from services.infra import paging
from services.infra.events import Event
from services.infra.scope import in_subtree
from services.members.domain import Org, org_ids_on
from services.members.tree.domain import MoveJob, moved_path
from tests.unit.fakes import FakeMembersUoW, FakeOrgs, _sorted_page


class FakeHistory:
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}

    def record(self, entry: Mapping[str, Any]) -> None:
        self.rows.setdefault(entry["change_id"], dict(entry))

    def of_org(self, org_id: str, cursor: str | None, limit: int) -> Any:
        found = [e for e in self.rows.values() if e["org_id"] == org_id]
        shown, position = _sorted_page(
            found,
            ("at", "_id"),
            lambda e: (e["at"].isoformat(), e["change_id"]),
            cursor,
            limit,
            descending=True,
        )
        return shown, paging.encode(position)


class FakeMoves:
    def __init__(self) -> None:
        self.rows: dict[str, MoveJob] = {}

    def add(self, job: MoveJob) -> None:
        self.rows.setdefault(job.move_id, job)

    def get(self, move_id: str) -> MoveJob | None:
        return self.rows.get(move_id)

    def running(self) -> list[MoveJob]:
        return sorted(
            (j for j in self.rows.values() if j.state == "running"), key=lambda j: j.move_id
        )

    def latest_of(self, org_id: str) -> MoveJob | None:
        mine = [j for j in self.rows.values() if j.org_id == org_id]
        return max(mine, key=lambda j: (j.started_at, j.move_id)) if mine else None

    def advance(self, job: MoveJob, phase: str, cursor: str | None = None) -> bool:
        stored = self.rows[job.move_id]
        if stored.phase != job.phase:
            return False
        state = "done" if phase == "done" else stored.state
        self.rows[job.move_id] = replace(stored, phase=phase, cursor=cursor, state=state)
        return True

    def set_cursor(self, job: MoveJob, cursor: str) -> None:
        stored = self.rows[job.move_id]
        if stored.phase == job.phase:
            self.rows[job.move_id] = replace(stored, cursor=cursor)

    def count(self, job: MoveJob, what: str, n: int) -> None:
        stored = self.rows[job.move_id]
        progress = Counter(stored.progress)
        progress[what] += n
        self.rows[job.move_id] = replace(stored, progress=dict(progress))

    def drop(self, move_id: str) -> None:
        if self.rows.get(move_id) and self.rows[move_id].phase == "root":
            del self.rows[move_id]


class FakePaths:
    """A move's rewrites over the fake repositories, batch by batch as the store does them."""

    def __init__(self, uow: FakeTreeUoW) -> None:
        self.uow = uow
        self.published: set[str] = set()
        self.scopes: list[tuple[str, str]] = []  # account scopes moved (old path, new path)

    @property
    def orgs(self) -> FakeOrgs:
        return self.uow.orgs

    def move_root(self, job: MoveJob) -> None:
        org = self.orgs.rows[job.org_id]
        if org.path == job.from_path:
            moved = replace(org, parent_id=job.new_parent_id, path=job.to_path)
            self.orgs.rows[job.org_id] = replace(moved, version=org.version + 1)

    def shift_counters(self, job: MoveJob) -> None:
        old, new = org_ids_on(job.from_path)[:-1], org_ids_on(job.to_path)[:-1]
        for ids, sign in (
            ([i for i in old if i not in new], -1),
            ([i for i in new if i not in old], 1),
        ):
            self.orgs._raise(ids, orgs_below=sign * job.orgs, members=sign * job.members)
            for org_id in ids:
                org = self.orgs.rows[org_id]
                statuses = Counter(org.counts.by_status)
                statuses.update({s: sign * n for s, n in job.by_status.items()})
                counts = replace(org.counts, by_status={k: n for k, n in statuses.items() if n})
                self.orgs.rows[org_id] = replace(org, counts=counts)
        self.orgs._raise(old[-1:], children=-1)
        self.orgs._raise(new[-1:], children=1)

    def rewrite_orgs(self, from_path: str, to_path: str, limit: int) -> int:
        under = [o for o in self.orgs.rows.values() if in_subtree(o.path, from_path)][:limit]
        for org in under:
            self.orgs.rows[org.org_id] = replace(org, path=moved_path(org.path, from_path, to_path))
        return len(under)

    def rewrite_members(self, from_path: str, to_path: str, limit: int) -> int:
        rows = self.uow.members.rows
        under = [m for m in rows.values() if in_subtree(m.org_path, from_path)][:limit]
        for m in under:
            rows[m.member_id] = replace(m, org_path=moved_path(m.org_path, from_path, to_path))
        return len(under)

    def rewrite_attempts(self, from_path: str, to_path: str, limit: int) -> int:
        return 0  # the fakes keep no sign-in attempts

    def subtree_after(self, path: str, after: str | None, limit: int) -> list[Org]:
        found = sorted(
            (o for o in self.orgs.rows.values() if in_subtree(o.path, path)), key=lambda o: o.org_id
        )
        return [o for o in found if after is None or o.org_id > after][:limit]

    def rewrite_keyed(self, old_path: str, new_path: str) -> int:
        n = 0
        meetings = self.uow.meetings.rows
        for key, meeting in list(meetings.items()):
            invited = tuple(new_path if p == old_path else p for p in meeting.invited_org_paths)
            path = new_path if meeting.org_path == old_path else meeting.org_path
            if (path, invited) != (meeting.org_path, meeting.invited_org_paths):
                meetings[key] = replace(meeting, org_path=path, invited_org_paths=invited)
                n += 1
        kiosks = self.uow.kiosks.rows
        for key, kiosk in list(kiosks.items()):
            if kiosk.org_path == old_path:
                kiosks[key] = replace(kiosk, org_path=new_path)
                n += 1
        members = self.uow.members.rows
        for key, member in list(members.items()):
            if member.home_org_path == old_path:
                members[key] = replace(member, home_org_path=new_path)
                n += 1
        self.scopes.append((old_path, new_path))
        return n

    def publish_moved(self, job: MoveJob, events: list[Event]) -> None:
        if job.move_id not in self.published:
            self.published.add(job.move_id)
            self.orgs.events.extend(events)


class FakeTreeUoW(FakeMembersUoW):
    def __init__(self) -> None:
        super().__init__()
        self.org_history = FakeHistory()
        self.org_moves = FakeMoves()
        self.paths = FakePaths(self)

    def events(self) -> list[Event]:
        return super().events() + self.orgs.events
