"""What the plans' handlers work over: the members' unit of work with the plans' repositories
(PlansStore mixes them in) and the settings read once at start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Protocol

from services.members.handlers import CHINA, UnitOfWork
from services.members.plans.counters import PlanCounters
from services.members.plans.domain import PlanOrg, PlanRules


class PlanOrgRepository(Protocol):
    def under(
        self, path: str, kinds: list[str], cursor: str | None, limit: int
    ) -> tuple[list[PlanOrg], str | None]:
        """The current organizations of ``kinds`` in the subtree at ``path`` (itself
        included), by id, a page at a time."""


class PlansUnitOfWork(UnitOfWork, Protocol):
    @property
    def plan_counts(self) -> PlanCounters: ...

    @property
    def plan_orgs(self) -> PlanOrgRepository: ...


@dataclass(frozen=True)
class PlansSettings:
    rules: PlanRules
    clock: Callable[[], datetime] = lambda: datetime.now().astimezone()
    timezone: tzinfo = CHINA  # where "this month" and a meeting's month are
    gap_scan_pages: int = 10  # a gaps page reads at most this many pages of organizations
    meetings_page: int = 200  # an organization's meetings of a year are read this many at a time

    def today(self) -> date:
        return self.clock().astimezone(self.timezone).date()
