"""The volunteer application layer: one handler per command, over a unit of work. No nameko, no
pymongo: unit tests run these with the in-memory fakes of tests/unit/fakes_notify_volunteer.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from services.infra import paging
from services.infra.events import Event
from services.infra.pii import PiiCipher
from services.infra.scope import Caller
from services.volunteer import commands
from services.volunteer.needs import Need

COMMUNITY = frozenset(
    {"county_operator", "org_admin", "community_worker", "grid_leader", "grid_worker"}
)
READERS = COMMUNITY | {"branch_secretary", "member"}


COUNT_CAP = 100_000  # a count stops here (an index range this long is not read for a figure)


class NeedRepository(Protocol):
    def add(self, need: Need, events: list[Event]) -> None: ...

    def under(
        self, scope: str, status: str | None, cursor: str | None, limit: int
    ) -> tuple[list[Need], str | None]:
        """Needs of a status (any when None) in ``scope``'s subtree, newest first; the cursor
        continues after the last one (None at the end). An invalid cursor is InvalidInput."""

    def count_under(self, scope: str, status: str | None, at_most: int) -> int:
        """How many such needs, counting no further than ``at_most`` (an index range)."""


class UnitOfWork(Protocol):
    @property
    def needs(self) -> NeedRepository: ...


@dataclass(frozen=True)
class Settings:
    cipher: PiiCipher
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)


def record_need(
    cmd: commands.RecordNeed, uow: UnitOfWork, caller: Caller, settings: Settings
) -> Need:
    caller.require_role(COMMUNITY)
    caller.require(cmd.grid_path)
    need, events = Need.record(
        grid_path=cmd.grid_path,
        title=cmd.title,
        description=cmd.description,
        category=cmd.category,
        resident_name=cmd.resident_name,
        resident_phone=cmd.resident_phone,
        recorded_by=caller.subject,
        cipher=settings.cipher,
        now=settings.clock(),
    )
    uow.needs.add(need, events)
    return need


def list_open_needs(
    cmd: commands.ListOpenNeeds, uow: UnitOfWork, caller: Caller
) -> tuple[list[Need], str | None]:
    return list_needs(commands.ListNeeds(cmd.scope, "open", cmd.cursor, cmd.limit), uow, caller)


def list_needs(
    cmd: commands.ListNeeds, uow: UnitOfWork, caller: Caller
) -> tuple[list[Need], str | None]:
    caller.require_role(READERS)
    caller.require(cmd.scope)
    return uow.needs.under(cmd.scope, cmd.status, cmd.cursor, paging.clamp(cmd.limit))


def count_needs(cmd: commands.CountNeeds, uow: UnitOfWork, caller: Caller) -> dict[str, Any]:
    """How many needs of a status a subtree holds, from the index (up to COUNT_CAP)."""
    caller.require_role(READERS)
    caller.require(cmd.scope)
    found = uow.needs.count_under(cmd.scope, cmd.status, COUNT_CAP + 1)
    return {
        "scope": cmd.scope,
        "status": cmd.status,
        "count": min(found, COUNT_CAP),
        "capped": found > COUNT_CAP,
    }
