"""The volunteer application layer: one handler per command, over a unit of work. No nameko, no
pymongo: unit tests run these with the in-memory fakes of tests/unit/fakes_notify_volunteer.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

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


class NeedRepository(Protocol):
    def add(self, need: Need, events: list[Event]) -> None: ...

    def open_under(
        self, scope: str, cursor: str | None, limit: int
    ) -> tuple[list[Need], str | None]:
        """Open needs in ``scope``'s subtree, newest first; the cursor continues after the last
        one (None at the end). An invalid cursor is InvalidInput."""


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
    caller.require_role(READERS)
    caller.require(cmd.scope)
    return uow.needs.open_under(cmd.scope, cmd.cursor, paging.clamp(cmd.limit))
