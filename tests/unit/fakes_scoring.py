"""In-memory fake of scoring's unit of work, with the same unique keys as the store."""

from __future__ import annotations

from collections.abc import Callable

from services.infra import paging
from services.infra.errors import AlreadyStored
from services.infra.events import Event
from services.scoring.ledger import Entry, Totals


class FakeLedger:
    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self.events: list[Event] = []
        self.before_add: Callable[[Entry], None] | None = None

    def get(self, entry_id: str) -> Entry | None:
        return self.entries.get(entry_id)

    def at_seq(self, member_id: str, year: int, seq: int) -> Entry | None:
        return next(
            (
                e
                for e in self.entries.values()
                if (e.member_id, e.year, e.seq) == (member_id, year, seq)
            ),
            None,
        )

    def add(self, entry: Entry, events: list[Event]) -> None:
        if self.before_add:
            hook, self.before_add = self.before_add, None
            hook(entry)
        if entry.entry_id in self.entries or self.at_seq(entry.member_id, entry.year, entry.seq):
            raise AlreadyStored(entry.entry_id)
        self.entries[entry.entry_id] = entry
        self.events.extend(events)

    def page(
        self, member_id: str, year: int, cursor: str | None, limit: int
    ) -> tuple[list[Entry], str | None]:
        after = paging.decode(cursor, ("seq",))
        rows = sorted(
            (
                e
                for e in self.entries.values()
                if (e.member_id, e.year) == (member_id, year)
                and (after is None or e.seq < after["seq"])
            ),
            key=lambda e: -e.seq,
        )
        more = len(rows) > limit
        rows = rows[:limit]
        return rows, paging.encode({"seq": rows[-1].seq} if more and rows else None)


class FakeTotals:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, int], Totals] = {}

    def get(self, member_id: str, year: int) -> Totals:
        return self.rows.get((member_id, year), Totals(member_id, year))

    def apply(self, entry: Entry) -> None:
        current = self.get(entry.member_id, entry.year)
        if current.version == entry.seq - 1:
            self.rows[(entry.member_id, entry.year)] = current.after(entry)


class FakeScoringUoW:
    def __init__(self) -> None:
        self.ledger = FakeLedger()
        self.totals = FakeTotals()
