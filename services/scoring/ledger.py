"""The points ledger of one member and year: entries are appended, totals derived from them.

Each entry carries ``seq``, its position in the member's year (1, 2, ...), and the totals carry
``version``, the number of entries applied. An entry is computed from the totals it follows
(``seq = version + 1``), and a store keeps ``seq`` unique per member and year: two concurrent
awards computed from the same totals cannot both be stored, so a cap is never exceeded, and the
totals never need a list of applied entries. Pure: no framework imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from services.infra.events import Event, new_event
from services.scoring.rules import AwardRule, gaps


@dataclass(frozen=True)
class Entry:
    entry_id: str  # the source's key: one entry per source event, ever
    member_id: str
    org_path: str
    year: int
    seq: int
    at: datetime
    category: str
    item: str
    counter: str
    points: int
    requested_points: int
    reason: str
    source_event_type: str
    source_event_id: str
    total_after: int
    device_id: str | None = None

    @property
    def capped(self) -> bool:
        return self.points < self.requested_points


@dataclass(frozen=True)
class Totals:
    member_id: str
    year: int
    org_path: str = ""
    version: int = 0
    total: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    items: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def after(self, entry: Entry) -> Totals:
        """The totals with ``entry`` applied (it must be the next one)."""
        if entry.seq != self.version + 1:
            raise ValueError(f"entry {entry.seq} does not follow version {self.version}")
        return replace(
            self,
            org_path=entry.org_path,
            version=entry.seq,
            total=self.total + entry.points,
            by_category=_plus(self.by_category, entry.category, entry.points),
            items=_plus(self.items, entry.counter, entry.points),
            counts=_plus(self.counts, entry.item, 1),
        )

    def gaps(self, requirement: dict[str, int]) -> dict[str, int]:
        return gaps(self.by_category, requirement)


def _plus(counts: dict[str, int], key: str, amount: int) -> dict[str, int]:
    return {**counts, key: counts.get(key, 0) + amount}


@dataclass(frozen=True)
class Source:
    """What earned the points: an event of another service."""

    event_type: str
    event_id: str
    member_id: str
    org_path: str
    at: datetime
    reason: str
    device_id: str | None = None

    @property
    def key(self) -> str:
        return source_key(self.event_type, self.event_id)


def source_key(event_type: str, event_id: str) -> str:
    return f"{event_type}:{event_id}"


class Ledger:
    """A member's year, as of ``totals``."""

    def __init__(self, totals: Totals) -> None:
        self.totals = totals

    def post(self, source: Source, rule: AwardRule) -> tuple[Entry, list[Event]]:
        counter = rule.counter(source.at)
        points = rule.award(self.totals.items.get(counter, 0))
        entry = Entry(
            entry_id=source.key,
            member_id=source.member_id,
            org_path=source.org_path,
            year=self.totals.year,
            seq=self.totals.version + 1,
            at=source.at,
            category=rule.category,
            item=rule.item,
            counter=counter,
            points=points,
            requested_points=rule.points,
            reason=source.reason,
            source_event_type=source.event_type,
            source_event_id=source.event_id,
            total_after=self.totals.total + points,
            device_id=source.device_id,
        )
        return entry, [points_awarded(entry)]


def points_awarded(entry: Entry) -> Event:
    return new_event(
        "points_awarded",
        entry.org_path,
        {
            "member_id": entry.member_id,
            "entry_id": entry.entry_id,
            "category": entry.category,
            "item": entry.item,
            "points": entry.points,
            "requested_points": entry.requested_points,
            "capped": entry.capped,
            "year": entry.year,
            "total_after": entry.total_after,
            "reason": entry.reason,
            "source_event_type": entry.source_event_type,
            "source_event_id": entry.source_event_id,
        },
    )
