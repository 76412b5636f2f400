"""What the mobile members' and lapse warnings' handlers work over: the repositories of the unit
of work (MembersStore mixes MobileStore in) and the settings read once at start-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Protocol

from services.infra.events import Event
from services.members.activity import Activity
from services.members.domain import Member, Org
from services.members.handlers import CHINA, MemberRepository, Page, UnitOfWork


class MemberDirectory(MemberRepository, Protocol):
    def save(self, member: Member, events: list[Event]) -> Member:
        """Raises Stale when the member changed since it was read."""


class MobileRecords(Protocol):
    def away(self, org: Org, overdue_before: date | None, cursor: str | None, limit: int) -> Page:
        """Mobile members whose home lies in the organization's subtree, soonest end first
        (``overdue_before``: only stays that ended before that day)."""

    def hosted(self, org: Org, cursor: str | None, limit: int) -> Page:
        """Mobile members taking part in the organization's subtree."""

    def overdue_due(self, days: list[date], limit: int) -> list[Member]:
        """Mobile members whose stay ended on one of ``days`` and who were not yet reminded of
        that stay."""

    def mark_overdue(self, member: Member, events: list[Event]) -> bool:
        """Mark the member's stay reminded, with the events; False when another call did."""


@dataclass(frozen=True)
class Warning:
    """One inactive streak of a member (named by its last active month) and the highest
    threshold it reached."""

    member_id: str
    org_id: str
    org_path: str
    last_active: str
    threshold: int


class LapseRecords(Protocol):
    def inactive_since(
        self, months: list[str], after: str | None, limit: int
    ) -> list[dict[str, str]]:
        """member_activity rows whose last_active is one of ``months`` (an equality per month),
        by member id after ``after``."""

    def warn(self, warning: Warning, events: list[Event]) -> bool:
        """Record the warning (its streak's threshold raised to ``warning.threshold``) with the
        events in one write; False when that threshold of that streak was already warned."""

    def current(self, org: Org, cursor: str | None, limit: int) -> tuple[list[Warning], str | None]:
        """The warnings in the organization's subtree, longest inactive first."""


class MobileUnitOfWork(UnitOfWork, Protocol):
    @property
    def members(self) -> MemberDirectory: ...

    @property
    def mobile(self) -> MobileRecords: ...

    @property
    def lapse(self) -> LapseRecords: ...

    @property
    def activity(self) -> Activity: ...


@dataclass(frozen=True)
class MobileSettings:
    clock: Callable[[], datetime] = lambda: datetime.now().astimezone()
    timezone: tzinfo = CHINA
    retries: int = 4
    max_months: int = 6  # a mobile stay lasts at most this (DOMAIN.md: example)
    lapse_thresholds: tuple[int, ...] = field(default=(3, 5))  # warnings (examples)
    lapse_rule_months: int = 6  # treated as having left (自行脱党) after this
    lapse_catch_up_months: int = 1  # a warning missed while the service was down comes late
    lapse_batch: int = 500
    overdue_days: int = 7  # a stay past its end is reminded of up to this many days late

    def today(self) -> date:
        return self.clock().astimezone(self.timezone).date()
