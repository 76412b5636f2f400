"""What the register's handlers work over: the members' unit of work plus the history, the move
jobs and the batch rewrites of a move (services/members/tree/store.py; fakes in
tests/unit/fakes_tree.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from services.infra.events import Event
from services.members.domain import Member, Org
from services.members.handlers import MemberRepository, OrgRepository, Page, UnitOfWork
from services.members.tree.domain import MoveJob


class RegisterOrgs(OrgRepository, Protocol):
    def save(self, org: Org, events: list[Event]) -> Org:
        """Raises Stale when the stored organization changed since it was read."""


class RegisterMembers(MemberRepository, Protocol):
    def save(self, member: Member, events: list[Event]) -> Member:
        """Raises Stale when the stored member changed since it was read."""


class OrgHistory(Protocol):
    def record(self, entry: Mapping[str, Any]) -> None:
        """Store a history line once (keyed by its ``change_id``: a repeat changes nothing)."""

    def of_org(self, org_id: str, cursor: str | None, limit: int) -> Page:
        """An organization's history, newest first."""


class MoveJobs(Protocol):
    def add(self, job: MoveJob) -> None: ...
    def get(self, move_id: str) -> MoveJob | None: ...
    def running(self) -> list[MoveJob]:
        """The moves not finished (few: a move takes seconds)."""

    def latest_of(self, org_id: str) -> MoveJob | None:
        """The organization's last move."""

    def advance(self, job: MoveJob, phase: str, cursor: str | None = None) -> bool:
        """Move the job from its phase to ``phase`` (``done`` finishes it): True for the one
        call that did."""

    def set_cursor(self, job: MoveJob, cursor: str) -> None: ...
    def count(self, job: MoveJob, what: str, n: int) -> None: ...
    def drop(self, move_id: str) -> None:
        """Remove a job that never started (it lost the race to an overlapping move)."""


class PathRewrites(Protocol):
    """The batch writes of a move, each idempotent (a rewritten document is left alone)."""

    def move_root(self, job: MoveJob) -> None: ...
    def shift_counters(self, job: MoveJob) -> None:
        """Lower the old ancestors' counters and raise the new ones' by the subtree's totals."""

    def rewrite_orgs(self, from_path: str, to_path: str, limit: int) -> int: ...
    def rewrite_members(self, from_path: str, to_path: str, limit: int) -> int: ...
    def rewrite_attempts(self, from_path: str, to_path: str, limit: int) -> int: ...
    def subtree_after(self, path: str, after: str | None, limit: int) -> list[Org]:
        """The subtree's organizations by id after ``after``."""

    def rewrite_keyed(self, old_path: str, new_path: str) -> int:
        """Meetings, invitations, kiosks, home branches and account scopes at one path."""

    def publish_moved(self, job: MoveJob, events: list[Event]) -> None:
        """The move's events, once, with the moved organization's document."""


class TreeUnitOfWork(UnitOfWork, Protocol):
    @property
    def orgs(self) -> RegisterOrgs: ...

    @property
    def members(self) -> RegisterMembers: ...

    @property
    def org_history(self) -> OrgHistory: ...

    @property
    def org_moves(self) -> MoveJobs: ...

    @property
    def paths(self) -> PathRewrites: ...
